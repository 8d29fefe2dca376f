// Paging through the emulator: a guest working on more memory than the
// machine has, with the trace of trims, page writes, soft and hard faults.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { PageFaultEvent, TraceEvent } from '../../src/trace/events.js';
import { isPageFilePte, isTransitionPte, isValidPte, pageFileOffsetOf, pfnOfPte } from '../../src/mm/pte.js';
import { hostMappingBudget } from '../../src/kernel/host-mapping-limit.js';
import { guestElf, runGuest } from '../helpers/guests.js';

const MIB = 1 << 20;
const faults = (events: TraceEvent[], how: string) => events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.resolution === how);
/** #PF error code bits: 1 protection (clear: not present), 2 write, 4 user. */
const USER = 4, WRITE = 2, PRESENT = 1;

describe('random access to three times physical memory (--ram 16M --pagefile 128M)', () => {
  it('keeps every page\'s data, and the trace shows trims, page writes, repurposing, soft and hard faults', async () => {
    const run = await runGuest(guestElf('test/guests/paging-random.c'), { machine: { ramBytes: 16 * MIB, pagefileBytes: 128 * MIB }, run: { maxInstructions: 500_000_000, timeoutMs: 120_000 } });
    expect(run.stdout).toBe('ok 12288 pages\n');
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    const types = new Set(run.events.map((e) => e.type));
    for (const type of ['trim', 'page-write', 'repurpose']) expect(types).toContain(type);

    // A soft fault: the PTE was a transition PTE naming the frame it gets back; not present, from user mode.
    const soft = faults(run.events, 'transition').find((e) => e.errorCode & USER && !e.section)!;
    expect(soft.errorCode & PRESENT).toBe(0);
    expect(isTransitionPte(soft.pteBefore)).toBe(true);
    expect(isValidPte(soft.pteAfter!)).toBe(true);
    expect(pfnOfPte(soft.pteAfter!)).toBe(pfnOfPte(soft.pteBefore));
    expect(soft.pfn).toBe(pfnOfPte(soft.pteBefore));

    // A hard fault: the PTE named a page-file offset, the one the event reports; the read brought a cluster.
    const hard = faults(run.events, 'pagefile-read');
    expect(hard.length).toBeGreaterThan(0);
    for (const event of hard.slice(0, 50)) {
      expect(event.errorCode & (PRESENT | USER)).toBe(USER);
      expect(isPageFilePte(event.pteBefore)).toBe(true);
      expect(pageFileOffsetOf(event.pteBefore)).toBe(event.pageFile!.offset);
      expect(event.pageFile!.clusterPages).toBeGreaterThanOrEqual(1);
      expect(event.pageFile!.clusterPages).toBeLessThanOrEqual(7);
      expect(pfnOfPte(event.pteAfter!)).toBe(event.pfn);
    }
    expect(hard.some((e) => e.pageFile!.clusterPages > 1)).toBe(true);
    // The first pass writes: its faults are user writes to pages not present.
    expect(faults(run.events, 'demand-zero').filter((e) => e.vad!.end - e.vad!.start + 1 === 12288 * 4096).every((e) => e.errorCode === (USER | WRITE))).toBe(true);

    // Clusters of at most 16 pages, at page-file offsets the page file can hold.
    const writes = run.events.filter((e) => e.type === 'page-write');
    const memory = run.machine.memory();
    for (const write of writes) {
      expect(write.pages).toBeLessThanOrEqual(16);
      for (const offset of write.pageFile!.offsets) expect(offset).toBeGreaterThan(0);
    }
    expect(memory.pageFile!.peakUsedPages).toBeLessThanOrEqual(memory.pageFile!.sizePages);
    expect(memory.pageFile!.sizePages).toBe(128 * 256 - 1); // offset 0 is never used
    expect(memory.repurposed).toBeGreaterThan(0);
  });

  it('page-file usage never exceeds its size when the page file is nearly full', async () => {
    // 12,288 committed pages with 3,568 frames for processes and 9,215 page-file pages: nearly every page must be out at once.
    const run = await runGuest(guestElf('test/guests/paging-random.c'), { args: ['12000'], machine: { ramBytes: 16 * MIB, pagefileBytes: 36 * MIB }, run: { maxInstructions: 500_000_000, timeoutMs: 120_000 } });
    const memory = run.machine.memory();
    expect(memory.pageFile!.peakUsedPages).toBeLessThanOrEqual(memory.pageFile!.sizePages);
    expect(run.stdout).toBe('ok 12000 pages\n');
  });
});

describe('host mappings', () => {
  it('a guest touching 100,000 pages in scattered order with the default RAM neither fails nor exhausts host mappings', async () => {
    let mappings = 0, workingSet = 0;
    const run = await runGuest(guestElf('test/guests/paging-random.c'), { args: ['100000', '0', '16'], machine: { pagefileBytes: 512 * MIB }, run: { maxInstructions: 2_000_000_000, timeoutMs: 300_000 } }, (done) => {
      mappings = readFileSync('/proc/self/maps', 'utf8').split('\n').length;
      workingSet = done.machine.memory().workingSet.pages;
    });
    expect(run.stdout).toBe('ok 100000 pages\n');
    const limit = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
    // The guest's pages stayed out of the 8,192 mappings kept for Node and the libraries (half of them, at least, unused).
    expect(mappings).toBeLessThan(limit - 4096);
    // Scattered pages need about two mappings each: the working set stays near a third of what the host allows less 8,192
    // (valid neighbours share a boundary, so a little above it).
    expect(workingSet).toBeLessThanOrEqual(hostMappingBudget(limit) * 1.25);
    expect(run.events.some((e) => e.type === 'trim' && e.why === 'host-mappings')).toBe(true);
  }, 600_000);
});
