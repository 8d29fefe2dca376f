// The invariant checker notices each way the memory manager's state can go
// wrong. A small healthy state is built, one thing is broken by hand, and the
// checker must name exactly that. The figures in the messages are counted
// here from what the test built: 4 committed private pages at 0x100000 of
// which 2 are touched, a 2-page SEC_COMMIT section mapped at the next free
// 64 KiB (its first page touched), one user page table and the directory.
import { describe, expect, it } from 'vitest';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { MEM_COMMIT, MEM_RESERVE, MEM_WRITE_WATCH, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { PAGE_READWRITE } from '../../src/mm/protection.js';
import { VadType } from '../../src/mm/vad.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

function healthy(pagefilePages = 0) {
  const { space } = createAddressSpace(256, 256, pagefilePages);
  const alloc = allocateVirtualMemory(space, { base: 0x100000, size: 0x4000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT, protect: PAGE_READWRITE });
  expect(alloc.status).toBe(0);
  const memory = new UserMemory(space);
  memory.write(0x100000, new Uint8Array([1]));
  memory.write(0x101000, new Uint8Array([2]));
  const section = createSection(space, { sizeBytes: 0x2000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
  if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
  const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
  if (!('base' in view)) throw new Error(`view ${view.status}`);
  memory.write(view.base, new Uint8Array([3]));
  const privateVad = space.findVad(0x100000)!;
  const viewVad = space.findVad(view.base)!;
  const pfnAt = (address: number) => space.pageTables.readPte(address) >>> 12;
  checkAddressSpaceInvariants(space);
  return { space, memory, section, viewBase: view.base, privateVad, viewVad, pfnAt };
}

const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');

describe('the invariant checker', () => {
  it('accepts the healthy state it is shown', () => {
    const { space, viewBase } = healthy();
    expect(viewBase % 0x10000).toBe(0);
    expect([space.commitCharge, space.commit.totalPages, space.workingSet.size]).toEqual([4, 6, 3]);
  });

  it('commit: a VAD charged less than it has committed, a process charged more than its VADs', () => {
    const a = healthy();
    a.privateVad.commitCharge = 3;
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow('VAD 0x00100000 has 4 committed pages but is charged 3');
    const b = healthy();
    b.space.commitCharge = 5;
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow('VAD commit sums to 4 but the process is charged 5');
  });

  it('commit: system commit above its limit', () => {
    const { space } = healthy();
    (space.commit as unknown as { limitPages: number }).limitPages = 5;
    expect(() => checkAddressSpaceInvariants(space)).toThrow('system commit exceeds its limit');
  });

  it('commit: the limit itself is allowed', () => {
    const { space } = healthy();
    (space.commit as unknown as { limitPages: number }).limitPages = 6;
    checkAddressSpaceInvariants(space);
  });

  it('write watch: a bitmap without VadWriteWatch and the reverse, a bitmap of the wrong size or with a 2', () => {
    const a = healthy();
    a.privateVad.vadType = VadType.VadWriteWatch;
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow('VAD 0x00100000: write-watch bitmap and VadType VadWriteWatch disagree');
    const b = healthy();
    const watched = allocateVirtualMemory(b.space, { base: 0x300000, size: 0x3000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_WRITE_WATCH, protect: PAGE_READWRITE });
    expect(watched.status).toBe(0);
    const vad = b.space.findVad(0x300000)!;
    checkAddressSpaceInvariants(b.space);
    vad.writeWatch![1] = 2;
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow('VAD 0x00300000: write-watch bitmap holds a value other than 0 or 1');
    vad.writeWatch![1] = 1;
    checkAddressSpaceInvariants(b.space);
    (vad as unknown as { writeWatch: Uint8Array }).writeWatch = new Uint8Array(2);
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow('VAD 0x00300000: write-watch bitmap of 2 pages for 3');
    (vad as unknown as { writeWatch: Uint8Array }).writeWatch = new Uint8Array(3);
    vad.privateMemory = false;
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow('VAD 0x00300000: write-watch bitmap of 3 pages for 3');
    vad.privateMemory = true;
    vad.vadType = VadType.VadNone;
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow('VAD 0x00300000: write-watch bitmap and VadType VadNone disagree');
  });

  it('views: per-page protections for a different number of pages', () => {
    const { space, viewVad, viewBase } = healthy();
    viewVad.view!.pageProtection = new Uint8Array(2);
    checkAddressSpaceInvariants(space);
    viewVad.view!.pageProtection = new Uint8Array(1);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(`view ${hex(viewBase)}: page protections for 1 pages of 2`);
  });

  it('user PTEs: a valid PTE without the Owner bit', () => {
    const { space } = healthy();
    space.pageTables.updateValidPte(0x101000, (space.pageTables.readPte(0x101000) & ~0x4) >>> 0);
    expect(() => checkAddressSpaceInvariants(space)).toThrow('user PTE for 0x00101000 lacks the Owner bit');
  });

  it('user PTEs: a valid page missing from the working set, or a working set larger than the valid pages', () => {
    const a = healthy();
    a.space.workingSet.remove(0x101);
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow('valid PTE for 0x00101000 is not in the working set');
    const b = healthy();
    b.space.workingSet.insert(0x103);
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow('3 valid user PTEs but the working set holds 4 pages');
  });

  it('user PTEs: a working set over the host-mapping budget, and exactly at it', () => {
    const { space } = healthy();
    space.residentPageLimit = 3;
    checkAddressSpaceInvariants(space);
    space.residentPageLimit = 2;
    expect(() => checkAddressSpaceInvariants(space)).toThrow('working set of 3 pages exceeds the host-mapping budget of 2');
  });

  it('user PTEs: a valid PTE outside every VAD', () => {
    const { space } = healthy();
    const pfn = space.frames.allocateZeroedFrame(0xc0000800)!;
    const pte = ((pfn << 12) | 0x7) >>> 0;
    space.pageTables.ensureTable(0x200000);
    space.pageTables.writeValidPte(0x200000, pte);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(`frames active with no VAD (valid PTEs outside every VAD): PFN ${pfn.toString(16)} at 0x00200000 (PTE 0xc0000800 = ${hex(pte)})`);
  });

  it('user PTEs: a valid PTE naming a free frame, a transition PTE naming a free frame', () => {
    const a = healthy();
    const free = a.space.frames.allocateZeroedFrame(0)!;
    a.space.frames.releaseFrame(free);
    a.space.pageTables.writeValidPte(0x102000, ((free << 12) | 0x7) >>> 0);
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow(`valid PTE for 0x00102000 names PFN ${free} in state Free`);
    const b = healthy();
    const zeroed = b.space.frames.counts().total - 1;
    b.space.pageTables.writeInvalidPte(0x102000, ((zeroed << 12) | 0x800 | 0x80) >>> 0);
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow(`transition PTE for 0x00102000 names PFN ${zeroed} in state Zeroed`);
  });

  it('user PTEs: a private frame that points back at another PTE', () => {
    const { space, pfnAt } = healthy();
    const pfn = pfnAt(0x101000);
    space.pageTables.invalidatePte(0x101000, 0);
    space.pageTables.writeValidPte(0x102000, ((pfn << 12) | 0x7) >>> 0);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(`PFN ${pfn} points at PTE 0xc0000404, mapped by 0xc0000408`);
  });

  it('frames: one active frame nobody maps is a leak', () => {
    const { space } = healthy();
    space.frames.allocateZeroedFrame(0);
    // In use: 2 private + 1 section page + 2 tables (one user table, the directory) + the leaked one.
    expect(() => checkAddressSpaceInvariants(space)).toThrow('6 frames in use but 2 private pages, 1 section pages and 2 kernel pages and tables: a frame leaked');
  });

  it('sections: a transition PTE naming a section frame, a section frame mapped outside a view or at the wrong index', () => {
    const a = healthy();
    const pfn = a.pfnAt(a.viewBase);
    a.space.pageTables.invalidatePte(a.viewBase, ((pfn << 12) | 0x800 | 0x80) >>> 0);
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow(`transition PTE for ${hex(a.viewBase)} names section frame ${pfn}`);
    const b = healthy();
    const shared = b.pfnAt(b.viewBase);
    b.space.frames.addShare(shared);
    b.space.pageTables.writeValidPte(0x102000, ((shared << 12) | 0x7) >>> 0);
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow(`0x00102000 maps section frame ${shared} outside a view`);
    const c = healthy();
    const first = c.pfnAt(c.viewBase);
    c.space.frames.addShare(first);
    c.space.pageTables.writeValidPte(c.viewBase + 0x1000, ((first << 12) | 0x7) >>> 0);
    const prototypes = c.viewVad.view!.controlArea.segment;
    expect(() => checkAddressSpaceInvariants(c.space)).toThrow(
      `${hex(c.viewBase + 0x1000)} maps PFN ${first}, which belongs to prototype PTE ${hex(prototypes.prototypePteAddress(0))}, not ${hex(prototypes.prototypePteAddress(1))}`,
    );
  });

  it('sections: a share count that is not the number of PTEs mapping the frame', () => {
    const { space, pfnAt, viewBase } = healthy();
    const pfn = pfnAt(viewBase);
    space.frames.addShare(pfn);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(`PFN ${pfn} has share count 2 but 1 PTEs map it`);
  });

  it('sections: a control area with neither references nor views', () => {
    const { space, section } = healthy();
    section.controlArea.numberOfSectionReferences = 0;
    section.controlArea.numberOfMappedViews = 1;
    checkAddressSpaceInvariants(space);
    section.controlArea.numberOfMappedViews = 0;
    expect(() => checkAddressSpaceInvariants(space)).toThrow(`control area ${section.controlArea.id} has no references and no views but was not deleted`);
    section.controlArea.numberOfSectionReferences = 1;
    checkAddressSpaceInvariants(space);
  });

  it('paged pool: bytes charged that neither a segment nor a whole handle accounts for', () => {
    const a = healthy();
    const used = a.space.pagedPool.usedBytes;
    a.space.pagedPool.tryCharge(0x40);
    checkAddressSpaceInvariants(a.space);
    a.space.pagedPool.tryCharge(0x20);
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow(new RegExp(`paged pool has ${used + 0x60} bytes charged but segments account for \\d+ and handles for the rest`));
    const b = healthy();
    b.space.pagedPool.release(b.space.pagedPool.usedBytes);
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow(/paged pool has 0 bytes charged but segments account for \d+/);
  });

  it('page file: a frame naming a slot never allocated; a slot owned twice; an allocated slot nobody owns', () => {
    const a = healthy(16);
    const pfn = a.pfnAt(0x100000);
    a.space.frames.recordPageFileCopy(pfn, 5);
    expect(() => checkAddressSpaceInvariants(a.space)).toThrow(`PFN ${pfn} names page-file slot 5, which is not allocated`);
    const b = healthy(16);
    const slot = b.space.pageFile!.allocateRun(1)!.slot;
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow(`${b.space.pageFile!.usedPages} page-file slots allocated but 0 owned`);
    b.space.frames.recordPageFileCopy(b.pfnAt(0x100000), slot);
    checkAddressSpaceInvariants(b.space);
    b.space.frames.recordPageFileCopy(b.pfnAt(0x101000), slot);
    expect(() => checkAddressSpaceInvariants(b.space)).toThrow(`page-file slot ${slot} is owned by both PFN ${b.pfnAt(0x100000)} and PFN ${b.pfnAt(0x101000)}`);
  });

  it('is a KernelPanic', () => {
    const { space } = healthy();
    space.commitCharge = 0;
    expect(() => checkAddressSpaceInvariants(space)).toThrow(KernelPanic);
  });
});
