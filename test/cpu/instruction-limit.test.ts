// The block-granular instruction limit against Unicorn's own per-instruction
// count, which is the independent reference: both must stop the guest at
// the same instruction. Unicorn counts a faulting instruction at each
// attempt and mmscope once it completes, so the reference gets one more
// instruction per data fault taken before the stop.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Machine } from '../../src/kernel/machine.js';
import { guestElf } from '../helpers/guests.js';

interface Stop { reason: string; registers: Record<string, number>; dataFaults: number }

async function runToLimit(elf: string, args: string[], limit: number, blockInstructionLimit: boolean): Promise<Stop> {
  const machine = await Machine.create({ blockInstructionLimit });
  try {
    let dataFaults = 0;
    // A fault on a page other than the instruction's own is a data access (every instruction here is within one page).
    machine.trace.subscribe((e) => { if (e.type === 'page-fault' && !e.inSystemCall && e.address >>> 12 !== e.eip >>> 12) dataFaults++; });
    machine.load({ name: elf, bytes: readFileSync(elf) }, args);
    const outcome = machine.run({ maxInstructions: limit });
    machine.checkInvariants();
    return { reason: outcome.reason, registers: machine.registers(['EIP', 'EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI', 'EBP', 'ESP']), dataFaults };
  } finally {
    machine.dispose();
  }
}

describe('instruction limit by translated block', () => {
  const elf = guestElf('guest/bench/traps.c');

  it.each([1, 7, 100, 511, 1000, 5000])('stops where Unicorn\'s per-instruction count stops: limit %i, a page-touching loop', async (limit) => {
    const ours = await runToLimit(elf, ['touch', '2000'], limit, true);
    const reference = await runToLimit(elf, ['touch', '2000'], limit + ours.dataFaults, false);
    expect(ours.reason).toBe('instruction-limit');
    expect(ours.registers).toEqual(reference.registers);
    if (limit >= 1000) expect(ours.dataFaults).toBeGreaterThan(100);
  });

  it('stops inside a long compute loop at the same place, and lets a program under a large limit finish', async () => {
    const hash = guestElf('guest/bench/hash.c');
    for (const limit of [513, 123_457]) {
      const ours = await runToLimit(hash, ['100000'], limit, true);
      const reference = await runToLimit(hash, ['100000'], limit + ours.dataFaults, false);
      expect(ours.registers).toEqual(reference.registers);
    }
    const finished = await runToLimit(hash, ['100000'], 10_000_000, true);
    expect(finished.reason).toBe('exited');
  });
});
