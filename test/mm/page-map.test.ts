// Page kinds for the report's grids, without a CPU: each kind made by the
// service or fault that makes it on Windows, then read back.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { PAGE_KINDS, describeRegionPages } from '../../src/mm/page-map.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { allocateVirtualMemory, MEM_COMMIT, MEM_RESERVE } from '../../src/mm/virtual-memory.js';
import { STATUS_SUCCESS } from '../../src/nt/status.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, PAGE_GUARD = 0x100;
const touch = (address: number, write: boolean) => ({ address, write, user: true });
const kindsOf = (kinds: Uint8Array): string[] => Array.from(kinds, (kind) => PAGE_KINDS[kind]!);

describe('page kinds', () => {
  it('private memory: reserved, demand-zero, valid clean and dirty, guard; the sums count committed and resident pages', () => {
    const { space } = createAddressSpace();
    const allocate = (base: number, size: number, allocationType: number, protect = PAGE_READWRITE) => {
      const result = allocateVirtualMemory(space, { base, size, zeroBits: 0, allocationType, protect });
      expect(result.status).toBe(STATUS_SUCCESS);
      return result.region!.base;
    };
    const base = allocate(0, 0x10000, MEM_RESERVE);
    allocate(base, 0x3000, MEM_COMMIT);
    allocate(base + 0x4000, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    resolvePageFault(space, touch(base, true));
    resolvePageFault(space, touch(base + 0x1000, false));
    const pages = describeRegionPages(space, space.findVad(base)!);
    // Without a CPU no MMU sets Dirty on the write: valid-dirty is covered with a real guest (test/report).
    expect(kindsOf(pages.kinds).slice(0, 6)).toEqual(['valid-clean', 'valid-clean', 'demand-zero', 'reserved', 'guard', 'reserved']);
    expect(pages.kinds.length).toBe(16);
    expect(pages).toMatchObject({ committedPages: 4, privatePages: 4, residentPages: 2, privateResidentPages: 2, shareableResidentPages: 0 });
  });

  it('views: shared section pages, copy-on-write pages until the first write makes a private copy', () => {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0x4000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`createSection: ${section}`);
    const map = (protect: number): number => {
      const result = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect });
      if (!('base' in result)) throw new Error(`map: ${result.status}`);
      return result.base;
    };
    const shared = map(PAGE_READWRITE);
    const copy = map(PAGE_WRITECOPY);
    resolvePageFault(space, touch(shared, true));
    resolvePageFault(space, touch(copy, false));
    resolvePageFault(space, touch(copy + 0x1000, true));
    const sharedPages = describeRegionPages(space, space.findVad(shared)!);
    expect(kindsOf(sharedPages.kinds)).toEqual(['valid-clean', 'demand-zero', 'demand-zero', 'demand-zero']);
    expect(sharedPages).toMatchObject({ committedPages: 4, privatePages: 0, residentPages: 1, shareableResidentPages: 1, sharedResidentPages: 1 });
    const copyPages = describeRegionPages(space, space.findVad(copy)!);
    // Page 0: the shared frame, read, not yet copied; page 1: written, its own copy.
    expect(kindsOf(copyPages.kinds).slice(0, 2)).toEqual(['copy-on-write', 'valid-clean']);
    expect(copyPages).toMatchObject({ residentPages: 2, privateResidentPages: 1, shareableResidentPages: 1, privatePages: 1 });
  });
});
