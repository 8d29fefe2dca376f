// A shared page no working set holds any more keeps its frame on standby,
// and its prototype PTE becomes a transition PTE naming that frame, as
// Windows' MiDecrementShareCount leaves it; the next touch through a view is
// a soft fault through the prototype PTE, which is valid again.
import { describe, expect, it } from 'vitest';
import { isTransitionPte, isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import type { PageFaultEvent } from '../../src/trace/events.js';
import { guestElf, runGuest } from '../helpers/guests.js';
import { rootWithNumberedPages } from '../helpers/mapped-files.js';

const PAGE = 4096;

describe('prototype PTEs in transition', () => {
  it('a page trimmed from every working set, and pages read ahead, have transition prototype PTEs; touching one is a soft fault', async () => {
    const root = rootWithNumberedPages('cluster.bin', 16);
    let view = 0;
    const run = await runGuest(guestElf('test/guests/file-cluster.c'), { args: ['0', 'empty', '0'], machine: { fileRoot: root } }, (done) => {
      view = Number.parseInt(/view (?:0x)?([0-9a-f]+)/i.exec(done.stdout)![1]!, 16);
      // Page 0: mapped again after the soft fault — valid, one share.
      const touched = done.machine.pte(view).prototype!;
      expect(touched.state).toBe('resident');
      expect(isValidPte(touched.value)).toBe(true);
      expect(touched.shareCount).toBe(1);
      // Page 1: read ahead, never mapped: transition, no share, its frame on standby holding the file's page.
      const ahead = done.machine.pte(view + PAGE).prototype!;
      expect(ahead.state).toBe('transition');
      expect(isTransitionPte(ahead.value)).toBe(true);
      expect(ahead.shareCount).toBe(0);
      expect(done.machine.frameCounts().standby).toBeGreaterThanOrEqual(6);
    });
    expect(run.stdout).toContain('page 0: 0\nEmptyWorkingSet: 1\npage 0: 0\n');
    const faults = run.events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.address >= view && e.address < view + 16 * PAGE);
    expect(faults.map((e) => e.resolution)).toEqual(['section-file', 'transition']);
    // The soft fault went through the prototype PTE to the frame the first read had filled.
    expect(faults[1]!.pfn).toBe(faults[0]!.pfn);
    expect(faults[1]!.section?.prototypePte).toBe(faults[0]!.section?.prototypePte);
    expect(pfnOfPte(faults[1]!.pteAfter!)).toBe(faults[0]!.pfn);
  });
});
