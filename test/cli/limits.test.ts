// Runaway guests and running out of memory: the documented message and exit status.
import { describe, expect, it } from 'vitest';
import { guestElf, runCli, runGuest } from '../helpers/guests.js';

describe('runaway guests', () => {
  it('--max-insns stops the guest with exit status 124 (as timeout(1))', () => {
    const result = runCli(['run', '--max-insns', '100000', guestElf('test/guests/spin.asm')]);
    expect(result.status).toBe(124);
    expect(result.stderr).toBe('mmscope: stopped: the guest executed 100000 instructions (--max-insns)\n');
  });

  it('--timeout stops the guest with exit status 124, never before the time has passed', () => {
    // The guest never ends, so only --timeout can stop it; on a loaded machine
    // that may take far longer than 300 ms, which is why only the lower bound
    // is checked. If --timeout is broken, runCli fails naming the command that hung.
    const started = performance.now();
    const result = runCli(['run', '--timeout', '300', guestElf('test/guests/spin.asm')]);
    expect(performance.now() - started, 'the guest was stopped before 300 ms had passed').toBeGreaterThanOrEqual(300);
    expect(result.status).toBe(124);
    expect(result.stderr).toBe('mmscope: stopped: the guest ran for more than 300 ms (--timeout)\n');
  });
});

describe('out of memory', () => {
  it('an image larger than the commit limit cannot be created: STATUS_COMMITMENT_LIMIT, exit status 126', () => {
    const result = runCli(['run', '--ram', '16M', guestElf('test/guests/big-bss.c')]);
    expect(result.status).toBe(126);
    expect(result.stderr).toMatch(/^mmscope: cannot create the process: STATUS_COMMITMENT_LIMIT \(0xC000012D\): mapping the image needs \d+ pages of commit, the limit is \d+\n$/);
    expect(result.stdout).toBe('');
  });

  it('with a page file the image is committed, and when RAM runs out pages go to the page file and come back', async () => {
    const run = await runGuest(guestElf('test/guests/big-bss.c'), { args: ['touch'], machine: { ramBytes: 16 << 20, pagefileBytes: 128 << 20 } });
    // 16,384 pages written and read back through 4,096 frames: every page's 1 survives.
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    expect(run.stdout).toBe('started\ndone 16384\n');
    const kinds = new Set(run.events.map((e) => (e.type === 'page-fault' ? e.resolution : e.type)));
    for (const kind of ['trim', 'page-write', 'repurpose', 'pagefile-read']) expect(kinds).toContain(kind);
    expect(kinds).not.toContain('no-memory');
  });

  it('the same program fits in the default 256 MiB', () => {
    const result = runCli(['run', guestElf('test/guests/big-bss.c'), 'touch']);
    expect(result).toMatchObject({ status: 0, stdout: 'started\ndone 16384\n' });
  });
});
