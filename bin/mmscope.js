#!/usr/bin/env node
// The mmscope command. The TypeScript sources are compiled to dist/ by `npm install` (prepare), and the
// command line bundled into one file (tools/bundle-cli.mjs: a fraction of the module-loading time). A bundle
// older than tsc's output (a `tsc` run without the bundling step) is not used.
import { statSync } from 'node:fs';

const cli = new URL('../dist/cli/', import.meta.url);
const modified = (name) => { try { return statSync(new URL(name, cli)).mtimeMs; } catch { return undefined; } };
const bundled = modified('main.bundle.js');
const { main } = await import(bundled !== undefined && bundled >= (modified('main.js') ?? Infinity) ? '../dist/cli/main.bundle.js' : '../dist/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
