// Per-view page protection: commits in SEC_RESERVE views and VirtualProtect
// inside data views, from a guest.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('protection inside views', () => {
  it('a commit\'s protection stays with its view; VirtualProtect on views within the view\'s access, with Windows\' errors', async () => {
    // 32 checks in main and check_region's 5, called 10 times.
    await runChecks('test/guests/view-protection.c', [], {}, 32 + 5 * 10);
  });
});
