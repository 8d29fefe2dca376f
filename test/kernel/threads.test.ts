// Threads on real guests: CreateThread and the scheduler, stacks of their
// own released at exit, exit codes, TLS, suspension; the interleaving is
// the same on every run. Expected values come from the guests' own
// arithmetic (4 threads x N increments) and Windows' documented results.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestElf, runChecks, runCli, runGuest } from '../helpers/guests.js';
import { expectSchema } from '../helpers/schemas.js';
import type { TraceEvent } from '../../src/trace/events.js';

const SOURCE = 'test/guests/threads.c';

describe('threads', () => {
  it('four threads increment one counter with InterlockedIncrement; the main thread waits for all: the count is exact', async () => {
    const run = await runChecks(SOURCE, ['counter', '20000'], { quantum: 1000 }, 46);
    expect(run.stdout).toMatch(/^counter 80000$/m);
    // A quantum of 1,000 instructions against 80,000 per thread: they really interleave.
    expect(run.machine.contextSwitches).toBeGreaterThan(4 * 80);
    const created = run.events.filter((e) => e.type === 'thread-create');
    expect(created.map((e) => e.newTid)).toEqual([12, 16, 20, 24]);
    const exits = run.events.filter((e) => e.type === 'thread-exit');
    expect(exits.map((e) => [e.exitTid, e.status])).toEqual(expect.arrayContaining([[12, 100], [16, 101], [20, 102], [24, 103]]));
  });

  it('each thread has its own stack reservation and TEB, released when it ends', async () => {
    await runGuest(guestElf(SOURCE), { args: ['counter', '100'], machine: { checkInvariantsAfterServices: true } }, ({ machine, events }) => {
      const threads = machine.threads();
      expect(threads.map((t) => t.tid)).toEqual([8, 12, 16, 20, 24]);
      // TEBs top-down below the PEB, as Windows XP places them.
      expect(threads.map((t) => t.teb)).toEqual([0x7ffde000, 0x7ffdd000, 0x7ffdc000, 0x7ffdb000, 0x7ffda000]);
      const created = events.filter((e) => e.type === 'thread-create');
      for (const event of created) {
        // The image's default reservation: 1 MiB.
        expect(event.stack.end - event.stack.start + 1).toBe(0x100000);
        expect(machine.vads().some((vad) => vad.start === event.stack.start >>> 12)).toBe(false);
        expect(machine.vads().some((vad) => vad.start === event.teb >>> 12)).toBe(false);
      }
      expect(threads.slice(1).every((t) => t.state === 'terminated')).toBe(true);
    });
  });

  it('TLS slots are per thread', async () => {
    await runChecks(SOURCE, ['tls'], {}, 14);
  });

  it('a thread created suspended runs only once resumed; SuspendThread/ResumeThread return the previous count', async () => {
    await runChecks(SOURCE, ['suspend'], {}, 9);
  });

  it('ExitThread and TerminateThread set the exit code; the main thread\'s exit ends the others', async () => {
    const run = await runChecks(SOURCE, ['exit'], {}, 5);
    expect(run.machine.threads().at(-1)!.state).toBe('terminated');
  });

  it('the heap is serialised: four threads preempted inside malloc and free leave it whole', async () => {
    const run = await runGuest(guestElf(SOURCE), { args: ['heap', '2000'], machine: { quantum: 300 } });
    expect(run.stdout).toMatch(/^2 checks, 0 failed$/m);
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    // Preempted while holding the heap's lock, threads waited for it.
    expect(run.events.some((e) => e.type === 'context-switch' && e.reason === 'wait')).toBe(true);
  });

  it('a run is deterministic: two runs give the same trace (times aside)', async () => {
    const strip = (events: TraceEvent[]) => events.map(({ timeUs: _t, ...rest }) => ('durationUs' in rest ? { ...rest, durationUs: 0 } : rest));
    const once = async (seed?: number) => strip((await runGuest(guestElf(SOURCE), { args: ['counter', '3000'], machine: { quantum: 700, ...(seed ? { seed } : {}) } })).events);
    const [a, b] = [await once(), await once()];
    expect(a.filter((e) => e.type === 'context-switch').length).toBeGreaterThan(10);
    expect(b).toEqual(a);
    const [c, d] = [await once(7), await once(7)];
    expect(d).toEqual(c);
    expect(c).not.toEqual(a);
  });
});

describe('--json lists each process\'s threads', () => {
  it('tid, start address, stack reservation, TEB, exit status and context switches of every thread of the run', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mmscope-thread-json-'));
    try {
      const traceFile = join(directory, 'trace.jsonl');
      const program = guestElf(SOURCE);
      const result = runCli(['run', '--json', '--quantum', '1000', '--trace-file', traceFile, program, 'counter', '2000']);
      expect(result.status).toBe(0);
      const document = JSON.parse(result.stdout) as { processes: { pid: number; threads: { tid: number; state: string; startAddress: number; teb: number; stack: { start: number; end: number; reserveBytes: number }; exitStatus: number | null; contextSwitches: number }[] }[] };
      expectSchema('run-summary.schema.json', document);
      const [process] = document.processes;
      const threads = process!.threads;
      expect(threads.map((t) => t.tid)).toEqual([8, 12, 16, 20, 24]);
      // TEBs top-down below the PEB (0x7FFDF000), one page each, as Windows XP places them.
      expect(threads.map((t) => t.teb)).toEqual([0x7ffde000, 0x7ffdd000, 0x7ffdc000, 0x7ffdb000, 0x7ffda000]);
      // The workers return 100 + their index (threads.c); main returns 0 after it waited for them.
      expect(threads.map((t) => [t.state, t.exitStatus])).toEqual([['terminated', 0], ['terminated', 100], ['terminated', 101], ['terminated', 102], ['terminated', 103]]);
      // Each worker has its own 1 MiB reservation (the image's default), none overlapping another.
      for (const thread of threads.slice(1)) expect(thread.stack.reserveBytes).toBe(0x100000);
      for (const thread of threads) expect(thread.stack.end - thread.stack.start + 1).toBe(thread.stack.reserveBytes);
      const byStart = [...threads].sort((a, b) => a.stack.start - b.stack.start);
      for (let i = 1; i < byStart.length; i++) expect(byStart[i]!.stack.start).toBeGreaterThan(byStart[i - 1]!.stack.end);
      // The workers all start at one routine; the initial thread at the image's entry point (e_entry, bytes 24-27 of the ELF header).
      expect(new Set(threads.slice(1).map((t) => t.startAddress)).size).toBe(1);
      expect(threads[0]!.startAddress).toBe(readFileSync(program).readUInt32LE(24));
      // Every switch the trace recorded is counted on the thread switched to.
      const events = readFileSync(traceFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; toTid?: number });
      const switches = events.filter((e) => e.type === 'context-switch');
      expect(switches.length).toBeGreaterThan(8);
      for (const thread of threads) expect(thread.contextSwitches, `thread ${thread.tid}`).toBe(switches.filter((e) => e.toTid === thread.tid).length);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
