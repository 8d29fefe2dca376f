// Faults in views through prototype PTEs, without a CPU: read clusters of a
// mapped data file (WRK MmReadClusterSize = 7, and no more than the frames
// beyond MmPlentyFreePages), soft faults on a prototype PTE in transition,
// a page-file-backed section page read back from the page file, and the
// no-memory and in-page-error paths, which must leave every frame count as
// it was.
import { describe, expect, it } from 'vitest';
import type { AddressSpace } from '../../src/mm/address-space.js';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { writeModifiedPages } from '../../src/mm/modified-page-writer.js';
import { PageFile } from '../../src/mm/page-file.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { PTE_DIRTY, isTransitionPte, isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import { SEC_COMMIT, SectionObject, createSection, dereferenceSection, type BackingFile } from '../../src/mm/section.js';
import { mapViewOfSection, unmapViewOfSection } from '../../src/mm/section-view.js';
import { emptyWorkingSet } from '../../src/mm/working-set-manager.js';
import { HostPagingFile } from '../../src/kernel/io/paging-file.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const PAGE = 0x1000;
const PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08;
const touch = (address: number, write: boolean) => ({ address, write, user: true });

/** A file whose page n holds n + 1, and the reads made of it. */
function numberedFile(pages: number): BackingFile & { reads: number[] } {
  const reads: number[] = [];
  return {
    name: 'pages.bin', controlArea: undefined, reads, size: () => pages * PAGE, release: () => {}, write: () => {},
    read: (offset, into) => { reads.push(offset / PAGE); into.fill(offset / PAGE + 1); return into.length; },
  };
}

function mapFile(space: AddressSpace, file: BackingFile, protect = PAGE_READONLY): { section: SectionObject; base: number } {
  const section = createSection(space, { sizeBytes: file.size(), protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT, file }) as SectionObject;
  const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect });
  if (!('base' in view)) throw new Error(`map: ${view.status}`);
  return { section, base: view.base };
}

function hog(space: AddressSpace, left: number): number[] {
  const hogs: number[] = [];
  while (space.frames.availablePages > left) hogs.push(space.frames.allocateFrame(0xc0001000)!);
  return hogs;
}

describe('read clusters of a mapped data file', () => {
  it('read 7 pages in one go: the faulting one and those after it, then before it', () => {
    const { space } = createAddressSpace(128, 128);
    const file = numberedFile(12);
    const { section, base } = mapFile(space, file);
    expect(resolvePageFault(space, touch(base + 9 * PAGE, false))).toMatchObject({ how: 'section-file', fileBytes: 7 * PAGE, section: { clusterPages: 7, fileOffset: 9 * PAGE } });
    // 9 first, then the cluster around it: 10 and 11 (the end of the file) after it, 8, 7, 6, 5 before it.
    expect(file.reads[0]).toBe(9);
    expect([...file.reads].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    const ptes = section.controlArea.segment.prototypePtes;
    expect(isValidPte(ptes.get(9))).toBe(true);
    for (const page of [5, 6, 7, 8, 10, 11]) expect(isTransitionPte(ptes.get(page))).toBe(true);
    expect(ptes.get(4)).toBe(0x480); // still in the file: MM_READWRITE << 5 | Prototype
    // A page read ahead is a soft fault; its prototype PTE is valid again.
    expect(resolvePageFault(space, touch(base + 10 * PAGE, false))).toMatchObject({ how: 'transition', fileBytes: 0 });
    expect(isValidPte(ptes.get(10))).toBe(true);
    expect(space.frameBytes(pfnOfPte(space.pageTables.readPte(base + 10 * PAGE)))[0]).toBe(11);
    // Page 4: 4 alone forward (5 is resident), then 3, 2, 1, 0 before it.
    expect(resolvePageFault(space, touch(base + 4 * PAGE, false))).toMatchObject({ section: { clusterPages: 5 } });
    checkAddressSpaceInvariants(space);
  });

  it('read no more pages than there are frames beyond MmPlentyFreePages', () => {
    const cluster = (left: number) => {
      const { space } = createAddressSpace(128, 128); // plenty: 8
      const { base } = mapFile(space, numberedFile(16));
      resolvePageFault(space, touch(base + 15 * PAGE, false)); // pages 9-15, and the page table
      const hogs = hog(space, left);
      const result = resolvePageFault(space, touch(base, false));
      for (const pfn of hogs) space.frames.releaseFrame(pfn);
      return result.kind === 'resolved' ? result.section?.clusterPages : result.kind;
    };
    // The faulting page takes one frame first: 11 leave 10, two beyond plenty, so two neighbours.
    expect(cluster(11)).toBe(3);
    expect(cluster(9)).toBe(1);
    expect(cluster(100)).toBe(7);
  });
});

describe('faults on a page-file-backed section', () => {
  function pagedOutSection(store?: HostPagingFile) {
    const { space } = createAddressSpace(64, 64, store ? 0 : 16);
    if (store) space.attachPageFile(new PageFile(16, store));
    space.workingSet.minimumPages = 0;
    const section = createSection(space, { sizeBytes: 2 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const base = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    const result = resolvePageFault(space, touch(base + PAGE, true));
    if (result.kind !== 'resolved') throw new Error(result.kind);
    space.frameBytes(result.pfn).fill(0x3c);
    space.pageTables.updateValidPte(base + PAGE, (space.pageTables.readPte(base + PAGE) | PTE_DIRTY) >>> 0);
    emptyWorkingSet(space);
    expect(writeModifiedPages(space, 1)).toBe(1);
    const hogs = hog(space, 0); // repurposes the standby frame: the prototype PTE names slot 1
    for (const pfn of hogs) space.frames.releaseFrame(pfn);
    expect(section.controlArea.segment.prototypePtes.get(1)).toBe(0x00001080);
    return { space, section, base };
  }

  it('reads a page back from the page file, keeping its copy there', () => {
    const { space, section, base } = pagedOutSection();
    const result = resolvePageFault(space, touch(base + PAGE, false));
    expect(result).toMatchObject({ kind: 'resolved', how: 'pagefile-read', section: { pageFile: { number: 0, offset: 1, clusterPages: 1 } } });
    if (result.kind !== 'resolved') return;
    expect(space.frameBytes(result.pfn)[0xfff]).toBe(0x3c);
    expect(space.frames.pageFileSlotOf(result.pfn)).toBe(1);
    expect(space.frames.isModified(result.pfn)).toBe(false);
    expect(space.frames.isPrototype(result.pfn)).toBe(true);
    expect(space.frames.originalPteOf(result.pfn)).toBe(0x80); // demand-zero read-write, its page-file copy aside
    expect(isValidPte(section.controlArea.segment.prototypePtes.get(1))).toBe(true);
    checkAddressSpaceInvariants(space);
  });

  it('closing the section gives back the page-file copies its prototype PTEs name', () => {
    const { space, section, base } = pagedOutSection();
    expect(space.pageFile!.usedPages).toBe(1);
    expect(unmapViewOfSection(space, base)).toBe(0);
    dereferenceSection(space, section);
    expect(space.pageFile!.usedPages).toBe(0);
    expect(space.controlAreas.size).toBe(0);
    checkAddressSpaceInvariants(space);
  });

  it('a failed page-file read is an in-page error that leaves the prototype PTE and the frames as they were', () => {
    const store = new HostPagingFile(16);
    const { space, section, base } = pagedOutSection(store);
    store.dispose();
    const before = space.frames.counts();
    expect(resolvePageFault(space, touch(base + PAGE, false))).toMatchObject({ kind: 'in-page-error', ioStatus: 0xc00000e9 });
    expect(space.frames.counts()).toEqual(before);
    expect(section.controlArea.segment.prototypePtes.get(1)).toBe(0x00001080);
  });
});

describe('running out of frames in a view', () => {
  it('with no frame left, a first touch is no-memory, and a copy-on-write write keeps the share its valid PTE holds', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: 2 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const map = (protect: number) => (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect }) as { base: number }).base;
    const shared = map(PAGE_READWRITE), copy = map(PAGE_WRITECOPY);
    resolvePageFault(space, touch(shared, false)); // the page tables and page 0's frame
    resolvePageFault(space, touch(copy, false));
    const hogs = hog(space, 0);
    const before = space.frames.counts();
    expect(resolvePageFault(space, touch(shared + PAGE, false))).toMatchObject({ kind: 'no-memory' });
    expect(resolvePageFault(space, touch(copy + PAGE, true))).toMatchObject({ kind: 'no-memory' }); // a private zero page
    // A write to the valid copy-on-write page with no frame for the copy: the PTE still maps the shared frame, so its share stays
    // (it used to be dropped: the frame went to standby while mapped, where it could be repurposed under the view).
    const pfn = pfnOfPte(space.pageTables.readPte(copy));
    expect(resolvePageFault(space, touch(copy, true))).toMatchObject({ kind: 'no-memory' });
    expect(space.frames.counts()).toEqual(before);
    expect(space.frames.shareCountOf(pfn)).toBe(2);
    expect(section.controlArea.segment.prototypePtes.get(1)).toBe(0x80);
    for (const frame of hogs) space.frames.releaseFrame(frame);
    checkAddressSpaceInvariants(space);
  });

  it('a first write through a copy-on-write view to a page another view maps, with no frame for the copy, gives back the share it took', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: 2 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const map = (protect: number) => (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect }) as { base: number }).base;
    const shared = map(PAGE_READWRITE), copy = map(PAGE_WRITECOPY);
    resolvePageFault(space, touch(shared + PAGE, false));
    resolvePageFault(space, touch(copy, false)); // the copy view's page table
    const pfn = pfnOfPte(space.pageTables.readPte(shared + PAGE));
    const hogs = hog(space, 0);
    expect(resolvePageFault(space, touch(copy + PAGE, true))).toMatchObject({ kind: 'no-memory' });
    expect(space.frames.shareCountOf(pfn)).toBe(1);
    expect(space.pageTables.readPte(copy + PAGE)).toBe(0);
    for (const frame of hogs) space.frames.releaseFrame(frame);
    checkAddressSpaceInvariants(space);
  });

  it('a view page whose page table cannot be made is no-memory', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const base = (mapViewOfSection(space, section, { base: 0x800000, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE }) as { base: number }).base;
    const hogs = hog(space, 0);
    expect(resolvePageFault(space, touch(base, false))).toMatchObject({ kind: 'no-memory', pteBefore: 0 });
    for (const frame of hogs) space.frames.releaseFrame(frame);
  });

  it('a write to a valid copy-on-write page says which control area and prototype PTE it went through', () => {
    const { space } = createAddressSpace(64, 64);
    const section = createSection(space, { sizeBytes: 2 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const copy = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_WRITECOPY }) as { base: number }).base;
    resolvePageFault(space, touch(copy + PAGE, false));
    expect(resolvePageFault(space, touch(copy + PAGE, true))).toMatchObject({
      kind: 'resolved', how: 'copy-on-write', section: { controlArea: section.controlArea.id, prototypePte: section.controlArea.segment.prototypePteAddress(1) },
    });
    // The prototype PTE's address: the segment's pool page (the first in paged pool) plus 4 bytes per PTE.
    expect(section.controlArea.segment.prototypePteAddress(1)).toBe(0xe1000004);
  });

  it('a first write to a copy-on-write page in the file reads the page, then copies it, leaving the shared frame on standby', () => {
    const { space } = createAddressSpace(64, 64);
    const file = numberedFile(2);
    const { section, base } = mapFile(space, file, PAGE_WRITECOPY);
    const result = resolvePageFault(space, touch(base, true));
    expect(result).toMatchObject({ kind: 'resolved', how: 'copy-on-write', fileBytes: 2 * PAGE });
    if (result.kind !== 'resolved') return;
    expect(space.frameBytes(result.pfn)[5]).toBe(1);
    const shared = pfnOfPte(section.controlArea.segment.prototypePtes.get(0));
    expect(shared).not.toBe(result.pfn);
    expect(space.frames.stateOf(shared)).toBe(PfnState.Standby);
    expect(isTransitionPte(section.controlArea.segment.prototypePtes.get(0))).toBe(true);
    checkAddressSpaceInvariants(space);
  });
});
