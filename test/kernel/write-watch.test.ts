// Write watch from a guest (Wine's test_write_watch behaviour), and the
// memory manager's bitmap keeping a Dirty bit that a PTE change drops.
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('write watch', () => {
  it('GetWriteWatch/ResetWriteWatch report written pages and refuse bad arguments as Windows does', async () => {
    // 56 checks in main and check_error's 2, called 14 times.
    const run = await runChecks('test/guests/write-watch.c', [], {}, 56 + 2 * 14);
    const names = new Set(run.events.flatMap((e) => (e.type === 'syscall' ? [e.name] : [])));
    expect(names).toContain('NtGetWriteWatch');
    expect(names).toContain('NtResetWriteWatch');
  });
});
