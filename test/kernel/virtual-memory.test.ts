// The virtual-memory services from real guest programs: every check inside
// the guest prints "ok" or "FAIL"; the machine's invariants are checked
// after every system service.
import { describe, expect, it } from 'vitest';
import { expectExited, guestElf, runChecks, runGuest } from '../helpers/guests.js';
import { vmRandomLine } from '../helpers/vm-random-model.js';

describe('NtAllocateVirtualMemory', () => {
  it('rounds, reserves, commits and refuses misuse as Windows does', async () => {
    await runChecks('test/guests/vm-allocate.c', [], {}, 53);
  });
});

describe('NtFreeVirtualMemory', () => {
  it('decommits and releases with Windows\' rules and errors', async () => {
    await runChecks('test/guests/vm-free.c', [], {}, 31);
  });
});

describe('NtProtectVirtualMemory and NtQueryVirtualMemory', () => {
  it('change protection of committed pages only, report old protection, and merge regions like Windows', async () => {
    await runChecks('test/guests/vm-protect.c', [], {}, 40);
  });
});

describe('exceptions in the guest', () => {
  it('guard pages, access violations, edited contexts and handler order behave as on Windows', async () => {
    const run = await runChecks('test/guests/exceptions-veh.c', [], {}, 41);
    const firstChances = run.events.filter((e) => e.type === 'exception' && e.firstChance);
    // The exceptions the source raises: a new guard page, a resident page made a guard page, 7 bad accesses
    // (reserved read and write, decommitted, no-access, freed, read-only write, kernel), the store the skipping
    // handler edits, the handler-order access, a divide by zero and int3: one first-chance dispatch each.
    expect(firstChances).toHaveLength(1 + 1 + 7 + 1 + 1 + 1 + 1);
    const guard = run.events.find((e) => e.type === 'page-fault' && e.resolution === 'guard-page');
    expect(guard).toBeDefined();
  });

  it('an unhandled exception goes through the filter and ends the process with its code and the report', async () => {
    const run = await runGuest(guestElf('test/guests/exceptions-veh.c'), { args: ['unhandled'] });
    expect(run.stdout).toBe('filter saw 0xc0000005\n');
    expect(run.outcome.reason).toBe('exception');
    if (run.outcome.reason !== 'exception') return;
    expect(run.outcome.exitStatus).toBe(0xc0000005);
    expect(run.outcome.exception).toMatchObject({ code: 0xc0000005, address: 0x50, write: true, why: 'no-vad' });
    expect(run.outcome.exception.instruction).toMatch(/^mov dword ptr/);
    const exceptions = run.events.filter((e) => e.type === 'exception');
    expect(exceptions.map((e) => e.type === 'exception' && e.firstChance)).toEqual([true, false]);
  });
});

describe('randomized allocate/protect/free from a guest', () => {
  it.each([1, 7, 42])('seed %i: the guest\'s model and the kernel\'s invariants hold after every service', async (seed) => {
    const run = await runGuest(guestElf('test/guests/vm-random.c'), { args: [String(seed), '300'], machine: { checkInvariantsAfterServices: true } });
    expect(run.stdout).toBe(`${vmRandomLine(seed, 300)}\n0 failed\n`);
    expectExited(run, 0);
  });
});

describe('bad pointers', () => {
  it('every service answers STATUS_ACCESS_VIOLATION and the kernel stays intact', async () => {
    await runChecks('test/guests/bad-pointers.c', [], {}, 128);
  });
});
