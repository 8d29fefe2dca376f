// The working-set functions of the guest SDK (psapi and kernel32) and the NT
// services beneath, through the emulator.
import { describe, expect, it } from 'vitest';
import type { PageWriteEvent } from '../../src/trace/events.js';
import { guestElf, runChecks, runGuest } from '../helpers/guests.js';

describe('working sets from the guest', () => {
  it('GetProcessMemoryInfo, QueryWorkingSet(Ex), EmptyWorkingSet, VirtualLock, SetProcessWorkingSetSize(Ex), MEM_RESET behave as on Windows', async () => {
    const run = await runChecks('test/guests/working-set.c', [], { ramBytes: 64 << 20, pagefileBytes: 64 << 20 });
    expect(run.stdout).toMatch(/\d+ checks, 0 failed\n$/);
    expect(run.events.some((e) => e.type === 'trim' && e.why === 'empty')).toBe(true);
    expect(run.events.some((e) => e.type === 'trim' && e.why === 'hard-maximum')).toBe(true);
  });
});

describe('MEM_RESET', () => {
  it('reset pages are never written to the page file, even when memory runs out', async () => {
    const run = await runGuest(guestElf('test/guests/mem-reset.c'), { machine: { ramBytes: 16 << 20, pagefileBytes: 64 << 20 } });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    const match = /^reset (?:0x)?([0-9a-f]+) (\d+)\n/i.exec(run.stdout)!;
    expect(run.stdout).toContain('other 16000, reset range still committed');
    const start = parseInt(match[1]!, 16), end = start + Number(match[2]) * 4096;
    const written = (run.events.filter((e) => e.type === 'page-write') as PageWriteEvent[]).flatMap((e) => e.virtualAddresses ?? []);
    expect(written.length).toBeGreaterThan(1000); // the other pages did go out
    expect(written.filter((address) => address >= start && address < end)).toEqual([]);
    // Their frames were taken for other pages instead (repurposed without a write).
    expect(run.events.some((e) => e.type === 'repurpose' && e.pteAddress >= 0xc0000000 + (start >>> 12) * 4 && e.pteAddress < 0xc0000000 + (end >>> 12) * 4)).toBe(true);
  });
});
