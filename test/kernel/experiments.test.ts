// The seed's warning as an experiment: a VAD removed from the tree while its
// pages stay mapped. Refused unless experiments are allowed.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { guestElf, runGuest } from '../helpers/guests.js';
import { Machine } from '../../src/kernel/machine.js';
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
