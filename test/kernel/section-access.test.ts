// NtMapViewOfSection checks the section handle's granted access against the
// view's protection, from a guest.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('section handle access', () => {
  it('a view needs the SECTION_MAP_* right its protection asks for; else STATUS_ACCESS_DENIED', async () => {
    const run = await runChecks('test/guests/section-access.c');
    expect(run.stdout).toMatch(/^\d{2,} checks, 0 failed$/m);
  });
});
