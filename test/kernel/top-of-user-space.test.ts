// The fixed regions at the top of user space (src/mm/layout.ts's
// USER_SPACE_LAYOUT): KUSER_SHARED_DATA and the no-access areas, from a guest
// and from the kernel's dumps.
import { describe, expect, it } from 'vitest';
import { guestElf, runChecks, runCli, runGuest } from '../helpers/guests.js';

describe('the top of user space', () => {
  it('VirtualQuery, VirtualAlloc and reads of KUSER_SHARED_DATA behave as on Windows x86', async () => {
    const ramPages = (64 << 20) / 4096;
    // 32 checks in main (NumberOfPhysicalPages among them: the RAM size is given) and check_query's 7, called 5 times.
    const run = await runChecks('test/guests/top-of-user-space.c', [String(ramPages)], { ramBytes: 64 << 20 }, 32 + 7 * 5);
    expect(run.stdout).toContain('ok NumberOfPhysicalPages');
  });

  it('KUSER_SHARED_DATA is one frame: the kernel\'s page at 0xFFDF0000, mapped read-only for user mode', async () => {
    await runGuest(guestElf('test/guests/top-of-user-space.c'), {}, ({ machine }) => {
      const user = machine.pte(0x7ffe0000), kernel = machine.pte(0xffdf0000);
      expect(user.pte & 0x7).toBe(0x5); // Valid, Owner, not Write
      expect(kernel.pte & 0x7).toBe(0x3); // Valid, Write, kernel only
      expect(user.pte >>> 12).toBe(kernel.pte >>> 12);
      expect(machine.frame(user.pte >>> 12).state).toBe('Active');
    });
  });

  it('--vad lists the fixed regions after the VADs', () => {
    const elf = guestElf('test/guests/top-of-user-space.c');
    const result = runCli(['run', '--vad', elf]);
    expect(result.stdout).toMatch(/Total VADs: \d+\nFixed regions \(every process, no VAD\):\n {4}- {6}7ffe0 {6}7ffe0 {8}0 Private  READONLY  KUSER_SHARED_DATA\n {4}- {6}7ffe1 {6}7ffef {8}0 Private  NO_ACCESS  reserved after KUSER_SHARED_DATA\n {4}- {6}7fff0 {6}7ffff {8}0 Private  NO_ACCESS  no-access area below kernel space/);
  });
});
