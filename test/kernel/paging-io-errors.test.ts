// The page file on a host that fails it. A write the host refuses (ENOSPC on
// /dev/full) ends the run with one line and status 125 (a host I/O error);
// a read the host refuses is the guest's in-page error, as Windows raises
// it for a user page: STATUS_IN_PAGE_ERROR (0xC0000006) with
// ExceptionInformation [read/write, address, the I/O's NTSTATUS], the PTE
// still naming the page file.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/kernel/machine.js';
import { isPageFilePte } from '../../src/mm/pte.js';
import type { PageFaultEvent, TraceEvent } from '../../src/trace/events.js';
import { guestElf, runCli } from '../helpers/guests.js';

const MIB = 1 << 20;
const STATUS_IN_PAGE_ERROR = 0xc0000006;
/** What a read on a descriptor opened write-only (EBADF) becomes: not a disk-full, not a device data error. */
const STATUS_UNEXPECTED_IO_ERROR = 0xc00000e9;

describe('a page-file write the host refuses', () => {
  it('is one line and status 125, never a stack trace (--pagefile-path /dev/full: every write is ENOSPC)', () => {
    const elf = guestElf('test/guests/paging-random.c');
    const result = runCli(['run', '--ram', '16M', '--pagefile', '64M', '--pagefile-path', '/dev/full', elf, '8000']);
    expect(result.status).toBe(125);
    expect(result.stderr).toBe('mmscope: writing the page file /dev/full failed: no space left on device (ENOSPC)\n');
  });

  it('--json says io-error with the same line', () => {
    const elf = guestElf('test/guests/paging-random.c');
    const result = runCli(['run', '--json', '--ram', '16M', '--pagefile', '64M', '--pagefile-path', '/dev/full', elf, '8000']);
    expect(result.status).toBe(125);
    expect(JSON.parse(result.stdout)).toMatchObject({ reason: 'io-error', status: 125, error: 'writing the page file /dev/full failed: no space left on device (ENOSPC)' });
  });
});

describe('a page file that cannot be made', () => {
  it('run and debug: one line and status 125 (the debugger printed an internal error with a stack); --pagefile-path or a page file below a page without one', () => {
    const elf = guestElf('guest/examples/hello.c');
    const missing = join(mkdtempSync(join(tmpdir(), 'mmscope-nopf-')), 'no-such-directory', 'pagefile.sys');
    for (const command of [['run'], ['debug', '-c', 'q']]) {
      const result = runCli([...command, '--pagefile', '1M', '--pagefile-path', missing, elf]);
      expect(result.status).toBe(125);
      expect(result.stderr).toBe(`mmscope: cannot create the page file ${missing}: no such file or directory\n`);
    }
    const directory = runCli(['run', '--pagefile', '1M', '--pagefile-path', tmpdir(), elf]);
    expect(directory.stderr).toBe(`mmscope: cannot create the page file ${tmpdir()}: it is a directory\n`);
    const alone = runCli(['run', '--pagefile-path', join(tmpdir(), 'never-made.sys'), elf]);
    expect(alone.status).toBe(125);
    expect(alone.stderr).toMatch(/^mmscope: --pagefile-path: there is no page file to keep without --pagefile SIZE/);
    const tiny = runCli(['run', '--pagefile', '1K', elf]);
    expect(tiny.status).toBe(125);
    expect(tiny.stderr).toMatch(/^mmscope: --pagefile: 1024 bytes is less than a page \(4 KiB\)/);
  });
});

describe('a page-file read the host refuses', () => {
  it('raises STATUS_IN_PAGE_ERROR in the guest at the faulting page, whose PTE still names the page file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mmscope-inpage-')), 'pagefile.sys');
    const machine = await Machine.create({ ramBytes: 16 * MIB, pagefileBytes: 128 * MIB, pagefilePath: path });
    try {
      const events: TraceEvent[] = [];
      machine.trace.subscribe((event) => events.push(event));
      const elf = guestElf('test/guests/paging-random.c');
      machine.load({ name: elf, bytes: readFileSync(elf) }, []);
      // Stop after the first hard fault: the pages written out are readable until then.
      machine.stopOnEvents((event) => (event.type === 'page-fault' && event.resolution === 'pagefile-read' ? 'pf' : undefined));
      const first = machine.resume({ timeoutMs: 200_000 });
      expect(first.kind, JSON.stringify(machine.outcome())).toBe('event');
      machine.stopOnEvents(undefined);
      // From now on the page file's descriptor is write-only: writes still land in the file, reads fail (EBADF).
      substituteDescriptor(path, openSync(path, constants.O_WRONLY));
      expect(machine.resume({ timeoutMs: 200_000 }).kind).toBe('ended');

      const outcome = machine.outcome()!;
      expect(outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_IN_PAGE_ERROR });
      const failed = events.find((e): e is PageFaultEvent => e.type === 'page-fault' && e.resolution === 'in-page-error')!;
      expect(failed.ioStatus).toBe(STATUS_UNEXPECTED_IO_ERROR);
      expect(isPageFilePte(failed.pteBefore)).toBe(true);
      expect(failed.pteAfter).toBeUndefined();
      if (outcome.reason !== 'exception') throw new Error('unreachable');
      // The guest's own dispatcher got it first (and met more pages it could not read in: the process ends with one).
      const raised = events.find((e) => e.type === 'exception')!;
      expect(raised).toMatchObject({ code: STATUS_IN_PAGE_ERROR, address: failed.address, write: false, firstChance: true });
      expect(outcome.exception).toMatchObject({ code: STATUS_IN_PAGE_ERROR, ioStatus: STATUS_UNEXPECTED_IO_ERROR });
      // Nothing was mapped: the page is still in the page file, and the frames taken for the read went back.
      expect(machine.pte(failed.address).pte).toBe(failed.pteBefore);
      machine.checkInvariants();
    } finally {
      machine.dispose();
    }
  }, 300_000);
});

/** Points the process's descriptor for `path` at `replacement` (dup2), as a failing disk would leave it. */
function substituteDescriptor(path: string, replacement: number): void {
  const fd = readdirSync('/proc/self/fd').map(Number).find((n) => n !== replacement && safeReadlink(`/proc/self/fd/${n}`) === path);
  if (fd === undefined) throw new Error(`no descriptor open on ${path}`);
  const dup2 = koffi.load('libc.so.6').func('int dup2(int oldfd, int newfd)') as (oldfd: number, newfd: number) => number;
  expect(dup2(replacement, fd)).toBe(fd);
  closeSync(replacement);
}

function safeReadlink(link: string): string | undefined {
  try { return readlinkSync(link); } catch { return undefined; }
}
