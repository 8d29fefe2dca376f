// The NT services' argument checks in Windows' order (one check table per
// service in src/kernel/syscalls), from a guest.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('validation order of the memory and section services', () => {
  it('a bad argument needing no memory before a bad pointer, a bad pointer before the handle, sizes in bytes', async () => {
    // 34 checks, all in main.
    await runChecks('test/guests/validation-order.c', [], {}, 34);
  });
});
