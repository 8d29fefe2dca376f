// More page kinds for the report's grids (VMMap's page legend; Windows
// Internals 7th ed. ch. 5, "Page states"), each made by the operation that
// makes it on Windows: a trimmed private page (transition), a file view's
// untouched pages (in the file; copy-on-write for a write-copy view), a
// section frame two views map (shared), and the sums of each kind counted by
// hand.
import { describe, expect, it } from 'vitest';
import { PAGE_KINDS, describeRegionPages } from '../../src/mm/page-map.js';
import { SEC_COMMIT, SEC_RESERVE, SectionObject, createSection, type BackingFile } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { trimPage } from '../../src/mm/working-set-manager.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000;
const kindsOf = (kinds: Uint8Array): string[] => Array.from(kinds, (kind) => PAGE_KINDS[kind]!);

function dataFile(pages: number): BackingFile {
  return {
    name: 'data.bin', controlArea: undefined, size: () => pages * 4096, release: () => {}, write: () => {},
    read: (_offset, into) => { into.fill(7); return into.length; },
  };
}

describe('page kinds', () => {
  it('the legend\'s order', () => {
    expect(PAGE_KINDS).toEqual(['reserved', 'demand-zero', 'in-file', 'valid-clean', 'valid-dirty', 'guard', 'transition', 'copy-on-write']);
  });

  it('private pages: valid dirty (written), valid clean (read), transition (trimmed), demand-zero, reserved', () => {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x5000, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE }).status).toBe(0);
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x4000, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(0);
    const memory = new UserMemory(space);
    memory.write(0x100000, new Uint8Array([1]));   // valid, Dirty (UserMemory sets it as the MMU would)
    memory.read(0x101000, 1);                      // valid, clean
    memory.write(0x102000, new Uint8Array([1]));
    trimPage(space, 0x102);                        // out of the working set, frame kept
    const pages = describeRegionPages(space, space.findVad(0x100000)!);
    expect(pages.startingVpn).toBe(0x100);
    expect(kindsOf(pages.kinds)).toEqual(['valid-dirty', 'valid-clean', 'transition', 'demand-zero', 'reserved']);
    expect(pages).toMatchObject({ committedPages: 4, privatePages: 4, residentPages: 2, privateResidentPages: 2, shareableResidentPages: 0, sharedResidentPages: 0 });
  });

  it('views of a file: untouched pages are in the file; write-copy ones copy-on-write until written', () => {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0xa000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT, file: dataFile(10) });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const map = (base: number, protect: number) => {
      const view = mapViewOfSection(space, section, { base, offset: 0, viewSize: 0, allocationType: 0, protect });
      if (!('base' in view)) throw new Error(`view ${view.status}`);
      return view.base;
    };
    const shared = map(0x200000, PAGE_READWRITE);
    const copy = map(0x300000, PAGE_WRITECOPY);
    const readOnly = map(0x400000, PAGE_READONLY);
    const memory = new UserMemory(space);
    memory.read(shared, 1);
    memory.read(readOnly, 1);        // the same frame, a second view: shared
    memory.write(copy + 0x1000, new Uint8Array([1]));
    const sharedPages = describeRegionPages(space, space.findVad(shared)!);
    // The fault on page 0 read a cluster of MmReadClusterSize (7) pages: 1-6 are resident, not mapped here; 7-9 still in the file.
    const T = 'transition', F = 'in-file', C = 'copy-on-write';
    expect(kindsOf(sharedPages.kinds)).toEqual(['valid-clean', T, T, T, T, T, T, F, F, F]);
    expect(sharedPages).toMatchObject({ committedPages: 10, privatePages: 0, residentPages: 1, privateResidentPages: 0, shareableResidentPages: 1, sharedResidentPages: 1 });
    const copyPages = describeRegionPages(space, space.findVad(copy)!);
    // Pages 0 and 2-6 are resident in the section but not mapped here (a soft fault would map them); page 1 is this view's own copy.
    expect(kindsOf(copyPages.kinds)).toEqual([T, 'valid-dirty', T, T, T, T, T, C, C, C]);
    expect(copyPages).toMatchObject({ committedPages: 10, privatePages: 1, residentPages: 1, privateResidentPages: 1, shareableResidentPages: 0 });
  });

  it('a SEC_RESERVE view: reserved until committed, then demand-zero', () => {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0x2000, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const view = mapViewOfSection(space, section, { base: 0x200000, offset: 0, viewSize: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE });
    if (!('base' in view)) throw new Error(`view ${view.status}`);
    expect(allocateVirtualMemory(space, { base: 0x201000, size: 0x1000, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(0);
    const pages = describeRegionPages(space, space.findVad(0x200000)!);
    expect(kindsOf(pages.kinds)).toEqual(['reserved', 'demand-zero']);
    expect(pages).toMatchObject({ committedPages: 1, privatePages: 0, residentPages: 0 });
  });
});
