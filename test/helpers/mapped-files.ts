// Files for guests to map: a fresh --root directory holding one file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PAGE = 4096;

/** A new root directory with `name`, `pages` pages long, whose page n holds the byte n everywhere. */
export function rootWithNumberedPages(name: string, pages: number): string {
  const root = mkdtempSync(join(tmpdir(), 'mmscope-pages-'));
  const bytes = new Uint8Array(pages * PAGE);
  for (let page = 0; page < pages; page++) bytes.fill(page, page * PAGE, (page + 1) * PAGE);
  writeFileSync(join(root, name), bytes);
  return root;
}
