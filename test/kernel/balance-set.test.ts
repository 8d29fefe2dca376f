// The balance set manager's periodic pass through the emulator: every N
// retired instructions, counted by the CPU, it ages the working set
// (Accessed bits cleared) or, when memory is low, trims — even while the
// guest takes no fault at all (Windows Internals 7th ed., ch. 5; WRK
// wsmanage.c MiComputeSystemTrimCriteria).
import { describe, expect, it } from 'vitest';
import { isAccessedPte, isValidPte } from '../../src/mm/pte.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { guestElf, runCli, runGuest, type GuestRun } from '../helpers/guests.js';

const MIB = 1 << 20;
const INTERVAL = 1_000_000;

/** The last page the guest wrote before it began to spin (it prints "base B last L"). */
const lastPageOf = (run: GuestRun): number => Number.parseInt(/last (?:0x)?([0-9a-f]+)/i.exec(run.stdout)![1]!, 16);
const afterLastSystemCall = (events: TraceEvent[]): TraceEvent[] => events.slice(events.findLastIndex((e) => e.type === 'syscall') + 1);

describe('the balance set manager\'s periodic pass', () => {
  it('runs once every N instructions: 20 passes in 20 million', async () => {
    const run = await runGuest(guestElf('test/guests/balance-set.c'), {
      args: ['2000'], machine: { ramBytes: 16 * MIB, pagefileBytes: 64 * MIB, balanceSetInterval: INTERVAL }, run: { maxInstructions: 20 * INTERVAL },
    }, (done) => {
      const passes = done.machine.balanceSetPasses();
      expect(passes.trim + passes.age + passes.none).toBe(20);
    });
    expect(run.outcome.reason).toBe('instruction-limit');
  });

  it('ages a working set that takes no fault: the Accessed bit of a page left alone is cleared (and stays set without the pass)', async () => {
    // 2,000 pages fit in 16 MiB: memory is not low (no trim), but not plentiful either (fewer than MM_ENORMOUS_LIMIT available): aging.
    const options = (interval: number) => ({ args: ['2000'], machine: { ramBytes: 16 * MIB, pagefileBytes: 64 * MIB, balanceSetInterval: interval }, run: { maxInstructions: 20 * INTERVAL } });
    let accessedWith: boolean | undefined, accessedWithout: boolean | undefined;
    const withPass = await runGuest(guestElf('test/guests/balance-set.c'), options(INTERVAL), (done) => {
      const pte = done.machine.pte(lastPageOf(done)).pte;
      expect(isValidPte(pte)).toBe(true);
      accessedWith = isAccessedPte(pte);
      expect(done.machine.balanceSetPasses()).toMatchObject({ trim: 0 });
      expect(done.machine.balanceSetPasses().age).toBeGreaterThan(0);
    });
    expect(withPass.events.some((e) => e.type === 'trim')).toBe(false);
    await runGuest(guestElf('test/guests/balance-set.c'), options(0), (done) => {
      accessedWithout = isAccessedPte(done.machine.pte(lastPageOf(done)).pte);
      expect(done.machine.balanceSetPasses()).toEqual({ trim: 0, age: 0, none: 0 });
    });
    expect(accessedWith).toBe(false);
    expect(accessedWithout).toBe(true);
  });

  it('trims a working set above its maximum when memory is low, while the guest only spins', async () => {
    // Three times RAM written once: standby pages were repurposed by the thousand, so the first pass trims (WRK: a quarter of the available pages repurposed).
    const run = await runGuest(guestElf('test/guests/balance-set.c'), {
      args: ['12288'], machine: { ramBytes: 16 * MIB, pagefileBytes: 64 * MIB, balanceSetInterval: INTERVAL }, run: { maxInstructions: 20 * INTERVAL },
    }, (done) => {
      const memory = done.machine.memory();
      // Down to the maximum (345), plus the 8 pages the spin touches, the page tables and the image's pages it runs on.
      expect(memory.workingSet.pages).toBeLessThan(memory.workingSet.maximumPages + 64);
      expect(done.machine.balanceSetPasses().trim).toBeGreaterThan(0);
    });
    const spinning = afterLastSystemCall(run.events);
    const trims = spinning.filter((e) => e.type === 'trim');
    expect(trims.length).toBeGreaterThan(0);
    expect(trims.every((e) => e.why === 'balance-set')).toBe(true);
    expect(trims.reduce((sum, e) => sum + e.pages, 0)).toBeGreaterThan(1000);
  }, 120_000);

  it('a period shorter than a translated block still lets the guest run (it hung, refused the same block after every pass)', async () => {
    for (const interval of [1, 3]) {
      const run = await runGuest(guestElf('guest/examples/hello.c'), { machine: { balanceSetInterval: interval } }, (done) => {
        expect(done.machine.balanceSetPasses().none).toBeGreaterThan(100);
      });
      expect(run.outcome).toMatchObject({ reason: 'exited', exitStatus: 0 });
      expect(run.stdout).toContain('Hello from ring 3, world!');
    }
    // And the instruction limit still ends the run where it says, with a pass before nearly every block.
    const limited = await runGuest(guestElf('test/guests/balance-set.c'), { args: ['2000'], machine: { balanceSetInterval: 1 }, run: { maxInstructions: 100_000 } });
    expect(limited.outcome.reason).toBe('instruction-limit');
  }, 120_000);

  it('--balance-interval sets the period from the command line; its trims say balance-set in the trace', () => {
    const elf = guestElf('test/guests/balance-set.c');
    const result = runCli(['run', '--ram', '16M', '--pagefile', '64M', '--balance-interval', String(INTERVAL), '--trace', 'faults', elf, '12288', '3000000']);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/trim \d+ pages \(balance-set\): \d+ to standby, \d+ to modified; working set \d+ pages/);
    const none = runCli(['run', '--ram', '16M', '--pagefile', '64M', '--balance-interval', '0', '--trace', 'faults', elf, '12288', '3000000']);
    expect(none.status).toBe(0);
    expect(none.stderr).not.toContain('(balance-set)');
  });
});
