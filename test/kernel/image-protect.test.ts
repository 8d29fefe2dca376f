// VirtualProtect inside image views, the way mingw's pseudo-relocation code
// uses it, from a guest (its own image and a LoadLibraryA'd module).
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { PROJECT_ROOT, runChecks } from '../helpers/guests.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mmscope-image-protect-'));
  buildGuest({ sources: [join(PROJECT_ROOT, 'test/guests/exports-module.c')], output: join(root, 'exports.elf'), imageBase: 0x10000000 });
});

describe('VirtualProtect in image views', () => {
  it('a writable protection becomes copy-on-write, the first write takes a private copy, the old protection comes back', async () => {
    // 16 checks in main and pseudo_relocate's 14, called 3 times (.text, .rodata, the module's .text).
    await runChecks('test/guests/image-protect.c', [], { fileRoot: root }, 16 + 14 * 3);
  });
});
