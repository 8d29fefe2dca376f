// npm run readme:exports: rewrites the README's list of the system DLLs'
// exports from the built DLLs (src/toolchain/export-list.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { exportListMarkdown, readmeExportList, systemDllExports } from '../dist/toolchain/export-list.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const current = readmeExportList(readme);
if (current === undefined) {
  console.error('README.md has no system DLL export block (its two marker comments) to rewrite');
  process.exit(1);
}
const fresh = exportListMarkdown(systemDllExports());
writeFileSync(path, readme.replace(current, fresh));
console.log(current === fresh ? 'README.md: the export list is up to date' : 'README.md: the export list was rewritten');
