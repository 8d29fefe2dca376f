// The SDK's heap (guest/runtime/heap.c): Windows' heap API in user mode, on
// memory it reserves and commits itself, checked from guest programs.
import { describe, expect, it } from 'vitest';
import { STATUS_HEAP_CORRUPTION } from '../../src/nt/status.js';
import { formatExceptionReport } from '../../src/kernel/exception-report.js';
import { expectExited, guestElf, runChecks, runGuest, type GuestRun } from '../helpers/guests.js';
import { heapRandomFigures, heapRandomLine } from '../helpers/heap-random-model.js';
import type { MachineOptions } from '../../src/kernel/machine.js';
import type { SystemCallEvent } from '../../src/trace/events.js';
import type { VadView } from '../../src/mm/vad-view.js';

const PEB_PROCESS_HEAP = 0x7ffdf018;

const servicesNamed = (run: GuestRun, name: string) =>
  run.events.filter((e): e is SystemCallEvent => e.type === 'syscall' && e.name === name);

/** The process heap's VAD at the end of the run, found through PEB.ProcessHeap. */
async function runWithHeapVad(args: string[]): Promise<{ run: GuestRun; heapVad: VadView }> {
  let heapVad: VadView | undefined;
  const run = await runGuest(guestElf('guest/bench/heap-ops.c'), { args }, ({ machine }) => {
    const heap = new DataView(machine.peek(PEB_PROCESS_HEAP, 4)!.buffer).getUint32(0, true);
    heapVad = machine.vads().find((v) => v.startingVpn === heap >>> 12);
  });
  expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
  return { run, heapVad: heapVad! };
}

describe('the heap API', () => {
  it('sizes, zeroing, reallocation, private and fixed heaps, large blocks, misuse: as Windows answers', async () => {
    await runChecks('test/guests/heap-api.c', [], {}, 53);
  });

  // Arithmetic from the heap's layout (README, The heap; guest/runtime/heap.c): a
  // malloc(32) block is 40 bytes with its 8-byte header; the HEAP structure at the
  // segment's base is 7 words + 64 segments of 5 words + 128 list heads of 8 bytes
  // + a 16-byte bitmap + one list head = 2,356 bytes; a new heap commits 2 pages,
  // then the heap grows by 64 KiB (16 pages) at a time.
  it('10,000 mallocs of 32 bytes: exactly the 9 allocations the arithmetic gives, 114 pages committed', async () => {
    const { run, heapVad } = await runWithHeapVad(['fill', '10000']);
    const needed = 10000 * 40 + 2356;                                   // 402,356 bytes
    const growths = Math.ceil((needed - 2 * 4096) / 0x10000);           // 7: 6 leave 401,408 bytes
    expect(growths).toBe(7);
    expect(servicesNamed(run, 'NtAllocateVirtualMemory')).toHaveLength(2 + growths); // reserve, first commit, growths
    expect(servicesNamed(run, 'NtFreeVirtualMemory')).toHaveLength(0);
    // The rest: the runtime's MmsRegisterExceptionDispatcher and NtTerminateProcess.
    expect(run.events.filter((e) => e.type === 'syscall')).toHaveLength(2 + growths + 2);
    expect(heapVad.endingVpn - heapVad.startingVpn + 1).toBe(256);
    expect(heapVad.commitCharge).toBe(2 + growths * 16);
  });

  it('when the 1 MiB segment is full, the next one reserves twice as much (2 MiB)', async () => {
    let privateVads: { pages: number; commit: number }[] = [];
    const run = await runGuest(guestElf('guest/bench/heap-ops.c'), { args: ['fill', '40000'] }, ({ machine }) => {
      privateVads = machine.vads().filter((v) => v.privateMemory).map((v) => ({ pages: v.endingVpn - v.startingVpn + 1, commit: v.commitCharge }));
    });
    expectExited(run, 0);
    // 40,000 blocks of 40 bytes = 1,600,000 bytes: the first segment is committed to
    // its end, and the ~554,000 bytes left need 9 steps of 64 KiB in the second.
    expect(privateVads).toContainEqual({ pages: 256, commit: 256 });
    expect(privateVads).toContainEqual({ pages: 512, commit: 9 * 16 });
    const reserves = servicesNamed(run, 'NtAllocateVirtualMemory').filter((e) => (e.args[4]! & 0x2000) !== 0);
    expect(reserves).toHaveLength(2); // MEM_RESERVE: the first segment and the doubled one
  });

  it('a steady malloc/free load stays inside committed memory; large blocks each cost a reserve and a release', async () => {
    const small = (await runWithHeapVad(['small', '10000'])).run;
    // 1,000 live blocks of 16-256 bytes (about 140 KiB with headers): three steps of 64 KiB
    // after the first two pages; the free tail is decommitted when the blocks go at the end.
    expect(servicesNamed(small, 'NtAllocateVirtualMemory')).toHaveLength(2 + 3);
    expect(servicesNamed(small, 'NtFreeVirtualMemory')).toHaveLength(2);
    const large = (await runWithHeapVad(['large', '50'])).run;
    expect(servicesNamed(large, 'NtAllocateVirtualMemory')).toHaveLength(2 + 50);
    expect(servicesNamed(large, 'NtFreeVirtualMemory')).toHaveLength(50);
  });
});

describe('a randomized malloc/free/realloc workload', () => {
  /** Runs heap-random and expects exactly the calls, bytes and checksum the seed implies (test/helpers/heap-random-model.ts). */
  async function expectHeapRandom(seed: number, operations: number, machine: MachineOptions = {}): Promise<void> {
    const run = await runGuest(guestElf('test/guests/heap-random.c'), { args: [String(seed), String(operations)], machine: { checkInvariantsAfterServices: true, ...machine } });
    expect(run.stdout).toBe(`${heapRandomLine(heapRandomFigures(seed, operations))}\n0 failed\n`);
    expectExited(run, 0);
  }

  it.each([1, 2, 3])('seed %i: contents kept, no overlap, the heap validates', async (seed) => {
    await expectHeapRandom(seed, 1500);
  });

  it('with --heap-check (free blocks filled and checked) too', async () => {
    await expectHeapRandom(9, 1000, { heapCheck: true });
  });
});

describe('GetLastError after the heap functions', () => {
  it('as Windows 10 leaves it (Wine\'s heap.c): untouched for a pointer that is no block, ERROR_NOACCESS for an unreadable one, ERROR_NOT_ENOUGH_MEMORY when an allocation fails', async () => {
    // 35 checks, all in main.
    await runChecks('test/guests/heap-last-error.c', [], {}, 35);
  });
});

describe('heap misuse', () => {
  it.each([
    ['double-free', 'double free: the block is already free'],
    ['foreign', 'not a block of this heap'],
    ['damaged', 'a block header was overwritten'],
    ['validate', 'a damaged block header'],
  ])('%s: the call fails leaving GetLastError as it was (as Windows 10 does); under --heap-check the process stops with a report', async (what, message) => {
    const plain = await runGuest(guestElf('test/guests/heap-misuse.c'), { args: [what] });
    expect(plain.stdout).toBe(`${what}: FALSE, error ${0xdeadbeef}\n`);
    const checked = await runGuest(guestElf('test/guests/heap-misuse.c'), { args: [what], machine: { heapCheck: true } });
    expect(checked.stdout).toBe('');
    expect(checked.stderr).toContain(message);
    expect(checked.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_HEAP_CORRUPTION });
    if (checked.outcome.reason !== 'exception') return;
    expect(formatExceptionReport(checked.outcome.exception)).toMatch(/STATUS_HEAP_CORRUPTION \(0xC0000374\)[^]*raised by the program/);
  });

  it('a write to a freed block is found only with the free checks on', async () => {
    const plain = await runGuest(guestElf('test/guests/heap-misuse.c'), { args: ['use-after-free'] });
    expect(plain.stdout).toBe(`use-after-free: TRUE, error ${0xdeadbeef}\n`);
    const checked = await runGuest(guestElf('test/guests/heap-misuse.c'), { args: ['use-after-free'], machine: { heapCheck: true } });
    expect(checked.stderr).toContain('a free block was written to after it was freed');
    expect(checked.outcome.exitStatus).toBe(STATUS_HEAP_CORRUPTION);
  });
});
