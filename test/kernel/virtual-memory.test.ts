// The virtual-memory services from real guest programs: every check inside
// the guest prints "ok" or "FAIL"; the machine's invariants are checked
// after every system service.
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest } from '../helpers/guests.js';

async function runChecks(source: string, args: string[] = []) {
  const run = await runGuest(guestElf(source), { args, machine: { checkInvariantsAfterServices: true } });
  const failures = run.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
  expect(failures).toEqual([]);
  expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
  return run;
}

describe('NtAllocateVirtualMemory', () => {
  it('rounds, reserves, commits and refuses misuse as Windows does', async () => {
    const run = await runChecks('test/guests/vm-allocate.c');
    expect(run.stdout).toMatch(/^\d{2,} checks, 0 failed$/m);
  });
});

describe('NtFreeVirtualMemory', () => {
  it('decommits and releases with Windows\' rules and errors', async () => {
    await runChecks('test/guests/vm-free.c');
  });
});

describe('NtProtectVirtualMemory and NtQueryVirtualMemory', () => {
  it('change protection of committed pages only, report old protection, and merge regions like Windows', async () => {
    await runChecks('test/guests/vm-protect.c');
  });
});
