// Several processes: a child created suspended from a program in the --root
// sandbox, its memory reached through handles with the access they were
// opened with, a named section in both, and its end.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestElf, runChecks } from '../helpers/guests.js';

const root = mkdtempSync(join(tmpdir(), 'mmscope-processes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('processes', () => {
  it('a suspended child: VirtualAllocEx, WriteProcessMemory, ReadProcessMemory, VirtualQueryEx, access checks, TerminateProcess', async () => {
    copyFileSync(guestElf('test/guests/process-vm.c'), join(root, 'child.elf'));
    const run = await runChecks('test/guests/process-vm.c', ['parent', 'child.elf'], { fileRoot: root });
    const processes = run.machine.processes();
    expect(processes.map((p) => [p.id, p.parentId, p.exitStatus])).toEqual([[4, 0, 0], [12, 4, 42]]);
    // The child's argv came from its command line, as CommandLineToArgvW splits it.
    expect(processes[1]!.commandLine).toBe('child.elf idle "two words"');
    const created = run.events.find((e) => e.type === 'process-create');
    expect(created).toMatchObject({ pid: 12, parentPid: 4, image: 'child.elf' });
    // Faults the kernel took in the child while copying carry the child's pid.
    expect(run.events.some((e) => e.type === 'page-fault' && e.pid === 12)).toBe(true);
    expect(run.events.find((e) => e.type === 'process-exit' && e.pid === 12)).toMatchObject({ status: 42 });
  });
});
