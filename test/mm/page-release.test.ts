// What a page that is not valid still holds goes back when it is
// decommitted, released or unmapped, without a CPU: a no-access page's
// active frame (kept in a transition PTE), a trimmed page's standby or
// modified frame, a paged-out page's page-file slot. Frame and slot counts
// are worked out by hand.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { writeModifiedPages } from '../../src/mm/modified-page-writer.js';
import { releaseNotPresentPage } from '../../src/mm/page-release.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { isPageFilePte, isTransitionPte, pfnOfPte } from '../../src/mm/pte.js';
import { MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory } from '../../src/mm/virtual-memory.js';
import { trimPage } from '../../src/mm/working-set-manager.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const BASE = 0x100000, PAGE = 0x1000;
const PAGE_NOACCESS = 0x01, PAGE_READWRITE = 0x04;

function fourPages() {
  const { space } = createAddressSpace(64, 64, 16);
  space.workingSet.minimumPages = 0;
  allocateVirtualMemory(space, { base: BASE, size: 4 * PAGE, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT, protect: PAGE_READWRITE });
  for (let i = 0; i < 4; i++) resolvePageFault(space, { address: BASE + i * PAGE, write: true, user: true });
  return space;
}

describe('releasing what a not-present page holds', () => {
  it('a no-access page keeps its active frame in a transition PTE; decommitting it frees the frame', () => {
    const space = fourPages();
    const pfn = pfnOfPte(space.pageTables.readPte(BASE));
    expect(protectVirtualMemory(space, { base: BASE, size: PAGE, protect: PAGE_NOACCESS }).status).toBe(0);
    expect(isTransitionPte(space.pageTables.readPte(BASE))).toBe(true);
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Active);
    const free = space.frames.counts().free;
    expect(freeVirtualMemory(space, { base: BASE, size: PAGE, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Free);
    expect(space.frames.counts().free).toBe(free + 1);
    checkAddressSpaceInvariants(space);
  });

  it('a trimmed page\'s frame and a paged-out page\'s slot go back when the allocation is released', () => {
    const space = fourPages();
    trimPage(space, BASE >>> 12);
    trimPage(space, (BASE >>> 12) + 1);
    writeModifiedPages(space, 1); // pages 0 and 1 → slots 1 and 2, their frames on standby
    trimPage(space, (BASE >>> 12) + 2); // modified
    const standby = pfnOfPte(space.pageTables.readPte(BASE));
    // Repurpose page 1's frame only: it is the second standby page, so take the first back (a soft fault) first.
    resolvePageFault(space, { address: BASE, write: false, user: true });
    while (space.frames.counts().zeroed + space.frames.counts().free > 0) space.frames.allocateFrame(0xc0001000);
    const hog = space.frames.allocateFrame(0xc0001000)!;
    expect(isPageFilePte(space.pageTables.readPte(BASE + PAGE))).toBe(true);
    expect(space.pageFile!.usedPages).toBe(2); // page 0's copy (clean, resident) and page 1's
    expect(space.frames.modifiedCount).toBe(1);
    expect(freeVirtualMemory(space, { base: BASE, size: 0, freeType: MEM_RELEASE }).status).toBe(0);
    expect(space.pageFile!.usedPages).toBe(0);
    expect(space.frames.modifiedCount).toBe(0);
    expect(space.frames.stateOf(standby)).toBe(PfnState.Free);
    expect(space.frames.stateOf(hog)).toBe(PfnState.Active);
  });

  it('a demand-zero or zero PTE holds nothing', () => {
    const { space } = createAddressSpace(16, 16, 8);
    const before = space.frames.counts();
    releaseNotPresentPage(space, 0x80);
    releaseNotPresentPage(space, 0);
    expect(space.frames.counts()).toEqual(before);
    expect(space.pageFile!.usedPages).toBe(0);
  });
});
