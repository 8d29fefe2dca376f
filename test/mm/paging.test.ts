// Working sets, trimming, the page lists, the page file and soft and hard
// faults, on the memory manager alone (no CPU).
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { addressOfVpn } from '../../src/mm/layout.js';
import { writeModifiedPages } from '../../src/mm/modified-page-writer.js';
import { MemoryPagingStore, PageFile } from '../../src/mm/page-file.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import {
  PTE_DIRTY, isPageFilePte, isTransitionPte, makePageFilePte, pageFileNumberOf, pageFileOffsetOf, pfnOfPte,
} from '../../src/mm/pte.js';
import { emptyWorkingSet, trimPage } from '../../src/mm/working-set-manager.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { MEM_DECOMMIT, freeVirtualMemory } from '../../src/mm/virtual-memory.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const BASE_VPN = 0x100;
const touch = (vpn: number, write: boolean) => ({ address: addressOfVpn(vpn), write, user: true });

/** A private committed region of `pages` pages at 0x100000, each page written with its own byte. */
function writtenRegion(frames: number, pages: number, pagefilePages: number) {
  const made = createAddressSpace(frames, frames, pagefilePages);
  const { space } = made;
  space.workingSet.minimumPages = 0;
  space.createVad({ startingVpn: BASE_VPN, endingVpn: BASE_VPN + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: true });
  for (let i = 0; i < pages; i++) {
    const result = resolvePageFault(space, touch(BASE_VPN + i, true));
    if (result.kind !== 'resolved') throw new Error(`fault ${i}: ${result.kind}`);
    space.frameBytes(result.pfn).fill(i + 1);
    // As the MMU would on the write.
    const address = addressOfVpn(BASE_VPN + i);
    space.pageTables.updateValidPte(address, (space.pageTables.readPte(address) | PTE_DIRTY) >>> 0);
  }
  return made;
}

describe('page-file PTEs (Windows x86 non-PAE MMPTE_SOFTWARE)', () => {
  it('put the page-file number in bits 1-4, the protection in 5-9 and the offset in 12-31', () => {
    // Offset 0x1a2 << 12 = 0x001a2000; MM_READWRITE (4) << 5 = 0x80; page file 3 << 1 = 6.
    expect(makePageFilePte(0, 0x1a2, MM_READWRITE)).toBe(0x001a2080);
    expect(makePageFilePte(3, 0x1a2, MM_READWRITE)).toBe(0x001a2086);
    expect(isPageFilePte(0x001a2086)).toBe(true);
    expect(pageFileNumberOf(0x001a2086)).toBe(3);
    expect(pageFileOffsetOf(0x001a2086)).toBe(0x1a2);
    // Offset 0 is a demand-zero PTE, not a page-file one; 0 and 0xFFFFF cannot be encoded.
    expect(isPageFilePte(0x00000080)).toBe(false);
    expect(() => makePageFilePte(0, 0, MM_READWRITE)).toThrow(RangeError);
    expect(() => makePageFilePte(0, 0xfffff, MM_READWRITE)).toThrow(RangeError);
  });
});

describe('the page file', () => {
  it('never hands out offset 0 and counts only the slots it can use', () => {
    const pageFile = new PageFile(4, new MemoryPagingStore());
    expect(pageFile.sizePages).toBe(3);
    expect(pageFile.allocateRun(4)).toEqual({ slot: 1, length: 3 });
    expect(pageFile.allocateRun(1)).toBeUndefined();
    pageFile.release(2);
    expect(pageFile.allocateRun(2)).toEqual({ slot: 2, length: 1 });
    pageFile.checkInvariants();
  });

  it('skips offset 0xFFFFF at the end of page file 0 and offset 0 of page file 1', () => {
    const pageFile = new PageFile((1 << 20) + 2, new MemoryPagingStore());
    expect(pageFile.sizePages).toBe((1 << 20) + 2 - 3);
    let last = 0;
    for (let run = pageFile.allocateRun(16); run; run = pageFile.allocateRun(16)) last = run.slot + run.length - 1;
    expect(pageFile.usedPages).toBe(pageFile.sizePages);
    expect(pageFile.isAllocated(0xfffff)).toBe(false);
    expect(pageFile.isAllocated(1 << 20)).toBe(false);
    expect(last).toBe((1 << 20) + 1);
  });
});

describe('trimming and soft faults', () => {
  it('a trimmed dirty page goes to the modified list behind a transition PTE, and a soft fault takes it back', () => {
    const { space } = writtenRegion(64, 4, 0);
    const pteBefore = space.pageTables.readPte(addressOfVpn(BASE_VPN));
    expect(trimPage(space, BASE_VPN)).toBe(PfnState.Modified);
    const transition = space.pageTables.readPte(addressOfVpn(BASE_VPN));
    expect(isTransitionPte(transition)).toBe(true);
    expect(pfnOfPte(transition)).toBe(pfnOfPte(pteBefore));
    expect(space.workingSet.has(BASE_VPN)).toBe(false);
    checkAddressSpaceInvariants(space);
    const result = resolvePageFault(space, touch(BASE_VPN, false));
    expect(result).toMatchObject({ kind: 'resolved', how: 'transition', pfn: pfnOfPte(pteBefore), pteBefore: transition });
    expect(space.frameBytes(pfnOfPte(pteBefore))[0]).toBe(1);
    expect(space.frames.stateOf(pfnOfPte(pteBefore))).toBe(PfnState.Active);
    checkAddressSpaceInvariants(space);
  });

  it('EmptyWorkingSet keeps locked pages and trims the rest', () => {
    const { space } = writtenRegion(64, 4, 0);
    space.workingSet.lock(BASE_VPN + 2);
    emptyWorkingSet(space);
    expect(space.workingSet.pages()).toEqual([BASE_VPN + 2]);
    checkAddressSpaceInvariants(space);
  });

  it('the invariant checker notices a valid page missing from the working set', () => {
    const { space } = writtenRegion(64, 2, 0);
    space.workingSet.remove(BASE_VPN);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(KernelPanic);
  });
});

describe('the modified page writer, repurposing and hard faults', () => {
  it('writes trimmed neighbours as one cluster, repurposes standby frames, and reads pages back with read clustering', () => {
    const { space, store } = writtenRegion(64, 8, 64);
    emptyWorkingSet(space);
    expect(space.frames.modifiedCount).toBe(8);
    expect(writeModifiedPages(space, 1)).toBe(8); // one cluster of 8 neighbours
    expect(store.writes).toBe(1);
    expect(space.frames.standbyCount).toBe(8);
    // Take every free frame, so the standby pages are repurposed: their PTEs become page-file PTEs.
    while (space.frames.counts().zeroed + space.frames.counts().free > 0) space.frames.allocateFrame(0xc0001000);
    for (let i = 0; i < 8; i++) space.frames.allocateFrame(0xc0001000);
    expect(space.frames.repurposedCount).toBe(8);
    const ptes = Array.from({ length: 8 }, (_, i) => space.pageTables.readPte(addressOfVpn(BASE_VPN + i)));
    expect(ptes.every(isPageFilePte)).toBe(true);
    expect(ptes.map(pageFileOffsetOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a hard fault reads the page and its neighbours at the next page-file offsets (at most 7), the others to standby', () => {
    const { space, store } = writtenRegion(256, 10, 64);
    emptyWorkingSet(space);
    writeModifiedPages(space, 10);
    // Use up every zeroed and free frame, then the ten standby ones (repurposed), then give the hogs back.
    const hogs: number[] = [];
    for (let pfn = space.frames.allocateFrame(0xc0001000); pfn !== undefined; pfn = space.frames.allocateFrame(0xc0001000)) hogs.push(pfn);
    for (const pfn of hogs) space.frames.releaseFrame(pfn);
    checkAddressSpaceInvariants(space);
    const before = space.pageTables.readPte(addressOfVpn(BASE_VPN + 3));
    expect(pageFileOffsetOf(before)).toBe(4); // page 0 went to offset 1
    const result = resolvePageFault(space, touch(BASE_VPN + 3, false));
    expect(result).toMatchObject({ kind: 'resolved', how: 'pagefile-read', pteBefore: before, pageFile: { number: 0, offset: 4, clusterPages: 7 } });
    expect(store.reads).toBe(1);
    if (result.kind !== 'resolved') return;
    expect(space.frameBytes(result.pfn)[0]).toBe(4);
    for (let i = 4; i <= 9; i++) {
      const pte = space.pageTables.readPte(addressOfVpn(BASE_VPN + i));
      expect(isTransitionPte(pte)).toBe(true);
      expect(space.frames.stateOf(pfnOfPte(pte))).toBe(PfnState.Standby);
      expect(space.frameBytes(pfnOfPte(pte))[100]).toBe(i + 1);
    }
    expect(isPageFilePte(space.pageTables.readPte(addressOfVpn(BASE_VPN + 2)))).toBe(true);
    checkAddressSpaceInvariants(space);
    // The read-ahead page is a soft fault now; its page-file copy stays until it is written to.
    expect(resolvePageFault(space, touch(BASE_VPN + 5, false))).toMatchObject({ how: 'transition' });
    expect(space.pageFile!.usedPages).toBe(10);
    checkAddressSpaceInvariants(space);
  });

  it('decommitting paged-out and trimmed pages frees their page-file space and frames', () => {
    const { space } = writtenRegion(64, 8, 64);
    emptyWorkingSet(space);
    writeModifiedPages(space, 8);
    expect(space.pageFile!.usedPages).toBe(8);
    const hogs: number[] = [];
    for (let i = 0; i < 4; i++) hogs.push(space.frames.allocateFrame(0xc0001000)!);
    while (space.frames.counts().zeroed + space.frames.counts().free > 0) hogs.push(space.frames.allocateFrame(0xc0001000)!);
    for (let i = 0; i < 4; i++) hogs.push(space.frames.allocateFrame(0xc0001000)!); // four standby pages repurposed
    for (const pfn of hogs) space.frames.releaseFrame(pfn);
    const ptes = Array.from({ length: 8 }, (_, i) => space.pageTables.readPte(addressOfVpn(BASE_VPN + i)));
    expect(ptes.filter(isPageFilePte)).toHaveLength(4);
    expect(ptes.filter(isTransitionPte)).toHaveLength(4);
    expect(freeVirtualMemory(space, { base: addressOfVpn(BASE_VPN), size: 8 * 4096, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(space.pageFile!.usedPages).toBe(0);
    expect(space.frames.standbyCount + space.frames.modifiedCount).toBe(0);
    checkAddressSpaceInvariants(space);
  });
});
