// Sections, views, prototype PTEs and copy-on-write, without a CPU.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import { SEC_COMMIT, SEC_RESERVE, SectionObject, createSection, dereferenceSection } from '../../src/mm/section.js';
import { mapViewOfSection, unmapViewOfSection } from '../../src/mm/section-view.js';
import { allocateVirtualMemory, queryVirtualMemory, MEM_COMMIT, MEM_MAPPED, MEM_RESERVE } from '../../src/mm/virtual-memory.js';
import {
  STATUS_CONFLICTING_ADDRESSES, STATUS_INVALID_PARAMETER_9, STATUS_INVALID_VIEW_SIZE, STATUS_MAPPED_ALIGNMENT, STATUS_NOT_MAPPED_VIEW,
  STATUS_SECTION_PROTECTION, STATUS_SUCCESS,
} from '../../src/nt/status.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08;
const touch = (address: number, write: boolean) => ({ address, write, user: true });

function setup(sizeBytes = 0x20000, attributes = SEC_COMMIT) {
  const { space } = createAddressSpace(256, 256);
  const section = createSection(space, { sizeBytes, protect: PAGE_READWRITE, allocationAttributes: attributes });
  if (!(section instanceof SectionObject)) throw new Error(`createSection: ${section}`);
  const map = (protect = PAGE_READWRITE, offset = 0, viewSize = 0, base = 0) => {
    const result = mapViewOfSection(space, section, { base, offset, viewSize, allocationType: 0, protect });
    if (result.status !== STATUS_SUCCESS || !('base' in result)) throw new Error(`map: ${result.status}`);
    return result.base;
  };
  const frameAt = (address: number) => pfnOfPte(space.pageTables.readPte(address));
  return { space, section, map, frameAt };
}

describe('page-file-backed sections and views', () => {
  it('two views share one frame through the prototype PTE and see each other\'s writes', () => {
    const { space, section, map, frameAt } = setup();
    expect(space.commit.totalPages).toBe(32); // SEC_COMMIT charges the whole section to the system at once
    const a = map(), b = map();
    expect(resolvePageFault(space, touch(a + 0x1010, true))).toMatchObject({ kind: 'resolved', how: 'section-zero', section: { controlArea: section.controlArea.id } });
    expect(resolvePageFault(space, touch(b + 0x1000, false))).toMatchObject({ kind: 'resolved', how: 'section-shared' });
    const pfn = frameAt(a + 0x1000);
    expect(frameAt(b + 0x1000)).toBe(pfn);
    expect(space.frames.shareCountOf(pfn)).toBe(2);
    expect(space.frames.pteAddressOf(pfn)).toBe(section.controlArea.segment.prototypePteAddress(1));
    space.frameBytes(pfn)[0x10] = 0x5a; // a write through view A is what view B reads
    checkAddressSpaceInvariants(space);
    expect(unmapViewOfSection(space, a + 0x5000)).toBe(STATUS_SUCCESS);
    expect(space.frames.shareCountOf(pfn)).toBe(1);
    expect(frameAt(b + 0x1000)).toBe(pfn);
    checkAddressSpaceInvariants(space);
    unmapViewOfSection(space, b);
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Standby); // resident, owned by the prototype PTE, unmapped
    checkAddressSpaceInvariants(space);
    dereferenceSection(space, section);
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Free);
    expect(space.commit.totalPages).toBe(0);
    expect(space.controlAreas.size).toBe(0);
    checkAddressSpaceInvariants(space);
  });

  it('a copy-on-write view reads the shared frame and gets a private copy on the first write', () => {
    const { space, map, frameAt } = setup();
    const shared = map(), copy = map(PAGE_WRITECOPY);
    expect(space.commitCharge).toBe(32); // a copy-on-write view is charged for a private copy of every page
    resolvePageFault(space, touch(shared, true));
    const pfn = frameAt(shared);
    space.frameBytes(pfn)[0] = 1;
    expect(resolvePageFault(space, touch(copy, false))).toMatchObject({ how: 'section-shared' });
    expect(frameAt(copy)).toBe(pfn);
    expect(resolvePageFault(space, touch(copy, true))).toMatchObject({ kind: 'resolved', how: 'copy-on-write' });
    const own = frameAt(copy);
    expect(own).not.toBe(pfn);
    expect(space.frameBytes(own)[0]).toBe(1);
    space.frameBytes(own)[0] = 2;
    expect(space.frameBytes(pfn)[0]).toBe(1);
    expect(space.frames.shareCountOf(pfn)).toBe(1);
    // A first touch that writes a demand-zero page needs nothing shared: the view gets its own zeroed page.
    expect(resolvePageFault(space, touch(copy + 0x3000, true))).toMatchObject({ how: 'demand-zero' });
    expect(space.controlAreas.values().next().value!.segment.prototypePtes.get(3)).not.toBe(0);
    expect(isValidPte(space.controlAreas.values().next().value!.segment.prototypePtes.get(3))).toBe(false);
    checkAddressSpaceInvariants(space);
    unmapViewOfSection(space, copy);
    expect(space.commitCharge).toBe(0);
    checkAddressSpaceInvariants(space);
  });

  it('SEC_RESERVE pages are reserved in every view until committed through one', () => {
    const { space, map } = setup(0x20000, SEC_RESERVE);
    expect(space.commit.totalPages).toBe(0);
    const a = map(), b = map();
    expect(resolvePageFault(space, touch(a, false))).toMatchObject({ kind: 'access-violation', why: 'not-committed' });
    const info = queryVirtualMemory(space, a);
    expect(info).toMatchObject({ state: MEM_RESERVE, type: MEM_MAPPED });
    expect(allocateVirtualMemory(space, { base: a + 0x2000, size: 0x2000, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(STATUS_SUCCESS);
    expect(space.commit.totalPages).toBe(2);
    expect(queryVirtualMemory(space, b + 0x2000)).toMatchObject({ state: MEM_COMMIT, regionSize: 0x2000, allocationBase: b });
    expect(resolvePageFault(space, touch(b + 0x3000, true))).toMatchObject({ how: 'section-zero' });
    checkAddressSpaceInvariants(space);
  });

  it('refuses misaligned offsets and bases, views past the end, incompatible protection, and unmapping what is not a view', () => {
    const { space, section, map } = setup(0x20000);
    const request = { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE };
    expect(mapViewOfSection(space, section, { ...request, offset: 0x1000 }).status).toBe(STATUS_MAPPED_ALIGNMENT);
    expect(mapViewOfSection(space, section, { ...request, base: 0x501000 }).status).toBe(STATUS_MAPPED_ALIGNMENT);
    expect(mapViewOfSection(space, section, { ...request, offset: 0x20000 }).status).toBe(STATUS_INVALID_VIEW_SIZE);
    expect(mapViewOfSection(space, section, { ...request, offset: 0x10000, viewSize: 0x11000 }).status).toBe(STATUS_INVALID_VIEW_SIZE);
    const readOnly = createSection(space, { sizeBytes: 0x1000, protect: PAGE_READONLY, allocationAttributes: SEC_COMMIT }) as SectionObject;
    expect(mapViewOfSection(space, readOnly, request).status).toBe(STATUS_SECTION_PROTECTION);
    expect(mapViewOfSection(space, readOnly, { ...request, protect: PAGE_WRITECOPY }).status).toBe(STATUS_SECTION_PROTECTION);
    const a = map();
    expect(mapViewOfSection(space, section, { ...request, base: a }).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    expect(map(PAGE_READWRITE, 0x10000, 0x1000)).toBeGreaterThan(0);
    expect(unmapViewOfSection(space, 0x300000)).toBe(STATUS_NOT_MAPPED_VIEW);
    expect(mapViewOfSection(space, section, { ...request, allocationType: MEM_RESERVE }).status).toBe(STATUS_INVALID_PARAMETER_9); // SEC_COMMIT
    checkAddressSpaceInvariants(space);
    expect(isValidPte(space.pageTables.readPte(a))).toBe(false);
  });
});
