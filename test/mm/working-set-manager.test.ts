// The working-set manager, the modified page writer, repurposing and
// page-file hard faults on the memory manager alone (no CPU). The numbers
// are worked out by hand from WRK's rules (wsmanage.c, modwrite.c,
// pagfault.c) for a 64-frame machine: MmPlentyFreePages 8 (the floor; 64 / 16
// is 4), MmMinimumFreePages 2, MmModifiedPageMaximum 16; trimming aims at
// plenty + max(64, size / 32) available pages; write clusters hold at most 16
// pages, read clusters at most 7. PTE words: frame << 12, Transition bit 11,
// protection in bits 5-9 (MM_READWRITE = 4 → 0x80), page-file offset << 12.
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/mm/address-space.js';
import { PageTables } from '../../src/mm/page-tables.js';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import type { MemoryEventSink, PageWriteReport, RepurposeReport, TrimReport } from '../../src/mm/memory-events.js';
import { writeModifiedPages } from '../../src/mm/modified-page-writer.js';
import { MemoryPagingStore, PageFile } from '../../src/mm/page-file.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { PTE_ACCESSED, PTE_DIRTY, isPageFilePte, isTransitionPte, isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import { SEC_COMMIT, SectionObject, createSection, type BackingFile } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { ageWorkingSet, balanceWorkingSets, emptyWorkingSet, trimPage, trimWorkingSet } from '../../src/mm/working-set-manager.js';
import { repurposeStandbyFrame } from '../../src/mm/repurpose.js';
import { HostPagingFile } from '../../src/kernel/io/paging-file.js';
import { RecordingHardware, createAddressSpace } from '../helpers/memory-manager.js';

const PAGE = 0x1000;
const BASE_VPN = 0x100;
const BASE = BASE_VPN * PAGE;
const PAGE_READWRITE = 0x04;
const addressOf = (page: number) => BASE + page * PAGE;

/** Records what the memory manager reports. */
function recorder() {
  const trims: TrimReport[] = [], writes: PageWriteReport[] = [], repurposes: RepurposeReport[] = [];
  const sink: MemoryEventSink = { trim: (r) => trims.push(r), pageWrite: (r) => writes.push(r), repurpose: (r) => repurposes.push(r) };
  return { sink, trims, writes, repurposes };
}

/** `pages` pages at 0x100000, each written (its frame filled with page + 1, Dirty set as the MMU would). */
function written(pages: number, frames = 64, pagefilePages = 0, space = createAddressSpace(frames, frames, pagefilePages).space) {
  space.workingSet.maximumPages = 1000;
  space.workingSet.minimumPages = 0;
  space.createVad({ startingVpn: BASE_VPN, endingVpn: BASE_VPN + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: true });
  for (let i = 0; i < pages; i++) {
    const result = resolvePageFault(space, { address: addressOf(i), write: true, user: true });
    if (result.kind !== 'resolved') throw new Error(`fault ${i}: ${result.kind}`);
    space.frameBytes(result.pfn).fill(i + 1);
    space.pageTables.updateValidPte(addressOf(i), (space.pageTables.readPte(addressOf(i)) | PTE_DIRTY) >>> 0);
  }
  return space;
}

/** Takes frames until only `left` are available; returns them (give them back before checking invariants). */
function squeeze(space: AddressSpace, left: number): number[] {
  const hogs: number[] = [];
  while (space.frames.availablePages > left) hogs.push(space.frames.allocateFrame(0xc0001000)!);
  return hogs;
}

const release = (space: AddressSpace, hogs: number[]) => { for (const pfn of hogs) space.frames.releaseFrame(pfn); };

describe('trimming one page', () => {
  it('a private page leaves a transition PTE naming its frame; a written one goes to the modified list, a clean one to standby', () => {
    const space = written(2, 64, 16);
    const pfn = pfnOfPte(space.pageTables.readPte(addressOf(0)));
    expect(trimPage(space, BASE_VPN)).toBe(PfnState.Modified);
    expect(space.pageTables.readPte(addressOf(0))).toBe(((pfn << 12) | 0x800 | 0x80) >>> 0);
    writeModifiedPages(space, 1);
    expect(resolvePageFault(space, { address: addressOf(0), write: false, user: true })).toMatchObject({ how: 'transition' });
    // Back in the working set with its page-file copy current (not Dirty): trimmed again, it goes to standby.
    expect(trimPage(space, BASE_VPN)).toBe(PfnState.Standby);
    checkAddressSpaceInvariants(space);
  });

  it('a view page drops its share: the PTE goes back to zero (the prototype PTE decides), the frame stays while another view maps it', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const map = () => (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    const a = map(), b = map();
    resolvePageFault(space, { address: a, write: true, user: true });
    resolvePageFault(space, { address: b, write: false, user: true });
    const pfn = pfnOfPte(space.pageTables.readPte(a));
    space.pageTables.updateValidPte(a, (space.pageTables.readPte(a) | PTE_DIRTY) >>> 0);
    expect(trimPage(space, a >>> 12)).toBe(PfnState.Active);
    expect(space.pageTables.readPte(a)).toBe(0);
    expect(space.frames.shareCountOf(pfn)).toBe(1);
    expect(space.frames.isModified(pfn)).toBe(true); // the Dirty bit reached the frame
    expect(trimPage(space, b >>> 12)).toBe(PfnState.Modified);
    checkAddressSpaceInvariants(space);
  });
});

describe('trimming a working set', () => {
  it('takes the oldest pages first, spares the last four faulted in (except when emptying) and reports the pass', () => {
    const space = written(10);
    const { sink, trims } = recorder();
    space.events = sink;
    ageWorkingSet(space); // every page age 1
    // Pages 0 and 1 touched since: age 0 at the next pass.
    for (const page of [0, 1]) space.pageTables.updateValidPte(addressOf(page), (space.pageTables.readPte(addressOf(page)) | PTE_ACCESSED) >>> 0);
    // Pages 2-5 are age 2 after this pass, 0-1 age 0; 6-9 are the four most recent faults: spared.
    expect(trimWorkingSet(space, 5, 'low-memory', 0)).toBe(5);
    const left = space.workingSet.pages();
    expect(left).toHaveLength(5);
    expect(left).toEqual(expect.arrayContaining([BASE_VPN + 6, BASE_VPN + 7, BASE_VPN + 8, BASE_VPN + 9]));
    expect(left.filter((vpn) => vpn < BASE_VPN + 2)).toHaveLength(1); // one of the touched pages went last
    expect(trims).toEqual([{ pages: 5, why: 'low-memory', workingSetPages: 5, toStandby: 0, toModified: 5 }]);
    expect(space.workingSet.trimmedPages).toBe(5);
    // The four recent pages and the last touched one: asked for 10, only the touched one can go.
    expect(trimWorkingSet(space, 10, 'low-memory', 0)).toBe(1);
    expect(trimWorkingSet(space, 10, 'empty', 0)).toBe(4);
    expect(space.workingSet.trimmedPages).toBe(10);
    checkAddressSpaceInvariants(space);
  });

  it('never goes below its floor, and does nothing (no report) when there is nothing to take', () => {
    const space = written(10);
    const { sink, trims } = recorder();
    space.events = sink;
    expect(trimWorkingSet(space, 100, 'empty', 7)).toBe(3);
    expect(space.workingSet.size).toBe(7);
    expect(trimWorkingSet(space, 1, 'empty', 7)).toBe(0);
    expect(trimWorkingSet(space, 0, 'empty', 0)).toBe(0);
    expect(trims).toHaveLength(1);
    // The default floor is the working-set minimum.
    space.workingSet.minimumPages = 5;
    expect(trimWorkingSet(space, 100, 'empty')).toBe(2);
    expect(emptyWorkingSet(space)).toBe(5);
  });

  it('asked for nothing, does not even age; with nothing trimmable, reports nothing', () => {
    const space = written(6);
    const { sink, trims } = recorder();
    space.events = sink;
    expect(trimWorkingSet(space, 0, 'low-memory', 0)).toBe(0);
    expect(space.workingSet.ageAt(0)).toBe(0);
    for (let page = 0; page < 6; page++) space.workingSet.lock(BASE_VPN + page);
    expect(trimWorkingSet(space, 3, 'low-memory', 0)).toBe(0);
    expect(space.workingSet.ageAt(0)).toBe(1); // the pass aged them
    expect(trims).toEqual([]);
  });

  it('a view page still mapped elsewhere counts neither as standby nor as modified', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const map = () => (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    const a = map(), b = map();
    resolvePageFault(space, { address: a, write: false, user: true });
    resolvePageFault(space, { address: b, write: false, user: true });
    const { sink, trims } = recorder();
    space.events = sink;
    expect(trimWorkingSet(space, 1, 'empty', 1)).toBe(1);
    expect(trims).toEqual([{ pages: 1, why: 'empty', workingSetPages: 1, toStandby: 0, toModified: 0 }]);
  });

  it('counts what went to standby and what to the modified list', () => {
    const space = written(4, 64, 16);
    emptyWorkingSet(space);
    writeModifiedPages(space, 4);
    for (const page of [0, 1]) resolvePageFault(space, { address: addressOf(page), write: false, user: true });
    for (const page of [2, 3]) resolvePageFault(space, { address: addressOf(page), write: true, user: true });
    for (const page of [2, 3]) space.pageTables.updateValidPte(addressOf(page), (space.pageTables.readPte(addressOf(page)) | PTE_DIRTY) >>> 0);
    const { sink, trims } = recorder();
    space.events = sink;
    emptyWorkingSet(space);
    expect(trims).toEqual([{ pages: 4, why: 'empty', workingSetPages: 0, toStandby: 2, toModified: 2 }]);
  });
});

describe('balancing working sets before a fault', () => {
  it('without a page file, trims only a working set above its maximum, down to its minimum', () => {
    const space = written(30);
    space.workingSet.minimumPages = 10;
    const hogs = squeeze(space, 5);
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(30); // within its maximum: nothing it frees could become available
    space.workingSet.maximumPages = 20;
    balanceWorkingSets(space);
    // Target 8 + 64 = 72; 67 wanted, but never below the minimum: 30 - 10.
    expect(space.workingSet.size).toBe(10);
    expect(space.frames.modifiedCount).toBe(20);
    expect(space.frames.availablePages).toBe(5);
    release(space, hogs);
    checkAddressSpaceInvariants(space);
  });

  it('with a page file, trims toward the target and writes what it trimmed, in clusters of at most 16', () => {
    const space = written(30, 64, 128);
    space.workingSet.minimumPages = 10;
    const { sink, writes } = recorder();
    space.events = sink;
    const hogs = squeeze(space, 5);
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(10);
    // The 20 oldest pages (0-19) in two writes: 16 and 4.
    expect(writes.map((w) => w.pages)).toEqual([16, 4]);
    expect(writes[0]!.virtualAddresses).toEqual(Array.from({ length: 16 }, (_, i) => addressOf(i)));
    expect(writes[0]!.pageFile).toEqual({ number: 0, offsets: Array.from({ length: 16 }, (_, i) => i + 1) });
    expect(space.frames.standbyCount).toBe(20);
    expect(space.frames.availablePages).toBe(25);
    release(space, hogs);
    checkAddressSpaceInvariants(space);
  });

  it('below MmMinimumFreePages, trims under the minimum unless it is hard', () => {
    for (const hard of [false, true]) {
      const space = written(30, 64, 128);
      space.workingSet.minimumPages = 20;
      space.workingSet.hardMinimum = hard;
      const hogs = squeeze(space, 1);
      balanceWorkingSets(space);
      // Critical (1 < 2): floor 0, so all but the four recent pages; a hard minimum keeps 20.
      expect(space.workingSet.size).toBe(hard ? 20 : 4);
      release(space, hogs);
    }
  });

  it('writes modified pages past MmModifiedPageMaximum down to half of it', () => {
    const space = written(20, 64, 128);
    emptyWorkingSet(space);
    expect(space.frames.modifiedCount).toBe(20);
    balanceWorkingSets(space);
    // 20 ≥ 16: write 20 - 8 = 12, one whole cluster of 16.
    expect(space.frames.modifiedCount).toBe(4);
    const again = written(15, 64, 128);
    emptyWorkingSet(again);
    balanceWorkingSets(again);
    expect(again.frames.modifiedCount).toBe(15);
  });

  it('trims toward plenty + 64 available pages, writing the pages it trimmed and those modified before', () => {
    // 256 frames: plenty 16, so the target is 16 + max(64, 90 / 32) = 80 available pages.
    const space = written(100, 256, 512);
    for (let page = 0; page < 10; page++) trimPage(space, BASE_VPN + page); // 10 modified, pending
    const { sink, trims } = recorder();
    space.events = sink;
    const hogs = squeeze(space, 3);
    balanceWorkingSets(space);
    // 80 - 3 available - 10 pending = 67 wanted (more than the batch of 64): 90 - 67 = 23 left.
    expect(trims.map((t) => [t.pages, t.why])).toEqual([[67, 'low-memory']]);
    expect(space.workingSet.size).toBe(23);
    // Then the writer: 80 - 3 = 77 wanted, all 77 modified pages written.
    expect(space.frames.modifiedCount).toBe(0);
    expect(space.frames.availablePages).toBe(80);
    release(space, hogs);
    checkAddressSpaceInvariants(space);
  });

  it('trims nothing at exactly MmPlentyFreePages, and the whole deficit one page below it', () => {
    const space = written(100, 256, 512);
    const hogs = squeeze(space, 16); // exactly plenty: not low
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(100);
    release(space, hogs);
    const low = written(100, 256, 512);
    const few = squeeze(low, 15);
    expect(low.frames.availablePages).toBe(15);
    balanceWorkingSets(low);
    // 80 - 15 = 65 wanted: 65 trimmed.
    expect(low.workingSet.size).toBe(35);
    release(low, few);
  });

  it('writes the modified list down when it reaches MmModifiedPageMaximum exactly', () => {
    const space = written(16, 64, 128);
    emptyWorkingSet(space);
    expect(space.frames.modifiedCount).toBe(16);
    balanceWorkingSets(space);
    // 16 ≥ 16: 16 - 8 = 8 wanted, one cluster of 16.
    expect(space.frames.modifiedCount).toBe(0);
  });

  it('keeps the working set inside the host-mapping budget, an eighth (at least 64) at a time', () => {
    const space = written(12);
    space.residentPageLimit = 12;
    balanceWorkingSets(space);
    // 12 ≥ 12: up to max(64, 1, 1) pages, but the four recent faults are spared.
    expect(space.workingSet.size).toBe(4);
    space.residentPageLimit = 5;
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(4);
    // Far over the budget: everything over it goes at once (100 - 10 + 1 = 91 pages, more than 64).
    const large = written(100, 256);
    const { sink, trims } = recorder();
    large.events = sink;
    large.residentPageLimit = 10;
    balanceWorkingSets(large);
    expect(trims.map((t) => [t.pages, t.why])).toEqual([[91, 'host-mappings']]);
    expect(large.workingSet.size).toBe(9);
  });

  it('keeps a hard maximum: a working set at its maximum gives one page before the fault adds one', () => {
    const space = written(12);
    space.workingSet.maximumPages = 10;
    space.workingSet.hardMaximum = true;
    const { sink, trims } = recorder();
    space.events = sink;
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(9); // 12 - 10 + 1 trimmed
    expect(trims.map((t) => t.why)).toEqual(['hard-maximum']);
    space.workingSet.maximumPages = 9; // at the maximum exactly: one page makes room for the fault's
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(8);
    space.workingSet.maximumPages = 8;
    space.workingSet.hardMaximum = false;
    space.workingSet.maximumPages = 5;
    balanceWorkingSets(space);
    expect(space.workingSet.size).toBe(8);
  });
});

describe('the modified page writer', () => {
  it('writes a mapped file\'s pages back to the file, never to the page file', () => {
    const { space } = createAddressSpace(64, 64, 16);
    const data = new Uint8Array(PAGE + 0x80).fill(1);
    const fileWrites: [number, number][] = [];
    const file: BackingFile = {
      name: 'log.txt', controlArea: undefined, size: () => data.length, release: () => {},
      read: (offset, into) => { const part = data.subarray(offset, offset + into.length); into.set(part); return part.length; },
      write: (offset, bytes) => { fileWrites.push([offset, bytes.length]); data.set(bytes, offset); },
    };
    const section = createSection(space, { sizeBytes: data.length, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT, file }) as SectionObject;
    const base = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    const { sink, writes } = recorder();
    space.events = sink;
    resolvePageFault(space, { address: base + PAGE, write: true, user: true });
    space.pageTables.updateValidPte(base + PAGE, (space.pageTables.readPte(base + PAGE) | PTE_DIRTY) >>> 0);
    space.frameBytes(pfnOfPte(space.pageTables.readPte(base + PAGE))).fill(9);
    emptyWorkingSet(space);
    expect(space.frames.modifiedCount).toBe(1);
    expect(writeModifiedPages(space, 1)).toBe(1);
    expect(fileWrites).toEqual([[PAGE, 0x80]]); // the part of the page inside the file
    expect(data[PAGE + 0x7f]).toBe(9);
    expect(writes).toEqual([{ pages: 1, file: { name: 'log.txt', offsets: [PAGE] } }]);
    expect(space.pageFile!.usedPages).toBe(0);
    expect(space.frames.standbyCount).toBeGreaterThan(0);
    checkAddressSpaceInvariants(space);
  });

  it('writes a page-file-backed section\'s page to the page file, without virtual addresses', () => {
    const { space } = createAddressSpace(64, 64, 16);
    const section = createSection(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const base = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    resolvePageFault(space, { address: base, write: true, user: true });
    space.pageTables.updateValidPte(base, (space.pageTables.readPte(base) | PTE_DIRTY) >>> 0);
    const { sink, writes } = recorder();
    space.events = sink;
    emptyWorkingSet(space);
    expect(writeModifiedPages(space, 1)).toBe(1);
    expect(writes).toEqual([{ pages: 1, pageFile: { number: 0, offsets: [1] } }]);
    checkAddressSpaceInvariants(space);
  });

  it('writes nothing without a page file or when it is full, and as much of a cluster as one free run holds', () => {
    const none = written(4);
    emptyWorkingSet(none);
    expect(writeModifiedPages(none, 4)).toBe(0);
    expect(none.frames.modifiedCount).toBe(4);
    const space = written(8, 64, 4); // 3 usable slots: 1-3
    emptyWorkingSet(space);
    expect(writeModifiedPages(space, 1)).toBe(3);
    expect(space.frames.modifiedCount).toBe(5);
    expect(writeModifiedPages(space, 8)).toBe(0);
    expect(space.frames.modifiedCount).toBe(5);
    checkAddressSpaceInvariants(space);
  });

  it('clusters a page with its modified neighbours before and after it, up to 16', () => {
    const space = written(40, 128, 64);
    const { sink, writes } = recorder();
    space.events = sink;
    // Trim 20-39 first, then 0-19. Oldest first, each cluster forward from its page, then back: 20-35, 36-39, 0-15, 16-19.
    for (let page = 20; page < 40; page++) trimPage(space, BASE_VPN + page);
    for (let page = 0; page < 20; page++) trimPage(space, BASE_VPN + page);
    expect(writeModifiedPages(space, 1)).toBe(16);
    expect(writes[0]!.virtualAddresses![0]).toBe(addressOf(20));
    expect(writeModifiedPages(space, 40)).toBe(24);
    expect(writes.map((w) => [w.pages, w.virtualAddresses![0]])).toEqual([[16, addressOf(20)], [4, addressOf(36)], [16, addressOf(0)], [4, addressOf(16)]]);
    checkAddressSpaceInvariants(space);
  });

  it('a failed write gives its slots back and leaves the pages modified', () => {
    const { space } = createAddressSpace(64, 64);
    space.attachPageFile(new PageFile(16, new HostPagingFile(16, '/dev/full')));
    written(4, 64, 0, space);
    emptyWorkingSet(space);
    expect(() => writeModifiedPages(space, 4)).toThrow(/writing the page file \/dev\/full failed: .*ENOSPC/);
    expect(space.pageFile!.usedPages).toBe(0);
    expect(space.frames.modifiedCount).toBe(4);
    checkAddressSpaceInvariants(space);
  });
});

describe('repurposing a standby page', () => {
  it('a private page with a page-file copy gets a page-file PTE; without one (MEM_RESET), demand-zero', () => {
    const space = written(2, 64, 16);
    const { sink, repurposes } = recorder();
    space.events = sink;
    emptyWorkingSet(space);
    writeModifiedPages(space, 1); // page 0 → slot 1, page 1 → slot 2
    const first = pfnOfPte(space.pageTables.readPte(addressOf(0)));
    space.frames.releasePageFileCopy(pfnOfPte(space.pageTables.readPte(addressOf(1)))); // as MEM_RESET leaves it
    const hogs = squeeze(space, 0);
    // Offset 1 << 12 | MM_READWRITE << 5; MM_READWRITE << 5.
    expect(space.pageTables.readPte(addressOf(0))).toBe(0x00001080);
    expect(space.pageTables.readPte(addressOf(1))).toBe(0x00000080);
    expect(repurposes[0]).toEqual({ pfn: first, pteAddress: 0xc0000000 + BASE_VPN * 4, prototype: false, pteAfter: 0x00001080 });
    expect(space.frames.repurposedCount).toBe(2);
    release(space, hogs);
    checkAddressSpaceInvariants(space);
  });

  it('a section page falls back to its original prototype PTE, or to its page-file copy', () => {
    const { space } = createAddressSpace(64, 64, 16);
    const section = createSection(space, { sizeBytes: 2 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const base = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    resolvePageFault(space, { address: base, write: false, user: true });
    resolvePageFault(space, { address: base + PAGE, write: true, user: true });
    space.pageTables.updateValidPte(base + PAGE, (space.pageTables.readPte(base + PAGE) | PTE_DIRTY) >>> 0);
    emptyWorkingSet(space);
    writeModifiedPages(space, 1); // page 1 → slot 1
    const hogs = squeeze(space, 0);
    const ptes = section.controlArea.segment.prototypePtes;
    expect(ptes.get(0)).toBe(0x80); // never written: demand-zero again
    expect(ptes.get(1)).toBe(0x00001080); // its copy in the page file
    // Read back from the page file.
    release(space, hogs);
    expect(resolvePageFault(space, { address: base + PAGE, write: false, user: true })).toMatchObject({
      kind: 'resolved', how: 'pagefile-read', section: { pageFile: { number: 0, offset: 1, clusterPages: 1 } },
    });
    checkAddressSpaceInvariants(space);
  });

  it('a frame whose PTE does not name it in transition is a kernel bug', () => {
    const space = written(2, 64, 16);
    const pfn = pfnOfPte(space.pageTables.readPte(addressOf(0)));
    expect(() => repurposeStandbyFrame(space, pfn, 0xc0000000 + BASE_VPN * 4, false)).toThrow(KernelPanic);
    expect(() => repurposeStandbyFrame(space, pfn, 0xc0000000 + BASE_VPN * 4, false)).toThrow(/standby PFN \d+: PTE for 0x00100000 is 0x[0-9a-f]{8}, not a transition PTE naming it/);
    expect(() => repurposeStandbyFrame(space, pfn, 0xe1000000, true)).toThrow(/names prototype PTE 0xe1000000, which no segment holds/);
    // A transition PTE naming another frame.
    trimPage(space, BASE_VPN);
    expect(() => repurposeStandbyFrame(space, pfn + 1, 0xc0000000 + BASE_VPN * 4, false)).toThrow(/not a transition PTE naming it/);
  });

  it('a section frame whose prototype PTE is valid, or names another frame, is a kernel bug', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const base = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    resolvePageFault(space, { address: base, write: false, user: true });
    const pfn = pfnOfPte(space.pageTables.readPte(base));
    const address = section.controlArea.segment.prototypePteAddress(0);
    expect(() => repurposeStandbyFrame(space, pfn, address, true)).toThrow(/standby PFN \d+: prototype PTE 0xe1000000 is 0x[0-9a-f]{8}, not a transition PTE naming it/);
    trimPage(space, base >>> 12); // now transition, naming pfn
    expect(() => repurposeStandbyFrame(space, pfn + 1, address, true)).toThrow(/not a transition PTE naming it/);
  });

  it('a private page of another process falls back in that process\'s page tables', () => {
    const first = written(2, 64, 16);
    const tables = new PageTables(first.frames, first.memory, new RecordingHardware(), first.pageTables);
    const second = new AddressSpace(tables, first.frames, first.memory, first.commit, first.pagedPool, first.system);
    written(2, 64, 16, second);
    emptyWorkingSet(second);
    writeModifiedPages(second, 2);
    release(first, squeeze(first, 0)); // from the first process: the second's standby frames are repurposed
    expect(second.pageTables.readPte(addressOf(0))).toBe(0x00001080);
    expect(isValidPte(first.pageTables.readPte(addressOf(0)))).toBe(true);
    checkAddressSpaceInvariants(first);
  });
});

describe('hard faults from the page file', () => {
  /** `pages` pages written out and repurposed: every PTE a page-file PTE, slots 1.. in page order. */
  function pagedOut(pages: number, frames = 128) {
    const space = written(pages, frames, 64);
    emptyWorkingSet(space);
    while (space.frames.modifiedCount > 0) writeModifiedPages(space, space.frames.modifiedCount);
    release(space, squeeze(space, 0));
    for (let i = 0; i < pages; i++) expect(isPageFilePte(space.pageTables.readPte(addressOf(i)))).toBe(true);
    return space;
  }
  const fault = (space: AddressSpace, page: number) => resolvePageFault(space, { address: addressOf(page), write: false, user: true });

  it('reads up to 7 pages, after the fault first, then before it, staying in the VAD', () => {
    const space = pagedOut(10);
    expect(fault(space, 8)).toMatchObject({ how: 'pagefile-read', pageFile: { offset: 9, clusterPages: 7 } });
    // 8, then 9 (the VAD's last page), then 7, 6, 5, 4, 3.
    for (const page of [3, 4, 5, 6, 7, 9]) expect(isTransitionPte(space.pageTables.readPte(addressOf(page)))).toBe(true);
    expect(isPageFilePte(space.pageTables.readPte(addressOf(2)))).toBe(true);
    expect(space.frameBytes(pfnOfPte(space.pageTables.readPte(addressOf(3))))[0]).toBe(4);
    expect(fault(space, 0)).toMatchObject({ pageFile: { offset: 1, clusterPages: 3 } }); // 0, 1, 2: then page 3 is resident
    checkAddressSpaceInvariants(space);
  });

  it('reads no more pages than are available beyond MmPlentyFreePages', () => {
    const space = pagedOut(10, 64);
    // 10 available; the faulting page's frame is taken first: 9, one beyond plenty (8), so one neighbour.
    const hogs = squeeze(space, 10);
    expect(fault(space, 0)).toMatchObject({ pageFile: { clusterPages: 2 } });
    release(space, hogs);
    const tight = pagedOut(10, 64);
    const all = squeeze(tight, 8);
    expect(fault(tight, 0)).toMatchObject({ pageFile: { clusterPages: 1 } });
    release(tight, all);
  });

  it('stops a cluster at a page whose slot does not follow', () => {
    const space = written(4, 128, 64);
    trimPage(space, BASE_VPN);
    trimPage(space, BASE_VPN + 1);
    expect(writeModifiedPages(space, 2)).toBe(2); // pages 0, 1 → slots 1, 2
    expect(space.pageFile!.allocateRun(1)).toEqual({ slot: 3, length: 1 }); // slot 3 is someone else's
    trimPage(space, BASE_VPN + 2);
    trimPage(space, BASE_VPN + 3);
    expect(writeModifiedPages(space, 2)).toBe(2); // pages 2, 3 → slots 4, 5
    release(space, squeeze(space, 0));
    expect(fault(space, 1)).toMatchObject({ pageFile: { offset: 2, clusterPages: 2 } }); // 1, then 0 before it; 2 has slot 4, not 3
    expect(isPageFilePte(space.pageTables.readPte(addressOf(2)))).toBe(true);
    expect(fault(space, 2)).toMatchObject({ pageFile: { offset: 4, clusterPages: 2 } }); // 2 and 3
    expect(space.frameBytes(pfnOfPte(space.pageTables.readPte(addressOf(2))))[0]).toBe(3);
    space.pageFile!.release(3);
    checkAddressSpaceInvariants(space);
  });

  it('stops a cluster at the end of a page table', () => {
    const { space } = createAddressSpace(128, 128, 64);
    space.workingSet.minimumPages = 0;
    // Pages 0x3FE-0x401: the first two in the page table of 0x000000-0x3FFFFF, the others in the next.
    space.createVad({ startingVpn: 0x3fe, endingVpn: 0x401, protection: MM_READWRITE, privateMemory: true, memCommit: true });
    for (let vpn = 0x3fe; vpn <= 0x401; vpn++) resolvePageFault(space, { address: vpn * PAGE, write: true, user: true });
    emptyWorkingSet(space);
    writeModifiedPages(space, 4);
    release(space, squeeze(space, 0));
    expect(resolvePageFault(space, { address: 0x3ff * PAGE, write: false, user: true })).toMatchObject({ pageFile: { clusterPages: 2 } });
    expect(isPageFilePte(space.pageTables.readPte(0x400 * PAGE))).toBe(true);
  });

  it('a failed read is an in-page error with the I/O\'s status, and the frames it took go back', () => {
    const { space } = createAddressSpace(128, 128);
    const store = new HostPagingFile(64);
    space.attachPageFile(new PageFile(64, store));
    written(4, 128, 0, space);
    emptyWorkingSet(space);
    writeModifiedPages(space, 4);
    release(space, squeeze(space, 0));
    store.dispose(); // the host file is gone: reads fail (EBADF)
    const before = space.frames.counts();
    const pte = space.pageTables.readPte(addressOf(1));
    expect(fault(space, 1)).toMatchObject({ kind: 'in-page-error', ioStatus: 0xc00000e9, pteBefore: pte });
    expect(space.frames.counts()).toEqual(before);
    expect(space.pageTables.readPte(addressOf(1))).toBe(pte);
    checkAddressSpaceInvariants(space);
  });
});
