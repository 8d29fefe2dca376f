// Images: the program and LoadLibraryA'd modules are image sections; the
// loader lists live in guest memory, while --modules walks the VAD tree.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { PROJECT_ROOT, guestElf, runChecks, runCli, runGuest } from '../helpers/guests.js';
import type { PageFaultEvent } from '../../src/trace/events.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mmscope-modules-'));
  buildGuest({ sources: [join(PROJECT_ROOT, 'guest/examples/hello.c')], output: join(root, 'plugin.elf'), imageBase: 0x10000000 });
  copyFileSync(guestElf('guest/examples/hello.c'), join(root, 'clash.elf'));
  writeFileSync(join(root, 'data.bin'), Buffer.alloc(8192, 1));
});

const faultsAt = (events: readonly unknown[], page: number) =>
  (events as PageFaultEvent[]).filter((e) => e.type === 'page-fault' && e.address >>> 12 === page >>> 12);

describe('the program is an image section', () => {
  it('code pages come from the file and are shared; a data write gets a private copy; .bss is demand-zero', async () => {
    const run = await runGuest(guestElf('guest/examples/first-touch.c'), {}, ({ machine }) => {
      const image = machine.imageVad;
      const entry = machine.pte(image.startAddress);
      expect(entry.prototype).toMatchObject({ state: 'resident', shareCount: 1 });
      expect(machine.frame(entry.pfn!).pteAddress).toBe(entry.prototype!.address);
      expect(machine.vads().find((v) => v.vadType === 'VadImageMap')).toMatchObject({ privateMemory: false, controlArea: { mappedViews: 1 } });
    });
    const hows = (run.events as PageFaultEvent[]).filter((e) => e.type === 'page-fault' && e.vad?.start === 0x400000).map((e) => e.resolution);
    expect(hows).toContain('section-file');
    expect(hows).toContain('demand-zero');
  });
});

describe('LoadLibraryA, FreeLibrary, GetModuleHandleA', () => {
  it('map another ELF as an image, count loads, unmap it, and refuse what Windows refuses', async () => {
    const run = await runChecks('test/guests/modules.c', [], { fileRoot: root });
    const atBase = faultsAt(run.events, 0x10000000);
    // First load reads the page from the file; after FreeLibrary and a new load it is still resident in the image
    // section, on the standby list: a soft fault takes it back without reading the file.
    expect(atBase.map((e) => e.resolution)).toEqual(['section-file', 'transition']);
    expect(atBase[0]!.section).toMatchObject({ file: 'C:\\plugin.elf', fileOffset: 0 });
    expect(run.events.some((e) => e.type === 'page-fault' && e.resolution === 'copy-on-write' && e.address >>> 28 === 1)).toBe(true);
  });
});

describe('--modules', () => {
  it('finds by the VAD tree a module the program unlinked from its loader list', () => {
    const elf = guestElf('guest/examples/hidden-module.c');
    const result = runCli(['run', '--root', root, '--modules', elf]);
    expect(result.status).toBe(0);
    const [before, rest] = result.stdout.split('loader list after unlinking');
    const after = rest!.split('GetModuleHandleA')[0]!;
    expect(before).toMatch(/0x00400000 .*hidden.module/);
    expect(after).not.toMatch(/0x00400000/);
    expect(after).toMatch(/0x10000000 .* plugin\.elf/);
    const table = result.stdout.slice(result.stdout.indexOf('Start       End'));
    expect(table).toMatch(/0x00400000  0x004[0-9a-f]{5}  .*hidden.module/);
    expect(table).toMatch(/0x10000000  0x100[0-9a-f]{5}  C:\\plugin\.elf/);
    const json = JSON.parse(runCli(['run', '--root', root, '--modules', '--json', elf]).stdout);
    expect(json.modules.map((m: { base: number }) => m.base)).toEqual([0x400000, 0x10000000]);
  });
});
