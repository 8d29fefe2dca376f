// Per-view page protection: commits in SEC_RESERVE views and VirtualProtect
// inside data views, from a guest.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('protection inside views', () => {
  it('a commit\'s protection stays with its view; VirtualProtect on views within the view\'s access, with Windows\' errors', async () => {
    const run = await runChecks('test/guests/view-protection.c');
    expect(run.stdout).toMatch(/^\d{2,} checks, 0 failed$/m);
  });
});
