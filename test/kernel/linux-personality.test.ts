// The same static Linux-ABI program under mmscope and under qemu-i386.
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest, runHostCommand } from '../helpers/guests.js';

const runQemu = (elf: string, args: string[]) => runHostCommand('qemu-i386', [elf, ...args]);

describe('Linux i386 personality (int 0x80)', () => {
  it.each([
    ['test/guests/linux-args.c', ['alpha', 'beta gamma']],
    ['guest/examples/linux/hello-linux.asm', []],
  ])('%s gives the same output and exit status as qemu-i386', async (source, args) => {
    const elf = guestElf(source);
    const reference = runQemu(elf, args);
    const run = await runGuest(elf, { args });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: reference.status });
    expect(run.stdout).toBe(reference.stdout);
    expect(reference.stdout.length).toBeGreaterThan(0);
  });

  it('returns -ENOSYS and -EFAULT as Linux does', async () => {
    const run = await runGuest(guestElf('test/guests/linux-args.c'));
    expect(run.stdout).toContain('ENOSYS ok\n');
    expect(run.stdout).toContain('EFAULT ok\n');
  });
});
