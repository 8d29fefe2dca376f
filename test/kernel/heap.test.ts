// The SDK's heap (guest/runtime/heap.c): Windows' heap API in user mode, on
// memory it reserves and commits itself, checked from guest programs.
import { describe, expect, it } from 'vitest';
import { STATUS_HEAP_CORRUPTION } from '../../src/nt/status.js';
import { formatExceptionReport } from '../../src/kernel/exception-report.js';
import { guestElf, runChecks, runGuest, type GuestRun } from '../helpers/guests.js';
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
    const run = await runChecks('test/guests/heap-api.c');
    expect(run.stdout).toMatch(/^\d{2,} checks, 0 failed$/m);
  });

  it('10,000 small mallocs make only the handful of system calls that grow the heap', async () => {
    const { run, heapVad } = await runWithHeapVad(['fill', '10000']);
    const allocations = servicesNamed(run, 'NtAllocateVirtualMemory');
    // Two create the heap (reserve, first commit); the rest each commit 64 KiB for about 1,600 blocks.
    expect(allocations.length).toBeLessThanOrEqual(10);
    expect(run.events.filter((e) => e.type === 'syscall').length).toBeLessThanOrEqual(14);
    // The reservation stayed 1 MiB; its commit charge grew to hold 10,000 blocks of 40 bytes.
    expect(heapVad.endingVpn - heapVad.startingVpn + 1).toBe(256);
    expect(heapVad.commitCharge).toBeGreaterThanOrEqual(Math.ceil((10000 * 40) / 4096));
    expect(heapVad.commitCharge).toBeLessThan(128);
  });

  it('a steady malloc/free load stays inside committed memory; large blocks each cost a reserve and a release', async () => {
    const small = (await runWithHeapVad(['small', '10000'])).run;
    expect(servicesNamed(small, 'NtAllocateVirtualMemory').length).toBeLessThanOrEqual(8);
    const large = (await runWithHeapVad(['large', '50'])).run;
    expect(servicesNamed(large, 'NtAllocateVirtualMemory').length).toBe(2 + 50);
    expect(servicesNamed(large, 'NtFreeVirtualMemory').length).toBe(50);
  });
});

describe('a randomized malloc/free/realloc workload', () => {
  it.each([1, 2, 3])('seed %i: contents kept, no overlap, the heap validates', async (seed) => {
    const run = await runChecks('test/guests/heap-random.c', [String(seed), '1500']);
    expect(run.stdout).toMatch(/^1500 operations, 0 failed$/m);
  });

  it('with --heap-check (free blocks filled and checked) too', async () => {
    const run = await runChecks('test/guests/heap-random.c', ['9', '1000'], { heapCheck: true });
    expect(run.stdout).toMatch(/^1000 operations, 0 failed$/m);
  });
});

describe('GetLastError after the heap functions', () => {
  it('as Windows 10 leaves it (Wine\'s heap.c): untouched for a pointer that is no block, ERROR_NOACCESS for an unreadable one, ERROR_NOT_ENOUGH_MEMORY when an allocation fails', async () => {
    const run = await runChecks('test/guests/heap-last-error.c');
    expect(run.stdout).toMatch(/^3\d checks, 0 failed$/m);
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
