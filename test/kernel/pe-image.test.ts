// PE32 images as Windows lays them out: programs built with the stock
// mingw-w64 compiler, mapped by NtCreateSection(SEC_IMAGE)'s rules and
// started through ntdll. Expected values are Windows' (MEMORY_BASIC_INFORMATION
// for an image: Type MEM_IMAGE, AllocationBase the image base,
// AllocationProtect PAGE_EXECUTE_WRITECOPY; each section's protection from
// its characteristics, Windows Internals 7th ed. ch. 5 "Image mapping") and
// the guest's own arithmetic.
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectExited, runGuest } from '../helpers/guests.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';
import { parsePe32 } from '../../src/kernel/loader/pe32.js';

const NO_IMPORTS = ['-nostdlib', '-e', '_start'];
const MEM_IMAGE = 0x1000000;
const PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, PAGE_EXECUTE_READ = 0x20, PAGE_EXECUTE_WRITECOPY = 0x80;

const machine = () => ({ systemDllDirectory: systemDllDirectory(), checkInvariantsAfterServices: true });

describe('PE32 image sections', () => {
  it('lays out headers and sections with Windows protections, MEM_IMAGE at the image base', async () => {
    const exe = mingwGuest(['test/guests/pe/sections.c'], NO_IMPORTS);
    const run = await runGuest(exe, { machine: machine() });
    expectExited(run, 43, 'sections.exe');
    const rows = Object.fromEntries(run.stdout.trim().split('\n').map((line) => {
      const [name, base, allocationBase, allocationProtect, protect, type] = line.split(' ');
      return [name, { base: parseInt(base!, 16), allocationBase: parseInt(allocationBase!, 16), allocationProtect: parseInt(allocationProtect!, 16), protect: parseInt(protect!, 16), type: parseInt(type!, 16) }];
    }));
    const expected: Record<string, number> = {
      headers: PAGE_READONLY, '.text': PAGE_EXECUTE_READ, '.rdata': PAGE_READONLY, '.data': PAGE_WRITECOPY, '.bss': PAGE_WRITECOPY,
      // A write to a copy-on-write image page gives the process its own copy: PAGE_READWRITE from then on.
      '.data-written': PAGE_READWRITE, '.bss-written': PAGE_READWRITE,
    };
    expect(Object.keys(rows)).toEqual(Object.keys(expected));
    for (const [name, protect] of Object.entries(expected)) {
      expect(rows[name], name).toMatchObject({ allocationBase: 0x400000, allocationProtect: PAGE_EXECUTE_WRITECOPY, protect, type: MEM_IMAGE });
    }
    expect(rows.headers!.base).toBe(0x400000);
  });

  it('maps the program at its base over SizeOfImage and ntdll at 0x7C900000, both image VADs', async () => {
    const exe = mingwGuest(['test/guests/pe/sections.c'], NO_IMPORTS);
    const bytes = readFileSync(exe);
    const sizeOfImage = bytes.readUInt32LE(bytes.readUInt32LE(0x3c) + 24 + 56);
    await runGuest(exe, { machine: machine() }, ({ machine: m }) => {
      expect(m.modules().map(({ base, size, name }) => ({ base, size, name }))).toEqual([
        { base: 0x400000, size: sizeOfImage, name: exe },
        { base: 0x7c900000, size: expect.any(Number), name: 'C:\\Windows\\System32\\ntdll.dll' },
      ]);
    });
  });

  it('maps an image whose SectionAlignment is below the page size flat: every page PAGE_EXECUTE_WRITECOPY (WRK MiCreateImageFileMap)', async () => {
    const exe = mingwGuest(['test/guests/pe/flat.c'], [...NO_IMPORTS, '-fno-common', '-Wl,--section-alignment,0x200', '-Wl,--file-alignment,0x200']);
    const run = await runGuest(exe, { machine: machine() });
    expectExited(run, 43, 'flat.exe');
    // One region from the image base: every page has the same protection.
    expect(run.stdout).toBe(['headers', '.text', '.rdata', '.data'].map((name) => `${name} 00400000 00400000 00000080 00000080 01000000\n`).join(''));
  });

  it('refuses a sub-page-aligned image with uninitialised data (.bss), as Windows does', () => {
    const exe = mingwGuest(['test/guests/pe/sections.c'], [...NO_IMPORTS, '-Wl,--section-alignment,0x200', '-Wl,--file-alignment,0x200'], 'sections-flat.exe');
    expect(() => parsePe32('sections-flat.exe', new Uint8Array(readFileSync(exe)))).toThrow(/SectionAlignment below the page size, PointerToRawData must equal VirtualAddress and the section have no uninitialised data/);
  });

  it('takes the stack reservation and commit from the optional header', async () => {
    const exe = mingwGuest(['test/guests/pe/sections.c'], [...NO_IMPORTS, '-Xlinker', '--stack', '-Xlinker', '0x300000,0x5000'], 'big-stack.exe');
    await runGuest(exe, { machine: machine() }, ({ machine: m }) => {
      const stack = m.stackVad;
      expect(stack.endAddress - stack.startAddress).toBe(0x300000);
      // The top 0x5000 bytes committed (5 pages) and the guard page below them: 6 pages charged (RtlCreateUserStack).
      const region = m.memoryMap().regions.find((r) => r.startingVpn === stack.startingVpn);
      expect(region?.committedPages).toBe(6);
    });
  });

  it('maps one image section twice: the second view elsewhere with STATUS_IMAGE_NOT_AT_BASE (Wine test_image_mapping)', async () => {
    const dll = mingwGuest(['test/guests/pe/helper-dll.c'], ['-shared', '-nostdlib', '-e', '_DllMain@12', '-Wl,--image-base=0x10000000'], 'helper.dll');
    const directory = mkdtempSync(join(tmpdir(), 'mmscope-pe-views-'));
    copyFileSync(dll, join(directory, 'helper.dll'));
    copyFileSync(mingwGuest(['test/guests/pe/image-views.c'], [...NO_IMPORTS, '-lntdll']), join(directory, 'views.exe'));
    const run = await runGuest(join(directory, 'views.exe'), { machine: { ...machine(), fileRoot: directory } });
    expectExited(run, 0, 'views.exe');
    const view = { 'view-text': '00000020', 'allocation-base-matches': '00000001', 'allocation-protect': '00000080', type: '01000000' };
    expect(run.stdout.trim().split('\n')).toEqual([
      'open 00000000', 'create 00000000', 'map-1 00000000', 'map-1-base 10000000',
      'map-2 40000003', 'different 00000001',
      ...[1, 2].flatMap((n) => Object.entries(view).map(([name, value]) => `${name === 'view-text' ? `view-${n}-text` : name} ${value}`)),
      'unmap-2 00000000', 'unmap-1 00000000',
    ]);
  });
});
