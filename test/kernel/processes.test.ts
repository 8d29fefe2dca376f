// Several processes: a child created suspended from a program in the --root
// sandbox, its memory reached through handles with the access they were
// opened with, a named section in both, and its end.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestElf, runChecks, runCli } from '../helpers/guests.js';
import { expectSchema } from '../helpers/schemas.js';

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

describe('the dumps at exit cover every process', () => {
  it('--vad and --modules print each process after its PROCESS line; --pid picks one; --json has them all', () => {
    copyFileSync(guestElf('test/guests/process-vm.c'), join(root, 'child.elf'));
    const program = join(root, 'child.elf');
    const text = runCli(['run', '--root', root, '--vad', '--modules', '--pte', '400000', program, 'parent', 'child.elf']);
    expect(text.status).toBe(0);
    const headers = text.stdout.split('\n').filter((line) => line.startsWith('PROCESS '));
    expect(headers).toHaveLength(2);
    expect(headers[0]).toMatch(/^PROCESS Cid: 0004  Peb: 7ffdf000  ParentCid: 0000  DirBase: [0-9a-f]{8}  Image: .*child\.elf  exited 0x00000000$/);
    expect(headers[1]).toBe('PROCESS Cid: 000c  Peb: 7ffdf000  ParentCid: 0004  DirBase: --------  Image: child.elf  exited 0x0000002a');
    // The child ended: its page tables are gone, its VAD tree is shown as it was at its end.
    expect(text.stdout).toContain('VA 0x00400000: process 12 has ended, its page tables are gone');

    const one = runCli(['run', '--root', root, '--vad', '--pid', '12', program, 'parent', 'child.elf']);
    expect(one.stdout.split('\n').filter((line) => line.startsWith('PROCESS '))).toEqual([headers[1]]);

    const json = runCli(['run', '--json', '--root', root, '--vad', '--pte', '400000', program, 'parent', 'child.elf']);
    const document = JSON.parse(json.stdout) as { processes: { pid: number; parentPid: number; exitStatus: number; commitPages: number; vads: unknown[]; ptes?: unknown[] }[] };
    expectSchema('run-summary.schema.json', document);
    expect(document.processes.map((p) => [p.pid, p.parentPid, p.exitStatus, p.commitPages])).toEqual([[4, 0, 0, expect.any(Number)], [12, 4, 42, 0]]);
    expect(document.processes[1]!.vads.length).toBeGreaterThan(3);
    expect(document.processes[1]!.ptes).toBeUndefined();
    expect(document.processes[0]!.ptes).toHaveLength(1);
  });
});
