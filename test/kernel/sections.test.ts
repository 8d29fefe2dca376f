// Sections, views, files and the sandbox from guest programs, with the
// memory manager's invariants checked after every system service.
import { describe, expect, it, beforeEach } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectExited, guestElf, runChecks, runGuest } from '../helpers/guests.js';
import type { PageFaultEvent } from '../../src/trace/events.js';

const PAGE = 4096;
const faults = (events: readonly unknown[]) => (events as PageFaultEvent[]).filter((e) => e.type === 'page-fault');

describe('page-file-backed sections', () => {
  it('views share pages, FILE_MAP_COPY keeps its writes, names open the same section, misuse fails as on Windows', async () => {
    const run = await runChecks('test/guests/sections.c', ['pagefile'], {}, 44);
    const how = faults(run.events).map((e) => e.resolution);
    expect(how).toContain('section-zero');
    expect(how).toContain('section-shared');
    expect(how).toContain('copy-on-write');
    const shared = faults(run.events).find((e) => e.resolution === 'section-shared')!;
    expect(shared.section).toMatchObject({ controlArea: expect.any(Number), prototypePte: expect.any(Number) });
    expect(shared.section!.prototypePte >>> 0).toBeGreaterThanOrEqual(0xe1000000);
  });
});

describe('file-backed sections', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mmscope-root-'));
    const bytes = Buffer.alloc(3 * PAGE);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 1) & 0xff;
    writeFileSync(join(root, 'data.bin'), bytes);
  });

  it('reads the file with one clustered hard fault, writes it back on flush and unmap, refuses what Windows refuses', async () => {
    const run = await runChecks('test/guests/sections.c', ['file'], { fileRoot: root }, 26);
    const hard = faults(run.events).filter((e) => e.resolution === 'section-file' && e.section!.file === 'C:\\data.bin');
    // Counted too: every section-file fault (the image's own pages included) is a hard fault.
    expect(run.machine.faultCounts()['section-file']).toBe(faults(run.events).filter((e) => e.resolution === 'section-file').length);
    // One hard fault reads the whole 3-page file (a read cluster: MmReadClusterSize is 7); the other pages come back from standby.
    expect(hard.map((e) => [e.section!.file, e.section!.fileOffset, e.section!.clusterPages, e.fileBytes])).toEqual([['C:\\data.bin', 0, 3, 3 * PAGE]]);
    const file0 = hard[0]!.section!.controlArea;
    const soft = faults(run.events).filter((e) => e.resolution === 'transition' && e.section?.controlArea === file0);
    expect(soft.map((e) => e.section!.prototypePte - hard[0]!.section!.prototypePte)).toEqual([4, 8, 4]); // pages 1, 2, then 1 again
    const file = readFileSync(join(root, 'data.bin'));
    expect(file.length).toBe(5 * PAGE);
    expect(file[PAGE + 5]).toBe(0xab);
    expect(file[2 * PAGE]).toBe(0xcd);
    expect(file[10]).toBe((10 * 7 + 1) & 0xff);
  });
});

describe('dirty pages of a mapped file at process exit', () => {
  // The guest writes 0xa5 at offset 5 and 0x5a at the last byte of page 2 through a
  // view and never flushes or unmaps it; the lazy writer's promise is that however
  // the process ends, the file gets those bytes and only those.
  it.each([
    ['return', { reason: 'exited', exitStatus: 7 }],
    ['terminate', { reason: 'exited', exitStatus: 8 }],
    ['crash', { reason: 'exception', exitStatus: 0xc0000005 }],
    // Stopped from outside: the run ends here, so the file must still get the bytes.
    ['spin', { reason: 'instruction-limit' }],
    ['wait', { reason: 'waits-forever' }],
  ])('ending by %s writes them to the file', async (how, outcome) => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-exit-'));
    writeFileSync(join(root, 'exit.bin'), Buffer.alloc(3 * PAGE, 0x11));
    const run = await runGuest(guestElf('test/guests/file-exit.c'), { args: [how], machine: { fileRoot: root }, run: { maxInstructions: 2_000_000 } });
    expect(run.stdout).toBe(`wrote, ending by ${how}\n`);
    expect(run.outcome).toMatchObject(outcome);
    const expected = Buffer.alloc(3 * PAGE, 0x11);
    expected[5] = 0xa5;
    expected[3 * PAGE - 1] = 0x5a;
    expect(readFileSync(join(root, 'exit.bin')).equals(expected), 'the file does not hold exactly the two bytes written through the view').toBe(true);
  });
});

describe('the sandbox', () => {
  it('refuses .., other drives, UNC and device paths, device names and links out of the root, and touches nothing outside', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mmscope-outside-'));
    const root = mkdtempSync(join(tmpdir(), 'mmscope-root-'));
    mkdirSync(join(root, 'sub'));
    symlinkSync(outside, join(root, 'link-out'));
    symlinkSync(join(outside, 'made-by-link.txt'), join(root, 'dangling'));
    symlinkSync(join(root, 'sub'), join(root, 'link-in'));
    writeFileSync(join(root, 'sub', 'target.txt'), 'old');
    symlinkSync(join(root, 'sub', 'target.txt'), join(root, 'link-file'));
    const paths = [
      'C:\\sub\\inside.txt', 'link-in\\through-link.txt', 'link-file', '..\\escape.txt', 'sub\\..\\..\\escape.txt',
      'D:\\x.txt', '\\\\server\\share\\x.txt', '\\\\.\\PhysicalDrive0', 'CON', 'nul.txt', 'link-out\\x.txt', 'dangling',
      `${outside}/absolute.txt`, 'bad|name.txt', '\\??\\C:\\sub\\nt-prefix.txt', '\\??\\D:\\x.txt',
    ];
    const run = await runGuest(guestElf('test/guests/file-open.c'), { args: ['create', ...paths], machine: { fileRoot: root } });
    expect(run.stdout.trim().split('\n')).toEqual([
      'C:\\sub\\inside.txt: ok',
      'link-in\\through-link.txt: ok',
      'link-file: ok',                      // a link to a file inside the root opens its target
      '..\\escape.txt: error 123',          // ERROR_INVALID_NAME (STATUS_OBJECT_NAME_INVALID)
      'sub\\..\\..\\escape.txt: error 123',
      'D:\\x.txt: error 3',                 // ERROR_PATH_NOT_FOUND
      '\\\\server\\share\\x.txt: error 3',
      '\\\\.\\PhysicalDrive0: error 123',
      'CON: error 123',
      'nul.txt: error 123',
      'link-out\\x.txt: error 5',           // ERROR_ACCESS_DENIED
      'dangling: error 5',
      `${outside}/absolute.txt: error 3`,   // a host path is only a path under C:\\, whose folders do not exist
      'bad|name.txt: error 123',
      '\\??\\C:\\sub\\nt-prefix.txt: ok',   // the NT namespace prefix names the same C:\
      '\\??\\D:\\x.txt: error 3',
    ]);
    expect(readFileSync(join(root, 'sub', 'nt-prefix.txt'), 'utf8')).toBe('written');
    expect(readFileSync(join(root, 'sub', 'inside.txt'), 'utf8')).toBe('written');
    expect(readFileSync(join(root, 'sub', 'through-link.txt'), 'utf8')).toBe('written');
    expect(readFileSync(join(root, 'sub', 'target.txt'), 'utf8')).toBe('written');
    expect(existsSync(join(outside, 'x.txt')) || existsSync(join(outside, 'made-by-link.txt')) || existsSync(join(outside, 'absolute.txt'))).toBe(false);
  });

  it('without a root the guest has no files', async () => {
    const run = await runGuest(guestElf('test/guests/file-open.c'), { args: ['C:\\x.txt'] });
    expect(run.stdout).toBe('C:\\x.txt: error 3\n');
  });
});

describe('files', () => {
  it('CreateFileA, ReadFile, WriteFile, SetFilePointer, GetFileSize, SetEndOfFile and their errors', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-files-'));
    mkdirSync(join(root, 'sub'));
    await runChecks('test/guests/files.c', [], { fileRoot: root }, 29);
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(root, 'fresh.txt')).length).toBe(0);
  });
});

describe('share modes', () => {
  it('a second open that asks for what the first does not share, or shares less than the first uses, is ERROR_SHARING_VIOLATION; closing lifts it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-share-'));
    await runChecks('test/guests/share-modes.c', [], { fileRoot: root }, 14);
    expect(readFileSync(join(root, 'shared.txt'), 'utf8')).toBe('twelve bytes');
  });
});

describe('random system calls', () => {
  it.each([1, 2, 3])('seed %i: every call is answered with a status and the kernel stays consistent', async (seed) => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-fuzz-'));
    const run = await runGuest(guestElf('test/guests/syscall-fuzz.c'), {
      args: [String(seed), '1500'], machine: { fileRoot: root, checkInvariantsAfterServices: true }, run: { maxInstructions: 200_000_000 },
    });
    expectExited(run, 0);
    expect(run.stdout.endsWith('\n1500 calls made\n')).toBe(true); // after the dumps MmsDumpVad and MmsDumpPte print
    // The kernel's own count, not the guest's: 1,500 answered calls plus the five every
    // run makes (the runtime's MmsRegisterExceptionDispatcher, the heap's reserve and
    // first commit, printf's NtWriteFile, NtTerminateProcess), each with a status.
    const calls = run.events.filter((e) => e.type === 'syscall');
    expect(calls).toHaveLength(1500 + 5);
    expect(calls.every((e) => e.type === 'syscall' && Number.isInteger(e.result))).toBe(true);
  });
});
