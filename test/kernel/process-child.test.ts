// Child processes that run (issue 15): a created process's initial thread is
// a scheduler thread of its own process (suspended by CREATE_SUSPENDED until
// ResumeThread), the scheduler switches address spaces between processes, a
// process ends when its last thread ends (with that thread's code) and is
// torn down while the objects others hold live on; process and thread handles
// are waitable. Expected values: the literals the child returns and Windows'
// documented wait results (in the guest), the page the section shares
// (one frame) and first-principles counts here.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestElf, runChecks, runGuest } from '../helpers/guests.js';

const SOURCE = 'test/guests/process-child.c';
const root = mkdtempSync(join(tmpdir(), 'mmscope-process-child-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('child processes run', () => {
  it('a suspended child runs once resumed, writes through a named section the parent reads; waits on process handles; exit codes', async () => {
    copyFileSync(guestElf(SOURCE), join(root, 'child.elf'));
    const run = await runChecks(SOURCE, ['parent', 'child.elf'], { fileRoot: root }, 27);
    const processes = run.machine.processes();
    expect(processes.map((p) => [p.id, p.parentId, p.exitStatus])).toEqual([[4, 0, 0], [12, 4, 7], [20, 4, 9], [28, 4, 3]]);
    // Every child was torn down at its end: no address space, no handles.
    for (const child of processes.slice(1)) {
      expect(child.addressSpaceDeleted).toBe(true);
      expect(child.handles.list()).toEqual([]);
    }
    expect(run.events.filter((e) => e.type === 'process-exit').map((e) => [e.pid, e.status])).toEqual(expect.arrayContaining([[12, 7], [20, 9], [28, 3], [4, 0]]));
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
    const suspended = run.machine.processById(20)!;
    expect(suspended.terminated).toBe(false);
    expect(run.machine.threads().filter((t) => t.state !== 'terminated').map((t) => [t.tid, t.suspendCount])).toEqual([[24, 1]]);
  });
});
