// Child processes that run (issue 15): a created process's initial thread is
// a scheduler thread of its own process (suspended by CREATE_SUSPENDED until
// ResumeThread), the scheduler switches address spaces between processes, a
// process ends when its last thread ends (with that thread's code) and is
// torn down while the objects others hold live on; process and thread handles
// are waitable. Expected values: the literals the child returns and Windows'
// documented wait results (in the guest), the page the section shares
// (one frame) and first-principles counts here.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestElf, runChecks, runCli, runGuest } from '../helpers/guests.js';
import { expectSchema } from '../helpers/schemas.js';
import { Machine } from '../../src/kernel/machine.js';
import type { TraceEvent } from '../../src/trace/events.js';

const SOURCE = 'test/guests/process-child.c';
const root = mkdtempSync(join(tmpdir(), 'mmscope-process-child-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('child processes run', () => {
  it('a suspended child runs once resumed, writes through a named section the parent reads; waits on process handles; exit codes', async () => {
    copyFileSync(guestElf(SOURCE), join(root, 'child.elf'));
    // 35 checks, then 3 on a crashing child's thread and 6 on a child ending in ExitProcess.
    const run = await runChecks(SOURCE, ['parent', 'child.elf'], { fileRoot: root }, 35 + 3 + 6);
    const processes = run.machine.processes();
    // Ids from one table in creation order: "last" (20, thread 24) and "exit 3" (28, 32) start, then last's
    // CreateThread takes 36, so the crashing child is 40 (thread 44), the blocked one 48 (52), the second
    // crashing one 56 (60) and the one ending in ExitProcess(6) 64.
    expect(processes.map((p) => [p.id, p.parentId, p.exitStatus]))
      .toEqual([[4, 0, 0], [12, 4, 7], [20, 4, 9], [28, 4, 3], [40, 4, 0xc0000005], [48, 4, 0x55], [56, 4, 0xc0000005], [64, 4, 6]]);
    // Every child was torn down at its end: no address space, no handles.
    for (const child of processes.slice(1)) {
      expect(child.addressSpaceDeleted).toBe(true);
      expect(child.handles.list()).toEqual([]);
    }
    expect(run.events.filter((e) => e.type === 'process-exit').map((e) => [e.pid, e.status]))
      .toEqual(expect.arrayContaining([[12, 7], [20, 9], [28, 3], [40, 0xc0000005], [48, 0x55], [4, 0]]));
    // The crash was the child's: its exception event carries its pid, and the parent ran on.
    expect(run.events.find((e) => e.type === 'exception' && !e.firstChance)).toMatchObject({ pid: 40, code: 0xc0000005 });
  });
});

describe('one section shared between processes', () => {
  it('the child writes through a named section, the parent reads it: one frame, the same PFN in both processes\' PTEs, share count 2', async () => {
    const elf = guestElf(SOURCE);
    copyFileSync(elf, join(root, 'child.elf'));
    const machine = await Machine.create({ fileRoot: root, checkInvariantsAfterServices: true });
    try {
      const events: TraceEvent[] = [];
      machine.trace.subscribe((event) => events.push(event));
      machine.load({ name: elf, bytes: readFileSync(elf) }, ['parent', 'child.elf']);
      // The parent's first SetEvent ("done") comes after it read what the child wrote; the child still waits for it.
      machine.stopOnEvents((event) => (event.type === 'syscall' && event.name === 'NtSetEvent' && event.pid === 4 ? 'done' : undefined));
      const stop = machine.resume({ timeoutMs: 300_000 });
      expect(stop.kind).toBe('event');
      const pagefileViews = (pid?: number) => machine.vads(pid).filter((vad) => vad.fileName === 'Pagefile-backed section');
      const [parentView] = pagefileViews();
      const [childView] = pagefileViews(12);
      // Each process's !vad shows its own view of the one control area.
      expect(parentView!.controlArea!.id).toBe(childView!.controlArea!.id);
      expect(parentView!.controlArea!.mappedViews).toBe(2);
      const parentPte = machine.pte(parentView!.startingVpn * 4096);
      const childPte = machine.pte(childView!.startingVpn * 4096, 12);
      expect(parentPte.state).toBe('valid');
      expect(childPte.state).toBe('valid');
      expect(childPte.pfn).toBe(parentPte.pfn);
      // Share count = valid PTEs over all processes: one in each.
      expect(machine.frame(parentPte.pfn!).shareCount).toBe(2);
      machine.checkInvariants();
      // Both run one program: one image section, mapped once in each (its code pages are the same frames).
      const imageOf = (pid?: number) => machine.vads(pid).find((vad) => vad.vadType === 'VadImageMap')!.controlArea!;
      expect(imageOf(12).id).toBe(imageOf().id);
      expect(imageOf().mappedViews).toBe(2);
      const codePage = 0x401000;
      expect([machine.pte(codePage).state, machine.pte(codePage, 12).state]).toEqual(['valid', 'valid']);
      expect(machine.pte(codePage, 12).pfn).toBe(machine.pte(codePage).pfn);
      // The trace: both processes' faults on the page resolve to that frame.
      const faultsOnView = events.filter((e) => e.type === 'page-fault' && e.resolution !== 'access-violation'
        && e.address >>> 12 === (e.pid === 12 ? childView! : parentView!).startingVpn && (e.pid === 4 || e.pid === 12));
      expect(new Set(faultsOnView.map((e) => e.pid))).toEqual(new Set([4, 12]));
      expect(faultsOnView.every((e) => e.type === 'page-fault' && e.pfn === parentPte.pfn)).toBe(true);
      machine.stopOnEvents(undefined);
      expect(machine.resume({ timeoutMs: 300_000 }).kind).toBe('ended');
      expect(machine.outcome()).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(machine.output.stdout).toMatch(/^44 checks, 0 failed$/m); // 35 + 3 + 6, as in the test above
      machine.checkInvariants();
    } finally {
      machine.dispose();
    }
  });
});

describe('the run ends when no process can run any more', () => {
  it('a child still running when the first process exits runs to its end; a suspended one stays; the exit status is the first process\'s', async () => {
    copyFileSync(guestElf(SOURCE), join(root, 'child.elf'));
    const run = await runGuest(guestElf(SOURCE), { args: ['orphans', 'child.elf'], machine: { fileRoot: root, checkInvariantsAfterServices: true } });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    expect(run.stdout).toBe('parent ends\nchild ran after its parent\n');
    const exits = run.events.filter((e) => e.type === 'process-exit').map((e) => [e.pid, e.status]);
    // The parent's exit comes first, in the order things happened.
    expect(exits).toEqual([[4, 0], [12, 4]]);
    const json = runCli(['run', '--json', '--root', root, join(root, 'child.elf'), 'orphans', 'child.elf']);
    expect(json.status).toBe(0);
    const document = JSON.parse(json.stdout) as { processes: { pid: number; exitStatus: number | null }[] };
    expectSchema('run-summary.schema.json', document);
    // The suspended child never ran and never ended: its exit status is null.
    expect(document.processes.map((p) => [p.pid, p.exitStatus])).toEqual([[4, 0], [12, 4], [20, null]]);
    const suspended = run.machine.processById(20)!;
    expect(suspended.terminated).toBe(false);
    expect(run.machine.threads().filter((t) => t.state !== 'terminated').map((t) => [t.pid, t.tid, t.suspendCount])).toEqual([[20, 24, 1]]);
  });
});

describe('a wait no process can end', () => {
  it('the first process waits for a child that waits forever: the run ends as waits-forever, both processes still there', async () => {
    copyFileSync(guestElf(SOURCE), join(root, 'child.elf'));
    const run = await runGuest(guestElf(SOURCE), { args: ['deadlock', 'child.elf'], machine: { fileRoot: root, checkInvariantsAfterServices: true } });
    expect(run.outcome).toEqual({ reason: 'waits-forever', exitStatus: undefined });
    expect(run.machine.processes().map((p) => [p.id, p.terminated, p.waitingForever])).toEqual([[4, false, true], [12, false, true]]);
    expect(run.machine.threads().map((t) => [t.pid, t.tid, t.state])).toEqual([[4, 8, 'waiting'], [12, 16, 'waiting']]);
  });
});

describe('several processes interleave deterministically', () => {
  it('two runs with children give the same trace (times aside), switches between processes included', async () => {
    copyFileSync(guestElf(SOURCE), join(root, 'child.elf'));
    const strip = (events: TraceEvent[]) => events.map(({ timeUs: _t, ...rest }) => ('durationUs' in rest ? { ...rest, durationUs: 0 } : rest));
    const once = async () => strip((await runGuest(guestElf(SOURCE), { args: ['parent', 'child.elf'], machine: { fileRoot: root, quantum: 2000 } })).events);
    const [a, b] = [await once(), await once()];
    // Context switches from a thread of one process to a thread of another, each way.
    const pidAfter = (index: number) => a.slice(index + 1).find((e) => e.type !== 'context-switch')?.pid;
    const crossings = a.flatMap((e, i) => (e.type === 'context-switch' && pidAfter(i) !== e.pid ? [[e.pid, pidAfter(i)]] : []));
    expect(crossings).toContainEqual([4, 12]);
    expect(crossings).toContainEqual([12, 4]);
    expect(b).toEqual(a);
  });
});
