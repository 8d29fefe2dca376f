// The debugger's views follow the process of the current thread at a stop
// (WinDbg's implicit process): a stop in a child shows the child's
// registers, memory, VAD tree and PTEs, not the first process's.
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestElf } from '../helpers/guests.js';
import { Machine } from '../../src/kernel/machine.js';
import { DebugSession } from '../../src/debugger/session.js';
import { CommandEngine } from '../../src/debugger/commands.js';

const SOURCE = 'test/guests/debug-child.c';
const root = mkdtempSync(join(tmpdir(), 'mmscope-debug-child-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The guest's printed `NAME PID: ADDRESS TEXT, ADDRESS TEXT` line. */
function printed(stdout: string, name: string): { pid: number; pages: [number, string][] } {
  const match = new RegExp(`^${name} (\\d+): ([0-9a-fx]+) (.+?), ([0-9a-fx]+) (.+)$`, 'm').exec(stdout);
  if (!match) throw new Error(`no ${name} line in ${JSON.stringify(stdout)}`);
  return { pid: Number(match[1]), pages: [[Number.parseInt(match[2]!, 16), match[3]!], [Number.parseInt(match[4]!, 16), match[5]!]] };
}

const hex8 = (value: number): string => value.toString(16).padStart(8, '0');
const ascii = (text: string): string => text.padEnd(16, '.');

describe('a stop in a child process', () => {
  it('r, db, !vad, !pte and u read the child (the current thread\'s process), not the first process', async () => {
    const elf = guestElf(SOURCE);
    copyFileSync(elf, join(root, 'child.elf'));
    const machine = await Machine.create({ fileRoot: root });
    try {
      machine.load({ name: elf, bytes: readFileSync(elf) }, ['parent', 'child.elf']);
      const session = new DebugSession(machine, elf, readFileSync(elf));
      const engine = new CommandEngine(session);
      const run = (line: string): string => engine.execute(line).output;
      engine.describeStop(session.start());
      expect(run('g')).toContain('Break instruction exception - code 80000003 (first chance)');
      const parent = printed(machine.output.stdout, 'parent');
      const child = printed(machine.output.stdout, 'child');
      expect(child.pid).not.toBe(parent.pid);
      expect(session.pid).toBe(child.pid);
      const [[sameAddress, childText], [childOwn]] = child.pages;
      const [[parentSame, parentText], [parentOwn]] = parent.pages;
      expect(sameAddress).toBe(parentSame);

      // The child's ESI points at its own page (the guest loaded it before int3).
      expect(run('r esi')).toBe(`esi=${hex8(childOwn)}`);
      expect(run('u @eip-1 L1')).toMatch(/ cc +int3$/); // EIP is past the int3, as the trap left it
      // The same address holds the child's text in the child, the parent's in the parent.
      expect(run(`db ${hex8(sameAddress)} L10`)).toContain(ascii(childText));
      expect(run('db @esi L10')).toContain(ascii(childText));
      expect(run(`db ${hex8(sameAddress)} L10`)).not.toContain(parentText);
      // The child's VAD tree: its own page, not the parent's.
      const vadOf = (address: number): string => run(`!vad ${hex8(address)}`);
      expect(vadOf(childOwn)).toMatch(new RegExp(`\\s${(childOwn >>> 12).toString(16)}\\s+${(childOwn >>> 12).toString(16)}\\s+1 Private`));
      expect(run('!vad')).not.toMatch(new RegExp(`\\s${(parentOwn >>> 12).toString(16)}\\s+${(parentOwn >>> 12).toString(16)}\\s`));
      expect(run(`!pte ${hex8(childOwn)}`)).toMatch(/pfn [0-9a-f]+ +-+D?A?--UWEV/);
      expect(run(`db ${hex8(parentOwn)} L1`)).toMatch(new RegExp(`^${hex8(parentOwn)}  \\?\\? +\\?$`)); // not in the child
      expect(run(`!address ${hex8(childOwn)}`)).toMatch(/State:\s+00001000\s+MEM_COMMIT/);

      // | lists both processes, the child's current; ~ the child's one thread with its TEB.
      const thread = /^child thread (\d+) teb ([0-9a-f]{8})$/m.exec(machine.output.stdout);
      expect(thread).not.toBeNull();
      const processes = run('|').split('\n');
      expect(processes).toEqual([
        `   0\tid: ${parent.pid.toString(16)}\tcreate\tname: ${processes[0]!.split('name: ')[1]}`,
        `.  1\tid: ${child.pid.toString(16)}\tchild\tname: ${processes[1]!.split('name: ')[1]}`,
      ]);
      expect(run('~')).toBe(`.  0  Id: ${child.pid.toString(16)}.${Number(thread![1]).toString(16)} Suspend: 1 Teb: ${thread![2]} Unfrozen`);

      // On to the end: the child dies of its breakpoint, the parent prints its code and exits.
      expect(run('g')).toContain('Break instruction exception - code 80000003 (!!! second chance !!!)');
      expect(run('g')).toContain('exited with status 00000000');
      expect(machine.output.stdout).toContain('child exit code 80000003');
    } finally {
      machine.dispose();
    }
  });
});
