// CreateRemoteThread (issue 15): a thread of another process, created
// through a handle granted PROCESS_CREATE_THREAD, with its TEB and stack in
// that process's address space. The guest (test/guests/remote-thread.c)
// writes a routine into a suspended child with WriteProcessMemory, runs it
// there and checks its effect in the child's memory; here the kernel's side:
// whose thread it is, where its TEB and stack were, which process took its
// faults. Expected values: the TEB placement Windows XP uses (the second
// TEB of a process at 0x7FFDD000), the image's 1 MiB stack reservation, the
// routine's arithmetic (0x1234 + 0x11110000), the literals the guest passes.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestElf, runChecks } from '../helpers/guests.js';
import { formatTraceEvent } from '../../src/trace/text-format.js';

const SOURCE = 'test/guests/remote-thread.c';
const root = mkdtempSync(join(tmpdir(), 'mmscope-remote-threads-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('CreateRemoteThread', () => {
  it('runs code written into a suspended child there: TEB and stack in the child, exit code, rights, the child\'s own main sees the effect', async () => {
    copyFileSync(guestElf(SOURCE), join(root, 'remote-thread.elf'));
    const run = await runChecks(SOURCE, ['parent', 'remote-thread.elf'], { fileRoot: root }, 44);
    // The child's main returned what two remote threads added to its global (30 + 12).
    expect(run.machine.processes().map((p) => [p.id, p.parentId, p.exitStatus])).toEqual([[4, 0, 0], [12, 4, 42]]);

    const events = run.events.filter((e) => e.type === 'thread-create');
    // The parent (pid 4) made the child's initial thread (16) with the child (12), then five remote threads, each the child's.
    expect(events.map((e) => [e.pid, e.newTid, e.ownerPid])).toEqual([[4, 16, 12], [4, 20, 12], [4, 24, 12], [4, 28, 12], [4, 32, 12], [4, 36, 12]]);
    const created = events.slice(1);
    for (const event of created) {
      // The child's second TEB (its first is at 0x7FFDE000), reused once the previous remote thread ended.
      expect(event.teb).toBe(0x7ffdd000);
      expect(event.stack.end - event.stack.start + 1).toBe(0x100000);
    }
    // The text trace names the creator (pid=4) and the owner (in pid=12).
    expect(formatTraceEvent(created[0]!)).toMatch(/ pid=4 tid=8 thread-create tid=20 start=0x[0-9a-f]{8} teb=0x7ffdd000 stack 0x[0-9a-f]{8}-0x[0-9a-f]{8} in pid=12$/);
    const threads = new Map(run.machine.threads().map((t) => [t.tid, t]));
    expect(threads.get(20)).toMatchObject({ pid: 12, state: 'terminated', exitStatus: 0x11111234 });
    expect(threads.get(24)).toMatchObject({ state: 'terminated', exitStatus: 0x11110042 });
    expect(threads.get(28)).toMatchObject({ state: 'terminated', exitStatus: 5, instructions: 0 });
    expect([32, 36].map((tid) => threads.get(tid)!.exitStatus)).toEqual([30, 42]);

    // The remote thread's first touch of its stack was a fault in the child's address space.
    const stack = created[0]!.stack;
    const faults = run.events.filter((e) => e.type === 'page-fault' && e.tid === 20);
    expect(faults.length).toBeGreaterThan(0);
    expect(faults.every((e) => e.pid === 12)).toBe(true);
    expect(faults.some((e) => e.address >= stack.start && e.address <= stack.end)).toBe(true);
    // Its exit was traced in the child.
    expect(run.events.find((e) => e.type === 'thread-exit' && e.exitTid === 20)).toMatchObject({ pid: 12, status: 0x11111234 });
  });
});
