// The classic experiment, step by step, from the guest's own dumps and the trace.
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest } from '../helpers/guests.js';
import type { PageFaultEvent, PteDumpEvent, TraceEvent, VadDumpEvent } from '../../src/trace/events.js';

const isDump = (e: TraceEvent): e is VadDumpEvent | PteDumpEvent => e.type === 'vad-dump' || e.type === 'pte-dump';

describe('reserve → commit → first write → release', () => {
  it('charges no commit for a reservation, commits without a frame, and takes a zeroed frame on the first write', async () => {
    const run = await runGuest(guestElf('guest/examples/reserve-commit.c'), { machine: { checkInvariantsAfterServices: true } });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    const region = parseInt(/reserved 64 KiB at (0x[0-9a-f]+)/.exec(run.stdout)![1]!, 16);
    const regionVad = (dump: VadDumpEvent) => dump.vads.find((v) => v.startingVpn === region >>> 12);
    const dumps = run.events.filter(isDump);
    expect(dumps.map((d) => d.type)).toEqual(['vad-dump', 'pte-dump', 'vad-dump', 'pte-dump', 'pte-dump', 'vad-dump']);
    const [reserved, reservedPte, committed, committedPte, writtenPte, released] = dumps as
      [VadDumpEvent, PteDumpEvent, VadDumpEvent, PteDumpEvent, PteDumpEvent, VadDumpEvent];

    // 1. MEM_RESERVE: a VAD of 16 pages, private, no commit charge, no PTE state.
    expect(regionVad(reserved)).toMatchObject({ endingVpn: (region >>> 12) + 15, commitCharge: 0, privateMemory: true, memCommit: false, protection: 'READWRITE' });
    expect(reservedPte.pte.state).toMatch(/^(zero|no-page-table)$/);

    // 2. MEM_COMMIT of one page: charged one page, the PTE demand-zero and not present, no new frame.
    expect(regionVad(committed)!.commitCharge).toBe(1);
    expect(committed.commitPages).toBe(reserved.commitPages + 1);
    expect(committedPte.pte).toMatchObject({ state: 'demand-zero', protection: 'READWRITE' });
    expect(committedPte.pte.pfn).toBeUndefined();

    // 3. The first write: one demand-zero fault (user|write|not-present), a valid PTE with Dirty set by the MMU.
    const faults = run.events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.address >>> 12 === region >>> 12);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ errorCode: 0b110, resolution: 'demand-zero', pteBefore: committedPte.pte.pte });
    expect(faults[0]!.seq).toBeGreaterThan(committedPte.seq);
    expect(faults[0]!.seq).toBeLessThan(writtenPte.seq);
    expect(writtenPte.pte).toMatchObject({ state: 'valid', pfn: faults[0]!.pfn });
    expect(writtenPte.pte.flags).toEqual(expect.arrayContaining(['Valid', 'Write', 'Owner', 'Accessed', 'Dirty']));
    // One frame more: the write's, plus one per other page the program touched in between (printf's code, say).
    const newFrames = framesTakenBetween(run.events, committedPte.seq, writtenPte.seq);
    expect(newFrames.filter((e) => e.address >>> 12 === region >>> 12)).toHaveLength(1);
    expect(writtenPte.activeFrames).toBe(committedPte.activeFrames + newFrames.length);
    expect(run.stdout).toContain('VirtualQuery: base ' + '0x' + region.toString(16).padStart(8, '0') + ' size 0x1000 state 0x1000 protect 0x4 type 0x20000');

    // 4. MEM_RELEASE: the VAD is gone, its commit and its frame given back.
    expect(regionVad(released)).toBeUndefined();
    expect(released.commitPages).toBe(reserved.commitPages);
    expect(released.activeFrames).toBe(writtenPte.activeFrames - 1 + framesTakenBetween(run.events, writtenPte.seq, released.seq).length);
  });
});

/** Faults between two events that each took a frame. */
function framesTakenBetween(events: readonly TraceEvent[], after: number, before: number): PageFaultEvent[] {
  return events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.seq > after && e.seq < before
    && ['demand-zero', 'section-zero', 'section-file', 'copy-on-write'].includes(e.resolution));
}
