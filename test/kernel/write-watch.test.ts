// Write watch from a guest (Wine's test_write_watch behaviour), and the
// memory manager's bitmap keeping a Dirty bit that a PTE change drops.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('write watch', () => {
  it('GetWriteWatch/ResetWriteWatch report written pages and refuse bad arguments as Windows does', async () => {
    const run = await runChecks('test/guests/write-watch.c');
    expect(run.stdout).toMatch(/^\d{2,} checks, 0 failed$/m);
    const names = new Set(run.events.flatMap((e) => (e.type === 'syscall' ? [e.name] : [])));
    expect(names).toContain('NtGetWriteWatch');
    expect(names).toContain('NtResetWriteWatch');
  });
});
