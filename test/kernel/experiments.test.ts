// The seed's warning as an experiment: a VAD removed from the tree while its
// pages stay mapped. Refused unless experiments are allowed.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { guestElf, runCli, runGuest } from '../helpers/guests.js';
import { Machine, type RunOutcome } from '../../src/kernel/machine.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { KernelPanic } from '../../src/mm/panic.js';

describe('MmsExperimentRemoveVad', () => {
  it('is refused with STATUS_PRIVILEGE_NOT_HELD without --allow-experiments, and nothing is damaged', async () => {
    const run = await runGuest(guestElf('guest/examples/vad-unlink.c'));
    expect(run.stdout).toContain('MmsExperimentRemoveVad: 0xc0000061');
    expect(run.outcome.exitStatus).toBe(1);
  });

  it('with it, the next allocation reuses the range and finds the old data; the invariant checker names the damage', async () => {
    const elf = guestElf('guest/examples/vad-unlink.c');
    const machine = await Machine.create({ allowExperiments: true });
    try {
      machine.load({ name: elf, bytes: readFileSync(elf) });
      const outcome = machine.run({ maxInstructions: 50_000_000 });
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 2 });
      expect(machine.output.stdout).toContain('it reads: "the old allocation\'s secret"');
      expect(() => machine.checkInvariants()).toThrow(KernelPanic);
      expect(() => machine.checkInvariants()).toThrow(/commit/);
    } finally {
      machine.dispose();
    }
  });
});

/** Runs map-frame.c with experiments allowed; hands the still-open machine and what it saw to `inspect`. */
async function runMapFrame(step: string | undefined, inspect: (run: { machine: Machine; outcome: RunOutcome; stdout: string; events: TraceEvent[]; commitAtCalls: number[] }) => void): Promise<void> {
  const elf = guestElf('guest/examples/map-frame.c');
  const machine = await Machine.create({ allowExperiments: true });
  try {
    const events: TraceEvent[] = [];
    const commitAtCalls: number[] = [];
    machine.trace.subscribe((event) => {
      events.push(event);
      if (event.type === 'syscall') commitAtCalls.push(machine.commit().processPages);
    });
    machine.load({ name: elf, bytes: readFileSync(elf) }, step ? [step] : []);
    const outcome = machine.run({ maxInstructions: 50_000_000 });
    inspect({ machine, outcome, stdout: machine.output.stdout, events, commitAtCalls });
  } finally {
    machine.dispose();
  }
}

const strayAddress = (stdout: string): number => Number(/MmsExperimentMapFrame\(a free address (0x[0-9a-f]+)\): 0x00000000/.exec(stdout)![1]);
const invariantReport = (machine: Machine): string => {
  try { machine.checkInvariants(); } catch (error) { if (error instanceof KernelPanic) return error.message; throw error; }
  return '';
};

describe('MmsExperimentMapFrame', () => {
  it('is refused with STATUS_PRIVILEGE_NOT_HELD without --allow-experiments, and maps nothing', async () => {
    const run = await runGuest(guestElf('guest/examples/map-frame.c'));
    expect(run.stdout).toContain('MmsExperimentMapFrame(the null page 0x00000000): 0xc0000061');
    expect(run.outcome.exitStatus).toBe(1);
    expect(run.events.some((e) => e.type === 'experiment')).toBe(false);
  });

  it('with it, the null page and the no-access area are usable while VirtualQuery knows nothing; kernel space and covered pages are refused', async () => {
    await runMapFrame(undefined, ({ machine, outcome, stdout, events, commitAtCalls }) => {
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(stdout).toContain('the null page holds: "written through a NULL-page pointer"');
      expect(stdout).toContain('VirtualQuery(the null page 0x00000000): MEM_FREE, region 0x10000 bytes');
      expect(stdout).toContain('the no-access area holds: 42');
      // The layout's fixed answer for the no-access area (Windows 10/11 x86), whatever frame is there.
      expect(stdout).toContain('VirtualQuery(the no-access area 0x7fff0000): MEM_RESERVE, region 0x10000 bytes');
      expect(stdout).toContain('MmsExperimentMapFrame(kernel space 0x80000000): 0xc000000d');
      expect(stdout).toMatch(/MmsExperimentMapFrame\(the stack 0x[0-9a-f]+\): 0xc0000018/);
      expect(stdout).toMatch(/VirtualQuery\(the stray page 0x[0-9a-f]+\): MEM_FREE/);

      const mapped = events.filter((e) => e.type === 'experiment');
      expect(mapped.map((e) => e.address)).toEqual([0, 0x7fff0000, strayAddress(stdout)]);
      const nullPage = mapped[0]!;
      expect(nullPage.pteAddress).toBe(0xc0000000);
      const pte = machine.pte(0);
      expect(pte.state).toBe('valid');
      expect(pte.pfn).toBe(nullPage.pfn);
      expect(pte.flags).toEqual(expect.arrayContaining(['Valid', 'Write', 'Owner']));
      expect(machine.frame(nullPage.pfn)).toEqual({ state: 'Active', shareCount: 1, pteAddress: 0xc0000000 });
      for (const address of [0, 0x7fff0000, strayAddress(stdout)]) expect(machine.space.findVad(address)).toBeUndefined();

      // No commit is charged by the service: the charge at its call equals the charge at the call before.
      const calls = events.filter((e) => e.type === 'syscall');
      calls.forEach((call, i) => {
        if (call.type === 'syscall' && call.name === 'MmsExperimentMapFrame') expect(commitAtCalls[i]).toBe(commitAtCalls[i - 1]);
      });

      const report = invariantReport(machine);
      expect(report).toMatch(/^frames active with no VAD/);
      for (const address of ['0x00000000', '0x7fff0000', `0x${strayAddress(stdout).toString(16).padStart(8, '0')}`]) expect(report).toContain(`at ${address}`);
    });
  });

  it('MEM_RESERVE over the page leaves it valid inside the reservation: VirtualQuery says committed, the checker finds commit uncharged', async () => {
    await runMapFrame('reserve', ({ outcome, stdout, machine }) => {
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(stdout).toContain('the page still reads "the stray page\'s data"');
      expect(stdout).toMatch(/VirtualQuery\(reserved 0x[0-9a-f]+\): MEM_COMMIT, region 0x1000 bytes/);
      expect(stdout).toMatch(/VirtualQuery\(next page 0x[0-9a-f]+\): MEM_RESERVE, region 0xf000 bytes/);
      expect(invariantReport(machine)).toMatch(/has 1 committed pages but is charged 0/);
    });
  });

  it('MEM_RESERVE|MEM_COMMIT over the page silently reuses the frame: the "new" memory holds the old data', async () => {
    await runMapFrame('commit', ({ outcome, stdout, machine }) => {
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(stdout).toContain('new memory should be zero; it reads: "the stray page\'s data"');
      const stray = strayAddress(stdout);
      expect(machine.pte(stray).state).toBe('valid');
      const report = invariantReport(machine);
      expect(report).toMatch(/^frames active with no VAD/);
      expect(report).not.toContain(`at 0x${stray.toString(16).padStart(8, '0')}`); // adopted by the new VAD
    });
  });

  it('reserve then commit charges one page too few (MiCalculatePageCommitment counts the valid PTE as committed)', async () => {
    await runMapFrame('reserve-then-commit', ({ outcome, stdout, machine }) => {
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(stdout).toContain('it reads: "the stray page\'s data"');
      expect(invariantReport(machine)).toMatch(/has 16 committed pages but is charged 15/);
    });
  });

  it('VirtualFree on the page fails with ERROR_INVALID_ADDRESS and the page stays', async () => {
    await runMapFrame('free', ({ outcome, stdout, machine }) => {
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(stdout).toContain('VirtualFree(MEM_RELEASE): FALSE, error 487; the page still reads "the stray page\'s data"');
      expect(invariantReport(machine)).toContain(`at 0x${strayAddress(stdout).toString(16).padStart(8, '0')}`);
    });
  });

  it('releasing a VAD that took the page in frees its frame (the PFN points back at the PTE)', async () => {
    await runMapFrame('release', ({ outcome, stdout, machine, events }) => {
      expect(outcome).toEqual({ reason: 'exited', exitStatus: 0 });
      expect(stdout).toContain('committed over it, then VirtualFree(MEM_RELEASE): TRUE');
      const stray = strayAddress(stdout);
      expect(machine.pte(stray).pte).toBe(0);
      const pfn = events.find((e) => e.type === 'experiment' && e.address === stray)!;
      expect(pfn.type === 'experiment' && machine.frame(pfn.pfn).state).not.toBe('Active');
      expect(invariantReport(machine)).not.toContain(`at 0x${stray.toString(16).padStart(8, '0')}`);
    });
  });

  it('mapping the same page twice is a MEMORY_MANAGEMENT bug check naming the PTE, not an internal error', async () => {
    await runMapFrame('again', ({ outcome, stdout, events }) => {
      expect(outcome.reason).toBe('bugcheck');
      if (outcome.reason !== 'bugcheck') return;
      const stray = strayAddress(stdout);
      const pteAddress = (0xc0000000 + (stray >>> 12) * 4) >>> 0;
      expect(outcome.exitStatus).toBe(0x1a);
      expect(outcome.bugCheck.parameters.slice(0, 2)).toEqual([0x411, pteAddress]);
      expect(outcome.bugCheck.parameters[2]! & 1).toBe(1);
      expect(stdout).not.toContain('not reached');
      expect(events.at(-1)).toMatchObject({ type: 'bugcheck', code: 0x1a, name: 'MEMORY_MANAGEMENT' });
    });
  });

  it('the CLI prints the bug check and exits with 26, and names the stray frames at exit', () => {
    const elf = guestElf('guest/examples/map-frame.c');
    const again = runCli(['run', '--allow-experiments', elf, 'again']);
    expect(again.status).toBe(0x1a);
    expect(again.stderr).toContain('mmscope: bugcheck MEMORY_MANAGEMENT (1a)');
    expect(again.stderr).toMatch(/\*\*\* STOP: 0x0000001A \(0x00000411,0xC0[0-9A-F]{6},/);
    const exit = runCli(['run', '--allow-experiments', elf]);
    expect(exit.status).toBe(0);
    expect(exit.stderr).toContain('mmscope: invariant check at exit: frames active with no VAD');
  });
});
