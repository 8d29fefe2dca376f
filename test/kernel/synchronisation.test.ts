// Events, mutexes, semaphores, waits and critical sections on real threads
// (test/guests/sync.c): the results Windows documents for each call, with
// timeouts, WaitAny's index, abandoned mutexes and the order waiters wake in.
import { describe, expect, it } from 'vitest';
import { expectExited, guestElf, runChecks, runGuest } from '../helpers/guests.js';

const SOURCE = 'test/guests/sync.c';

describe('synchronisation objects', () => {
  it('events: auto-reset lets one waiter through, the first; manual reset stays set; names; WaitAny/WaitAll; timeouts', async () => {
    const run = await runChecks(SOURCE, ['events'], { quantum: 500 }, 23);
    const switches = run.events.filter((e) => e.type === 'context-switch');
    expect(switches.some((e) => e.reason === 'wait')).toBe(true);
  });

  it('mutexes: recursion, ERROR_NOT_OWNER, a timeout against the owner, WAIT_ABANDONED once the owner ended', async () => {
    await runChecks(SOURCE, ['mutexes'], { quantum: 500 }, 8);
  });

  it('semaphores: a release of 2 wakes two of three waiters; past the maximum ERROR_TOO_MANY_POSTS', async () => {
    await runChecks(SOURCE, ['semaphores'], { quantum: 500 }, 10);
  });

  it('critical sections: Windows\' layout; contended, they wait on an event and keep a read-modify-write whole', async () => {
    const run = await runGuest(guestElf(SOURCE), { args: ['critical-sections'], machine: { quantum: 500 } });
    expectExited(run, 0, 'critical-sections');
    expect(run.stdout).toMatch(/^7 checks, 0 failed$/m);
    // Preempted inside the section, threads really waited for it.
    expect(run.events.filter((e) => e.type === 'context-switch' && e.reason === 'wait').length).toBeGreaterThan(10);
  });
});
