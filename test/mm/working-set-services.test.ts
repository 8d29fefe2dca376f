// The working-set services on the memory manager alone (no CPU):
// VirtualLock / VirtualUnlock, SetProcessWorkingSetSizeEx and
// GetProcessWorkingSetSizeEx, MEM_RESET / MEM_RESET_UNDO, QueryWorkingSet and
// QueryWorkingSetEx. Status values are the documented NTSTATUS numbers;
// block layouts are PSAPI_WORKING_SET_BLOCK and PSAPI_WORKING_SET_EX_BLOCK
// from the Windows SDK (psapi.h), written out as literals.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { writeModifiedPages } from '../../src/mm/modified-page-writer.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { isPageFilePte, isTransitionPte, isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { MEM_COMMIT, MEM_RESERVE, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import {
  lockVirtualMemory, resetVirtualMemory, setWorkingSetLimits, undoResetVirtualMemory, unlockVirtualMemory, workingSetBlocks,
  workingSetExBlock, workingSetLimits,
} from '../../src/mm/working-set-services.js';
import { emptyWorkingSet, trimPage } from '../../src/mm/working-set-manager.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

// NTSTATUS values (ntstatus.h).
const STATUS_SUCCESS = 0;
const STATUS_ACCESS_VIOLATION = 0xc0000005;
const STATUS_INVALID_PARAMETER = 0xc000000d;
const STATUS_CONFLICTING_ADDRESSES = 0xc0000018;
const STATUS_NOT_LOCKED = 0xc000002a;
const STATUS_BAD_WORKING_SET_LIMIT = 0xc000004c;
const STATUS_MEMORY_NOT_ALLOCATED = 0xc00000a0;
const STATUS_WORKING_SET_QUOTA = 0xc00000a1;
const STATUS_INVALID_PARAMETER_2 = 0xc00000f0;
const STATUS_INVALID_PARAMETER_3 = 0xc00000f1;
// winnt.h
const PAGE_NOACCESS = 0x01, PAGE_READWRITE = 0x04, PAGE_GUARD = 0x100;
const QUOTA_LIMITS_HARDWS_MIN_ENABLE = 1, QUOTA_LIMITS_HARDWS_MIN_DISABLE = 2, QUOTA_LIMITS_HARDWS_MAX_ENABLE = 4, QUOTA_LIMITS_HARDWS_MAX_DISABLE = 8;

const BASE = 0x100000;
const PAGE = 0x1000;
const touch = (address: number, write: boolean) => ({ address, write, user: true });

/** A committed read-write region of `pages` pages at 0x100000 (private, not yet touched). */
function region(pages: number, frames = 256, pagefilePages = 0) {
  const made = createAddressSpace(frames, frames, pagefilePages);
  const status = allocateVirtualMemory(made.space, { base: BASE, size: pages * PAGE, zeroBits: 0, allocationType: MEM_COMMIT | MEM_RESERVE, protect: PAGE_READWRITE });
  if (status.status !== STATUS_SUCCESS) throw new Error(`allocate: ${status.status.toString(16)}`);
  return made;
}

function write(space: ReturnType<typeof region>['space'], first: number, count: number): void {
  for (let i = 0; i < count; i++) {
    const result = resolvePageFault(space, touch(BASE + (first + i) * PAGE, true));
    if (result.kind !== 'resolved') throw new Error(`fault: ${result.kind}`);
    space.frameBytes(result.pfn).fill(first + i + 1);
  }
}

describe('VirtualLock and VirtualUnlock', () => {
  it('brings every page in and locks it in the working set; the range is rounded out to whole pages', () => {
    const { space } = region(4);
    expect(lockVirtualMemory(space, BASE + 0x10, 0x1000)).toEqual({ status: STATUS_SUCCESS, base: BASE, size: 0x2000 });
    expect(isValidPte(space.pageTables.readPte(BASE))).toBe(true);
    expect(isValidPte(space.pageTables.readPte(BASE + PAGE))).toBe(true);
    expect(isValidPte(space.pageTables.readPte(BASE + 2 * PAGE))).toBe(false);
    expect(space.workingSet.lockedPages).toBe(2);
    emptyWorkingSet(space);
    expect(space.workingSet.pages().sort()).toEqual([0x100, 0x101]);
    checkAddressSpaceInvariants(space);
    expect(unlockVirtualMemory(space, BASE, 0x2000)).toEqual({ status: STATUS_SUCCESS, base: BASE, size: 0x2000 });
    expect(space.workingSet.lockedPages).toBe(0);
    expect(emptyWorkingSet(space)).toBe(2);
  });

  it('refuses ranges outside user space or empty with STATUS_INVALID_PARAMETER_2', () => {
    const { space } = region(1);
    expect(lockVirtualMemory(space, 0x7fff0000, 0x1000).status).toBe(STATUS_INVALID_PARAMETER_2);
    expect(lockVirtualMemory(space, BASE, 0).status).toBe(STATUS_INVALID_PARAMETER_2);
    // 0x7FFEFFFF is the last user byte: one byte there is a range; two bytes run past user space.
    expect(lockVirtualMemory(space, 0x7ffeffff, 1).status).toBe(STATUS_ACCESS_VIOLATION); // in range, but nothing allocated there
    expect(lockVirtualMemory(space, 0x7ffeffff, 2).status).toBe(STATUS_INVALID_PARAMETER_2);
    expect(lockVirtualMemory(space, 0x10000, 0x7ffe0000).status).toBe(STATUS_ACCESS_VIOLATION); // ends exactly at 0x7FFEFFFF
    expect(lockVirtualMemory(space, 0x10000, 0x7ffe0001).status).toBe(STATUS_INVALID_PARAMETER_2);
    expect(unlockVirtualMemory(space, 0x80000000, 0x1000).status).toBe(STATUS_INVALID_PARAMETER_2);
    expect(unlockVirtualMemory(space, BASE, 0).status).toBe(STATUS_INVALID_PARAMETER_2);
  });

  it('refuses free, reserved, no-access and guard pages with STATUS_ACCESS_VIOLATION and locks nothing', () => {
    const { space } = region(2);
    expect(lockVirtualMemory(space, BASE, 3 * PAGE).status).toBe(STATUS_ACCESS_VIOLATION); // the third page is free
    const reserve = (protect: number, commit: boolean) => {
      const base = allocateVirtualMemory(space, { base: 0, size: PAGE, zeroBits: 0, allocationType: MEM_RESERVE | (commit ? MEM_COMMIT : 0), protect });
      if (base.status !== STATUS_SUCCESS) throw new Error(`reserve: ${base.status}`);
      return base.region!.base;
    };
    expect(lockVirtualMemory(space, reserve(PAGE_READWRITE, false), PAGE).status).toBe(STATUS_ACCESS_VIOLATION);
    expect(lockVirtualMemory(space, reserve(PAGE_NOACCESS, true), PAGE).status).toBe(STATUS_ACCESS_VIOLATION);
    expect(lockVirtualMemory(space, reserve(PAGE_READWRITE | PAGE_GUARD, true), PAGE).status).toBe(STATUS_ACCESS_VIOLATION);
    expect(space.workingSet.lockedPages).toBe(0);
    expect(space.workingSet.size).toBe(0);
    // A committed page followed by a reserved, a no-access or a guard page: refused before the first is brought in.
    for (const [protect, commit] of [[PAGE_READWRITE, false], [PAGE_NOACCESS, true], [PAGE_READWRITE | PAGE_GUARD, true]] as const) {
      const pair = allocateVirtualMemory(space, { base: 0, size: 2 * PAGE, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE });
      const base = pair.region!.base;
      allocateVirtualMemory(space, { base, size: PAGE, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE });
      if (commit) allocateVirtualMemory(space, { base: base + PAGE, size: PAGE, zeroBits: 0, allocationType: MEM_COMMIT, protect });
      expect(lockVirtualMemory(space, base, 2 * PAGE).status).toBe(STATUS_ACCESS_VIOLATION);
      expect(isValidPte(space.pageTables.readPte(base))).toBe(false);
      expect(space.workingSet.lockedPages).toBe(0);
    }
  });

  it('brings pages in with a read: a read-only page locks, a copy-on-write page stays shared', () => {
    const { space } = region(1);
    const readOnly = allocateVirtualMemory(space, { base: 0, size: PAGE, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT, protect: 0x02 }).region!.base;
    expect(lockVirtualMemory(space, readOnly, PAGE).status).toBe(STATUS_SUCCESS);
    const section = createSection(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const view = (mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: 0x08 }) as { base: number }).base;
    expect(lockVirtualMemory(space, view, PAGE).status).toBe(STATUS_SUCCESS);
    expect(space.frames.isPrototype(pfnOfPte(space.pageTables.readPte(view)))).toBe(true);
    // Locking a page already valid changes nothing but the lock.
    const pte = space.pageTables.readPte(view);
    expect(unlockVirtualMemory(space, view, PAGE).status).toBe(STATUS_SUCCESS);
    expect(lockVirtualMemory(space, view, PAGE).status).toBe(STATUS_SUCCESS);
    expect(space.pageTables.readPte(view)).toBe(pte);
  });

  it('a page that cannot be brought in (no frame left) is STATUS_ACCESS_VIOLATION', () => {
    const { space } = region(2, 64);
    while (space.frames.availablePages > 0) space.frames.allocateFrame(0xc0001000);
    expect(lockVirtualMemory(space, BASE, PAGE).status).toBe(STATUS_ACCESS_VIOLATION);
    expect(space.workingSet.lockedPages).toBe(0);
  });

  it('locks at most the working-set minimum less 8 pages (MM_FLUID_WORKING_SET): STATUS_WORKING_SET_QUOTA past it', () => {
    const { space } = region(64);
    // The default minimum is 50 pages (PsMinimumWorkingSet): 42 may be locked.
    expect(lockVirtualMemory(space, BASE, 40 * PAGE).status).toBe(STATUS_SUCCESS);
    expect(lockVirtualMemory(space, BASE, 42 * PAGE).status).toBe(STATUS_SUCCESS); // 40 of them already locked
    expect(lockVirtualMemory(space, BASE + 42 * PAGE, PAGE).status).toBe(STATUS_WORKING_SET_QUOTA);
    expect(isValidPte(space.pageTables.readPte(BASE + 42 * PAGE))).toBe(false); // nothing was brought in
    expect(space.workingSet.lockedPages).toBe(42);
  });

  it('VirtualUnlock of a range with any page not locked unlocks nothing (STATUS_NOT_LOCKED)', () => {
    const { space } = region(4);
    lockVirtualMemory(space, BASE, PAGE);
    write(space, 1, 1);
    expect(unlockVirtualMemory(space, BASE, 2 * PAGE).status).toBe(STATUS_NOT_LOCKED);
    expect(space.workingSet.isLocked(0x100)).toBe(true);
    expect(unlockVirtualMemory(space, BASE + 0xfff, 1).status).toBe(STATUS_SUCCESS);
    expect(unlockVirtualMemory(space, BASE, PAGE).status).toBe(STATUS_NOT_LOCKED);
  });
});

describe('working-set limits (Get/SetProcessWorkingSetSizeEx)', () => {
  it('reports the defaults: 50 and 345 pages, soft (the DISABLE flags)', () => {
    const { space } = region(1);
    expect(workingSetLimits(space)).toEqual({
      minimumBytes: 50 * 4096, maximumBytes: 345 * 4096, flags: QUOTA_LIMITS_HARDWS_MIN_DISABLE | QUOTA_LIMITS_HARDWS_MAX_DISABLE,
    });
  });

  it('sets hard and soft limits; ENABLE with DISABLE of one limit, or unknown flags, is STATUS_INVALID_PARAMETER', () => {
    const { space } = region(1);
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, QUOTA_LIMITS_HARDWS_MIN_ENABLE)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space)).toEqual({ minimumBytes: 30 * PAGE, maximumBytes: 100 * PAGE, flags: 1 | 8 });
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, QUOTA_LIMITS_HARDWS_MAX_ENABLE)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space).flags).toBe(1 | 4); // the minimum stays hard: no flag about it
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, QUOTA_LIMITS_HARDWS_MIN_DISABLE | QUOTA_LIMITS_HARDWS_MAX_DISABLE)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space).flags).toBe(2 | 8);
    expect(space.workingSet.hardMinimum).toBe(false);
    expect(space.workingSet.hardMaximum).toBe(false);
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, 3)).toBe(STATUS_INVALID_PARAMETER);
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, 12)).toBe(STATUS_INVALID_PARAMETER);
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, 0x10)).toBe(STATUS_INVALID_PARAMETER);
    expect(setWorkingSetLimits(space, 30 * PAGE, 100 * PAGE, 5)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space).flags).toBe(1 | 4);
  });

  it('raises a minimum below 20 pages to 20, counts whole pages, and refuses a minimum above the maximum or a maximum above RAM', () => {
    const { space } = region(1, 256);
    expect(setWorkingSetLimits(space, 4096, 100 * PAGE, 0)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space)).toEqual({ minimumBytes: 20 * 4096, maximumBytes: 100 * 4096, flags: 2 | 8 }); // no flag: both stay soft
    expect(setWorkingSetLimits(space, 25 * PAGE + 4095, 60 * PAGE + 4095, 0)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space)).toMatchObject({ minimumBytes: 25 * 4096, maximumBytes: 60 * 4096 });
    expect(setWorkingSetLimits(space, 61 * PAGE, 60 * PAGE, 0)).toBe(STATUS_BAD_WORKING_SET_LIMIT);
    expect(setWorkingSetLimits(space, 60 * PAGE, 60 * PAGE, 0)).toBe(STATUS_SUCCESS);
    expect(setWorkingSetLimits(space, 30 * PAGE, 19 * PAGE, 0)).toBe(STATUS_BAD_WORKING_SET_LIMIT); // 20 > 19 after the raise
    expect(setWorkingSetLimits(space, 30 * PAGE, 257 * PAGE, 0)).toBe(STATUS_BAD_WORKING_SET_LIMIT);
    expect(setWorkingSetLimits(space, 30 * PAGE, 256 * PAGE, 0)).toBe(STATUS_SUCCESS);
    expect(workingSetLimits(space)).toMatchObject({ minimumBytes: 30 * 4096, maximumBytes: 256 * 4096 });
  });

  it('keeps the minimum at or above the locked pages plus 8', () => {
    const { space } = region(40);
    expect(lockVirtualMemory(space, BASE, 30 * PAGE).status).toBe(STATUS_SUCCESS);
    expect(setWorkingSetLimits(space, 37 * PAGE, 100 * PAGE, 0)).toBe(STATUS_BAD_WORKING_SET_LIMIT);
    expect(workingSetLimits(space).minimumBytes).toBe(50 * 4096); // unchanged
    expect(setWorkingSetLimits(space, 38 * PAGE, 100 * PAGE, 0)).toBe(STATUS_SUCCESS);
  });

  it('a maximum below the working set trims it to the maximum; (SIZE_T)-1 twice empties it', () => {
    const { space } = region(40);
    write(space, 0, 40);
    expect(space.workingSet.size).toBe(40);
    const trims: string[] = [];
    space.events = { trim: (report) => trims.push(`${report.pages} ${report.why}`), pageWrite: () => {}, repurpose: () => {} };
    expect(setWorkingSetLimits(space, 20 * PAGE, 30 * PAGE, 0)).toBe(STATUS_SUCCESS);
    expect(space.workingSet.size).toBe(30);
    expect(setWorkingSetLimits(space, 20 * PAGE, 30 * PAGE, 0)).toBe(STATUS_SUCCESS);
    expect(space.workingSet.size).toBe(30);
    expect(trims).toEqual(['10 new-maximum']);
    lockVirtualMemory(space, BASE + 39 * PAGE, PAGE);
    expect(setWorkingSetLimits(space, 0xffffffff, 0xffffffff, 0)).toBe(STATUS_SUCCESS);
    expect(space.workingSet.pages()).toEqual([0x100 + 39]);
    expect(workingSetLimits(space)).toMatchObject({ minimumBytes: 20 * PAGE, maximumBytes: 30 * PAGE });
    // Only both sizes at (SIZE_T)-1 mean "empty": one of them is an ordinary (too large) size.
    expect(setWorkingSetLimits(space, 0xffffffff, 30 * PAGE, 0)).toBe(STATUS_BAD_WORKING_SET_LIMIT);
    expect(setWorkingSetLimits(space, 20 * PAGE, 0xffffffff, 0)).toBe(STATUS_BAD_WORKING_SET_LIMIT); // 2^20 - 1 pages: more than RAM
    expect(space.workingSet.size).toBe(1);
    checkAddressSpaceInvariants(space);
  });
});

/** Takes every zeroed, free and standby frame and gives them back: the standby pages are repurposed, their PTEs become page-file PTEs. */
function repurposeStandby(space: ReturnType<typeof region>['space']): void {
  const hogs: number[] = [];
  for (let pfn = space.frames.allocateFrame(0xc0001000); pfn !== undefined; pfn = space.frames.allocateFrame(0xc0001000)) hogs.push(pfn);
  for (const pfn of hogs) space.frames.releaseFrame(pfn);
}

describe('MEM_RESET and MEM_RESET_UNDO', () => {
  /** Pages 0-1 paged out, 2-3 trimmed onto the modified list, 4-7 valid (4 with its Dirty bit set, as the MMU sets it on a write). */
  function pagesInEveryState() {
    const made = region(8, 256, 64);
    const { space } = made;
    write(space, 0, 8);
    trimPage(space, 0x100);
    trimPage(space, 0x101);
    expect(writeModifiedPages(space, 2)).toBe(2);
    repurposeStandby(space);
    trimPage(space, 0x102);
    trimPage(space, 0x103);
    space.pageTables.updateValidPte(BASE + 4 * PAGE, (space.pageTables.readPte(BASE + 4 * PAGE) | 0x40) >>> 0);
    expect(space.pageFile!.usedPages).toBe(2);
    expect(isPageFilePte(space.pageTables.readPte(BASE))).toBe(true);
    return made;
  }

  it('nothing of the range is ever written out again: Dirty and Modified are cleared, page-file copies released', () => {
    const { space } = pagesInEveryState();
    expect(resetVirtualMemory(space, BASE + 0x10, 8 * PAGE - 0x10)).toEqual({ status: STATUS_SUCCESS, base: BASE, size: 0x8000 });
    // A paged-out page becomes demand-zero read-write: MM_READWRITE (4) in bits 5-9 = 0x80.
    expect(space.pageTables.readPte(BASE)).toBe(0x00000080);
    expect(space.pageTables.readPte(BASE + PAGE)).toBe(0x00000080);
    expect(space.pageFile!.usedPages).toBe(0);
    for (const page of [2, 3]) {
      const pte = space.pageTables.readPte(BASE + page * PAGE);
      expect(isTransitionPte(pte)).toBe(true);
      expect(space.frames.stateOf(pfnOfPte(pte))).toBe(PfnState.Standby);
    }
    const valid = space.pageTables.readPte(BASE + 4 * PAGE);
    expect(valid & 0x40).toBe(0); // Dirty cleared
    for (const page of [4, 5, 6, 7]) expect(space.frames.isModified(pfnOfPte(space.pageTables.readPte(BASE + page * PAGE)))).toBe(false);
    expect(space.frames.modifiedCount).toBe(0);
    checkAddressSpaceInvariants(space);
    // Nothing is modified: the modified page writer has nothing to write.
    emptyWorkingSet(space);
    expect(space.frames.modifiedCount).toBe(0);
    expect(writeModifiedPages(space, 8)).toBe(0);
  });

  it('a reset page written to the page file gives its copy back', () => {
    const { space } = region(2, 256, 64);
    write(space, 0, 2);
    trimPage(space, 0x100);
    writeModifiedPages(space, 1);
    const pfn = pfnOfPte(space.pageTables.readPte(BASE));
    space.frames.reclaimFromList(pfn); // still transition, frame active (as a no-access page keeps it)
    expect(space.frames.pageFileSlotOf(pfn)).toBe(1);
    expect(resetVirtualMemory(space, BASE, PAGE).status).toBe(STATUS_SUCCESS);
    expect(space.frames.pageFileSlotOf(pfn)).toBe(0);
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Active);
    expect(space.pageFile!.usedPages).toBe(0);
    // And a valid page's copy.
    trimPage(space, 0x101);
    writeModifiedPages(space, 1);
    expect(resolvePageFault(space, touch(BASE + PAGE, false))).toMatchObject({ how: 'transition' });
    const valid = pfnOfPte(space.pageTables.readPte(BASE + PAGE));
    expect(space.frames.pageFileSlotOf(valid)).toBe(2);
    expect(resetVirtualMemory(space, BASE + PAGE, PAGE).status).toBe(STATUS_SUCCESS);
    expect(space.frames.pageFileSlotOf(valid)).toBe(0);
  });

  it('MEM_RESET_UNDO marks pages still in memory modified again; a page already given up makes it fail', () => {
    const { space } = pagesInEveryState();
    resetVirtualMemory(space, BASE, 8 * PAGE);
    expect(undoResetVirtualMemory(space, BASE + 2 * PAGE, 6 * PAGE)).toEqual({ status: STATUS_SUCCESS, base: BASE + 2 * PAGE, size: 0x6000 });
    expect(space.frames.modifiedCount).toBe(2); // pages 2 and 3, back on the modified list
    for (const page of [4, 5, 6, 7]) expect(space.frames.isModified(pfnOfPte(space.pageTables.readPte(BASE + page * PAGE)))).toBe(true);
    resetVirtualMemory(space, BASE, 8 * PAGE);
    expect(undoResetVirtualMemory(space, BASE, 8 * PAGE)).toEqual({ status: STATUS_CONFLICTING_ADDRESSES });
    // The pages that could be kept are kept all the same.
    expect(space.frames.modifiedCount).toBe(2);
    expect(space.frames.isModified(pfnOfPte(space.pageTables.readPte(BASE + 7 * PAGE)))).toBe(true);
    checkAddressSpaceInvariants(space);
  });

  it('skips pages that are not committed', () => {
    const { space } = createAddressSpace(64, 64);
    allocateVirtualMemory(space, { base: BASE, size: 4 * PAGE, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE });
    allocateVirtualMemory(space, { base: BASE + PAGE, size: PAGE, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE });
    expect(resolvePageFault(space, touch(BASE + PAGE, true))).toMatchObject({ kind: 'resolved' });
    expect(resetVirtualMemory(space, BASE, 4 * PAGE)).toEqual({ status: STATUS_SUCCESS, base: BASE, size: 0x4000 });
    expect(space.pageTables.readPte(BASE)).toBe(0);
    expect(undoResetVirtualMemory(space, BASE, 4 * PAGE)).toEqual({ status: STATUS_SUCCESS, base: BASE, size: 0x4000 });
    expect(space.frames.isModified(pfnOfPte(space.pageTables.readPte(BASE + PAGE)))).toBe(true);
  });

  it('refuses kernel addresses, empty ranges, free memory and ranges beyond one private allocation', () => {
    const { space } = region(4);
    for (const reset of [resetVirtualMemory, undoResetVirtualMemory]) {
      expect(reset(space, 0x7fff0000, PAGE).status).toBe(STATUS_INVALID_PARAMETER_2);
      expect(reset(space, 0x7ffeffff, 1).status).toBe(STATUS_MEMORY_NOT_ALLOCATED);
      expect(reset(space, BASE, 0).status).toBe(STATUS_INVALID_PARAMETER_3);
      expect(reset(space, 0x7ffeffff, 2).status).toBe(STATUS_INVALID_PARAMETER_3);
      expect(reset(space, 0x200000, PAGE).status).toBe(STATUS_MEMORY_NOT_ALLOCATED);
      expect(reset(space, BASE + 3 * PAGE, 2 * PAGE).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    }
    expect(resetVirtualMemory(space, BASE + 3 * PAGE, PAGE).status).toBe(STATUS_SUCCESS);
    const section = createSection(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
    expect(resetVirtualMemory(space, (view as { base: number }).base, PAGE).status).toBe(STATUS_CONFLICTING_ADDRESSES);
  });
});

describe('QueryWorkingSet and QueryWorkingSetEx blocks', () => {
  function withViews(views: number) {
    const { space } = region(2);
    write(space, 0, 1);
    const section = createSection(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`section: ${section}`);
    const bases: number[] = [];
    for (let i = 0; i < views; i++) {
      const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
      if (!('base' in view)) throw new Error(`view: ${view.status}`);
      bases.push(view.base);
      expect(resolvePageFault(space, touch(view.base, false))).toMatchObject({ kind: 'resolved' });
    }
    return { space, bases };
  }

  it('a private read-write page: Valid, ShareCount 1, Win32Protection PAGE_READWRITE; Locked at bit 22', () => {
    const { space } = withViews(0);
    // Valid (bit 0) | ShareCount 1 (bits 1-3) | PAGE_READWRITE (4) in bits 4-14.
    expect(workingSetExBlock(space, BASE)).toBe(0x43);
    lockVirtualMemory(space, BASE, PAGE);
    expect(workingSetExBlock(space, BASE + 0xabc)).toBe(0x00400043);
    expect(workingSetExBlock(space, BASE + PAGE)).toBe(0); // committed but not in the working set
    expect(workingSetExBlock(space, 0x200000)).toBe(0); // free
    expect(workingSetExBlock(space, 0x80000000)).toBe(0);
    // QueryWorkingSet: Protection (MM_READWRITE, 4) | ShareCount 1 << 5 | VirtualPage 0x100 << 12.
    expect(workingSetBlocks(space)).toEqual([0x00100024]);
  });

  it('a page of a view mapped twice: Shared, ShareCount 2; a view page not in the working set still says Shared', () => {
    const { space, bases } = withViews(2);
    const [a, b] = bases as [number, number];
    expect(workingSetExBlock(space, a)).toBe(0x8045); // 1 | 2 << 1 | 4 << 4 | 1 << 15
    expect(workingSetExBlock(space, b)).toBe(0x8045);
    expect(workingSetExBlock(space, a + PAGE)).toBe(0x8000); // Invalid.Shared
    // Protection 4 | ShareCount 2 << 5 | Shared 1 << 8, each at its page; sorted by address.
    expect(workingSetBlocks(space)).toEqual([0x00100024, (a | 0x144) >>> 0, (b | 0x144) >>> 0].sort((x, y) => x - y));
  });

  it('caps ShareCount at 7, the widest its 3 bits hold', () => {
    const { space, bases } = withViews(8);
    expect(space.frames.shareCountOf(pfnOfPte(space.pageTables.readPte(bases[0]!)))).toBe(8);
    expect(workingSetExBlock(space, bases[0]!)).toBe(0x804f); // 1 | 7 << 1 | 4 << 4 | 1 << 15
    expect(workingSetBlocks(space).find((block) => block >>> 12 === bases[0]! >>> 12)).toBe((bases[0]! | 0x1e4) >>> 0);
  });

  it('reports a copy-on-write view page by its own protection once it has its private copy', () => {
    const { space } = region(1);
    const section = createSection(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT }) as SectionObject;
    const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: 0x08 /* PAGE_WRITECOPY */ });
    const base = (view as { base: number }).base;
    resolvePageFault(space, touch(base, false));
    // Shared and copy-on-write: PAGE_WRITECOPY (8) << 4, ShareCount 1.
    expect(workingSetExBlock(space, base)).toBe(0x8083);
    expect(workingSetBlocks(space)).toEqual([(base | 0x125) >>> 0]); // MM_WRITECOPY (5) | 1 << 5 | Shared
    resolvePageFault(space, touch(base, true));
    // Its own read-write copy: private, PAGE_READWRITE.
    expect(workingSetExBlock(space, base)).toBe(0x43);
    expect(workingSetBlocks(space)).toEqual([(base | 0x24) >>> 0]);
  });
});
