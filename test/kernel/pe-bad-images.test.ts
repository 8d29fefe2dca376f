// Bad and hostile PE files: each is refused with one message line and the
// NTSTATUS NtCreateSection(SEC_IMAGE) gives such a file on Windows (WRK
// MiVerifyImageHeader / MiCreateImageFileMap: not MZ, no PE signature, NE,
// 64-bit, anything else STATUS_INVALID_IMAGE_FORMAT), never a crash; the CLI
// exits 126. Then a seeded fuzz over mutations of a real mingw program: the
// parser either refuses the file that way or the program runs to one of the
// ordinary outcomes.
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../helpers/random.js';
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';
import { runCli } from '../helpers/guests.js';
import { parsePe32 } from '../../src/kernel/loader/pe32.js';
import { BadImageError } from '../../src/kernel/loader/loadable-image.js';
import { Machine, ProcessCreationError } from '../../src/kernel/machine.js';

const STATUS_INVALID_IMAGE_FORMAT = 0xc000007b, STATUS_INVALID_IMAGE_NOT_MZ = 0xc000012f, STATUS_INVALID_IMAGE_PROTECT = 0xc0000130;
const STATUS_INVALID_IMAGE_NE_FORMAT = 0xc000011b, STATUS_INVALID_IMAGE_WIN_64 = 0xc0000359;

const program = () => new Uint8Array(readFileSync(mingwGuest(['test/guests/pe/sections.c'], ['-nostdlib', '-e', '_start'])));

/** Offsets in the program: the NT headers, the optional header, the first section header. */
function layout(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nt = view.getUint32(0x3c, true);
  const optional = nt + 24;
  const firstSection = optional + view.getUint16(nt + 20, true);
  return { view, nt, optional, firstSection };
}

type Corruption = [string, (bytes: Uint8Array) => Uint8Array, number, RegExp];

const CORRUPTIONS: Corruption[] = [
  ['no MZ', (b) => { b[0] = 0x7f; return b; }, STATUS_INVALID_IMAGE_NOT_MZ, /not an MZ executable/],
  ['e_lfanew past the end', (b) => { layout(b).view.setUint32(0x3c, 0xfffffff0, true); return b; }, STATUS_INVALID_IMAGE_PROTECT, /e_lfanew/],
  ['an MS-DOS program', (b) => { const { view, nt } = layout(b); view.setUint32(nt, 0x12345678, true); return b; }, STATUS_INVALID_IMAGE_PROTECT, /no PE signature/],
  ['an NE program', (b) => { const { view, nt } = layout(b); view.setUint32(nt, 0x454e, true); return b; }, STATUS_INVALID_IMAGE_NE_FORMAT, /NE/],
  ['x64', (b) => { const { view, nt } = layout(b); view.setUint16(nt + 4, 0x8664, true); return b; }, STATUS_INVALID_IMAGE_WIN_64, /64-bit/],
  ['ARM', (b) => { const { view, nt } = layout(b); view.setUint16(nt + 4, 0x1c0, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /built for ARM/],
  ['PE32+ magic', (b) => { const { view, optional } = layout(b); view.setUint16(optional, 0x20b, true); return b; }, STATUS_INVALID_IMAGE_WIN_64, /PE32\+/],
  ['no sections', (b) => { const { view, nt } = layout(b); view.setUint16(nt + 6, 0, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /no sections/],
  ['SizeOfImage 0', (b) => { const { view, optional } = layout(b); view.setUint32(optional + 56, 0, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /SizeOfImage/],
  ['ImageBase not 64 KiB aligned', (b) => { const { view, optional } = layout(b); view.setUint32(optional + 28, 0x401000, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /ImageBase/],
  ['image in kernel space', (b) => { const { view, optional } = layout(b); view.setUint32(optional + 28, 0x80000000, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /past user space/],
  ['SectionAlignment not a power of two', (b) => { const { view, optional } = layout(b); view.setUint32(optional + 32, 0x1800, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /powers of two/],
  ['section misaligned', (b) => { const { view, firstSection } = layout(b); view.setUint32(firstSection + 12, 0x1200, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /not aligned/],
  ['section past SizeOfImage', (b) => { const { view, firstSection } = layout(b); view.setUint32(firstSection + 8, 0x7fffffff, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /past SizeOfImage/],
  ['raw data past the end of the file', (b) => { const { view, firstSection } = layout(b); view.setUint32(firstSection + 20, 0x7ffffff0, true); return b; }, STATUS_INVALID_IMAGE_FORMAT, /truncated/],
  ['truncated inside the section table', (b) => b.subarray(0, layout(b).firstSection + 20), STATUS_INVALID_IMAGE_FORMAT, /section table/],
  ['a DOS stub only', (b) => b.subarray(0, 64), STATUS_INVALID_IMAGE_PROTECT, /e_lfanew/],
];

describe('bad PE files', () => {
  it.each(CORRUPTIONS)('%s: refused with its NTSTATUS', (_, corrupt, status, message) => {
    const bytes = corrupt(program());
    let error: unknown;
    try { parsePe32('bad.exe', bytes); } catch (caught) { error = caught; }
    expect(error).toBeInstanceOf(BadImageError);
    expect((error as BadImageError).status >>> 0).toBe(status);
    expect((error as BadImageError).message).toMatch(message);
    expect((error as BadImageError).message).not.toContain('\n');
  });

  it('mmscope run: one line naming the file and the problem, status 126', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mmscope-pe-bad-'));
    const file = join(directory, 'x64.exe');
    writeFileSync(file, CORRUPTIONS[4]![1](program()));
    const result = runCli(['run', file]);
    expect(result.status).toBe(126);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/x64\.exe: a 64-bit \(x64\) image/)]);
  });

  it('mmscope run on a DLL: it is no program (status 126)', () => {
    const dll = mingwGuest(['test/guests/pe/helper-dll.c'], ['-shared', '-nostdlib', '-e', '_DllMain@12'], 'helper.dll');
    const result = runCli(['run', dll]);
    expect(result.status).toBe(126);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/helper\.dll: a DLL, not a program/)]);
  });
});

/** Header bytes at random, header and section fields set to edge values, or a truncation. */
function mutate(original: Uint8Array, next: () => number): Uint8Array {
  const bytes = original.slice();
  const { view, nt, firstSection } = layout(bytes);
  const kind = Math.floor(next() * 3);
  if (kind === 0) {
    for (let n = 1 + Math.floor(next() * 4); n > 0; n--) bytes[Math.floor(next() * 0x400)] = Math.floor(next() * 256);
  } else if (kind === 1) {
    const edges = [0, 1, 0x1ff, 0x200, 0xfff, 0x1000, 0x10000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff];
    const field = next() < 0.5 ? nt + 4 * Math.floor(next() * 62) : firstSection + 4 * Math.floor(next() * 40);
    view.setUint32(Math.min(field, bytes.length - 4), edges[Math.floor(next() * edges.length)]!, true);
  } else {
    return bytes.subarray(0, Math.floor(next() * bytes.length));
  }
  return bytes;
}

describe('PE fuzz', () => {
  it('mutated programs are refused in one line or run to an ordinary outcome (seeded)', async () => {
    const original = program();
    const next = random(0x5eed14);
    const tally = { refused: 0, ran: 0 };
    const statuses = new Set([STATUS_INVALID_IMAGE_FORMAT, STATUS_INVALID_IMAGE_NOT_MZ, STATUS_INVALID_IMAGE_PROTECT, STATUS_INVALID_IMAGE_NE_FORMAT, STATUS_INVALID_IMAGE_WIN_64, 0xc000011c]);
    for (let i = 0; i < 300; i++) {
      const bytes = mutate(original, next);
      try {
        parsePe32('fuzz.exe', bytes);
      } catch (error) {
        expect(error, String((error as Error).stack)).toBeInstanceOf(BadImageError);
        expect(statuses.has((error as BadImageError).status >>> 0)).toBe(true);
        expect((error as Error).message).not.toContain('\n');
        tally.refused++;
        continue;
      }
      if (tally.ran >= 25) continue; // running is the slow part: a sample of the files that parse
      const machine = await Machine.create({ ramBytes: 16 << 20, systemDllDirectory: systemDllDirectory() });
      try {
        machine.load({ name: 'fuzz.exe', bytes });
        const outcome = machine.run({ maxInstructions: 200_000 });
        expect(['exited', 'exception', 'instruction-limit', 'waits-forever']).toContain(outcome.reason);
        machine.checkInvariants();
      } catch (error) {
        expect(error instanceof BadImageError || error instanceof ProcessCreationError, String((error as Error).stack)).toBe(true);
      } finally {
        machine.dispose();
      }
      tally.ran++;
    }
    expect(tally.refused).toBeGreaterThan(50);
    expect(tally.ran).toBeGreaterThan(5);
  });
});
