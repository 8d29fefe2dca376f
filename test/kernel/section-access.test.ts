// NtMapViewOfSection checks the section handle's granted access against the
// view's protection, from a guest.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('section handle access', () => {
  it('a view needs the SECTION_MAP_* right its protection asks for; else STATUS_ACCESS_DENIED', async () => {
    // 26 checks, all in main.
    await runChecks('test/guests/section-access.c', [], {}, 26);
  });
});
