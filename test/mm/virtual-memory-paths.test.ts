// The virtual-memory services' less travelled paths without a CPU: the order
// of the argument checks, the flags that are refused or not modelled, commits
// and protections of resident pages (PTE words as literals: Valid 0x1, Write
// 0x2, Owner 0x4, Accessed 0x20, Dirty 0x40, Transition 0x800, the
// protection in bits 5-9 of a not-present PTE; Windows Internals 7th ed.
// ch. 5), views and MEM_RESET. Statuses are ntstatus.h literals; the order of
// the checks WRK NtAllocateVirtualMemory / NtFreeVirtualMemory /
// NtProtectVirtualMemory.
import { describe, expect, it } from 'vitest';
import {
  allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory, queryVirtualMemory,
} from '../../src/mm/virtual-memory.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { SEC_COMMIT, SEC_RESERVE, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { VadType } from '../../src/mm/vad.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_DECOMMIT = 0x4000, MEM_RELEASE = 0x8000, MEM_RESET = 0x80000, MEM_TOP_DOWN = 0x100000;
const MEM_WRITE_WATCH = 0x200000, MEM_PHYSICAL = 0x400000, MEM_RESET_UNDO = 0x1000000, MEM_LARGE_PAGES = 0x20000000;
const MEM_MAPPED = 0x40000, MEM_IMAGE = 0x1000000, MEM_FREE = 0x10000;
const PAGE_NOACCESS = 0x01, PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, PAGE_EXECUTE_READ = 0x20;
const PAGE_EXECUTE_READWRITE = 0x40, PAGE_EXECUTE_WRITECOPY = 0x80, PAGE_GUARD = 0x100;
const STATUS_INVALID_PARAMETER_2 = 0xc00000f0, STATUS_INVALID_PARAMETER_3 = 0xc00000f1, STATUS_INVALID_PARAMETER_4 = 0xc00000f2;
const STATUS_INVALID_PARAMETER_5 = 0xc00000f3, STATUS_INVALID_PAGE_PROTECTION = 0xc0000045, STATUS_NOT_SUPPORTED = 0xc00000bb;
const STATUS_INVALID_HANDLE = 0xc0000008, STATUS_ACCESS_DENIED = 0xc0000022, STATUS_NO_MEMORY = 0xc0000017;

type Space = ReturnType<typeof createAddressSpace>['space'];
const allocate = (space: Space, base: number, size: number, allocationType: number, protect = PAGE_READWRITE, zeroBits = 0) =>
  allocateVirtualMemory(space, { base, size, zeroBits, allocationType, protect });
const low12 = (pte: number) => pte & 0xfff;

describe('NtAllocateVirtualMemory: the checks and their order', () => {
  it.each([
    ['MEM_LARGE_PAGES without MEM_COMMIT', MEM_RESERVE | MEM_LARGE_PAGES, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
    ['MEM_LARGE_PAGES with MEM_WRITE_WATCH', MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES | MEM_WRITE_WATCH, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
    ['MEM_LARGE_PAGES with MEM_COMMIT (not modelled)', MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES, PAGE_READWRITE, STATUS_NOT_SUPPORTED],
    ['MEM_LARGE_PAGES, MEM_COMMIT and MEM_TOP_DOWN (not modelled)', MEM_COMMIT | MEM_LARGE_PAGES | MEM_TOP_DOWN, PAGE_READWRITE, STATUS_NOT_SUPPORTED],
    ['MEM_WRITE_WATCH without MEM_RESERVE', MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
    ['MEM_PHYSICAL with MEM_COMMIT', MEM_RESERVE | MEM_COMMIT | MEM_PHYSICAL, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
    ['MEM_PHYSICAL not PAGE_READWRITE', MEM_RESERVE | MEM_PHYSICAL, PAGE_READONLY, STATUS_INVALID_PAGE_PROTECTION],
    ['MEM_PHYSICAL with MEM_TOP_DOWN (not modelled)', MEM_RESERVE | MEM_PHYSICAL | MEM_TOP_DOWN, PAGE_READWRITE, STATUS_NOT_SUPPORTED],
    ['MEM_RESET_UNDO with another flag', MEM_RESET_UNDO | MEM_COMMIT, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
    ['MEM_RESET with MEM_RESET_UNDO', MEM_RESET | MEM_RESET_UNDO, PAGE_READWRITE, STATUS_INVALID_PARAMETER_5],
    ['an unknown type before a bad protection', MEM_RESERVE | 0x10, 0x03, STATUS_INVALID_PARAMETER_5],
    ['PAGE_EXECUTE_WRITECOPY on private memory', MEM_RESERVE, PAGE_EXECUTE_WRITECOPY, STATUS_INVALID_PAGE_PROTECTION],
    ['PAGE_WRITECOPY with MEM_COMMIT at no address', MEM_COMMIT, PAGE_WRITECOPY, STATUS_INVALID_PAGE_PROTECTION],
  ])('%s', (_what, type, protect, status) => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x1000, type, protect)).toEqual({ status });
    expect(space.vads.size).toBe(0);
  });

  it('MEM_RESET with another flag is refused before the protection is looked at', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x1000, MEM_RESET | MEM_COMMIT, 0x03)).toEqual({ status: STATUS_INVALID_PARAMETER_5 });
    expect(allocate(space, 0x100000, 0x1000, MEM_RESET_UNDO | MEM_COMMIT, 0x03)).toEqual({ status: STATUS_INVALID_PARAMETER_5 });
  });

  it('zero bits are checked before anything else, 21 is the most allowed', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0, 0, 0x03, 22)).toEqual({ status: STATUS_INVALID_PARAMETER_3 });
    // 21 zero bits leave 0..0x7FF: no 64 KiB-aligned range above 0x10000 fits.
    expect(allocate(space, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE, 21)).toEqual({ status: STATUS_NO_MEMORY });
    // 15 zero bits: below 0x20000, so only 0x10000 fits one 64 KiB reservation.
    expect(allocate(space, 0, 0x10000, MEM_RESERVE, PAGE_READWRITE, 15)).toEqual({ status: 0, region: { base: 0x10000, size: 0x10000 } });
    expect(allocate(space, 0, 0x1000, MEM_RESERVE, PAGE_READWRITE, 15)).toEqual({ status: STATUS_NO_MEMORY });
  });

  it('the capture runs after the flag and protection checks, before the address checks; the process last', () => {
    const { space } = createAddressSpace();
    let captures = 0;
    const capture = () => { captures++; };
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x1000, zeroBits: 0, allocationType: MEM_RESERVE, protect: 0x03, capture })).toEqual({ status: STATUS_INVALID_PAGE_PROTECTION });
    expect(captures).toBe(0);
    expect(allocateVirtualMemory(space, { base: 0x80000000, size: 0x1000, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE, capture, processStatus: STATUS_ACCESS_DENIED })).toEqual({ status: STATUS_INVALID_PARAMETER_2 });
    expect(captures).toBe(1);
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x1000, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE, capture, processStatus: STATUS_ACCESS_DENIED })).toEqual({ status: STATUS_ACCESS_DENIED });
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE, capture, processStatus: STATUS_INVALID_HANDLE })).toEqual({ status: STATUS_INVALID_PARAMETER_4 });
    expect(captures).toBe(3);
    expect(space.vads.size).toBe(0);
  });

  it('the highest base is 0x7FFDFFFF and the range may end exactly at 0x7FFDFFFF', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x7ffe0000, 0x1000, MEM_RESERVE)).toEqual({ status: STATUS_INVALID_PARAMETER_2 });
    expect(allocate(space, 0x7ffd0000, 0x10001, MEM_RESERVE)).toEqual({ status: STATUS_INVALID_PARAMETER_4 });
    expect(allocate(space, 0x7ffd0000, 0x10000, MEM_RESERVE)).toEqual({ status: 0, region: { base: 0x7ffd0000, size: 0x10000 } });
    expect(allocate(space, 0x7ffdffff, 1, MEM_RESERVE)).toEqual({ status: 0xc0000018 });
  });

  it('a reservation at a given base covers whole pages from the 64 KiB boundary to the last byte', () => {
    const { space } = createAddressSpace();
    // 0x12f000 + 0x2001 ends at 0x131000: pages 0x120..0x131, 18 pages.
    expect(allocate(space, 0x12f000, 0x2001, MEM_RESERVE)).toEqual({ status: 0, region: { base: 0x120000, size: 0x12000 } });
    // At no address: whole pages, the next 64 KiB boundary (0x10000 is the first).
    expect(allocate(space, 0, 0x1001, MEM_RESERVE)).toEqual({ status: 0, region: { base: 0x10000, size: 0x2000 } });
    expect(allocate(space, 0, 1, MEM_RESERVE)).toEqual({ status: 0, region: { base: 0x20000, size: 0x1000 } });
    // The lowest base allowed is 0x10000 itself (MM_LOWEST_USER_ADDRESS); below it is refused.
    const other = createAddressSpace().space;
    expect(allocate(other, 0x10000, 0x1000, MEM_RESERVE)).toEqual({ status: 0, region: { base: 0x10000, size: 0x1000 } });
    expect(allocate(other, 0xffff, 0x1000, MEM_RESERVE)).toEqual({ status: STATUS_INVALID_PARAMETER_2 });
  });

  it('MEM_WRITE_WATCH makes a VadWriteWatch VAD counted by the space; release uncounts it', () => {
    const { space } = createAddressSpace();
    const r = allocate(space, 0, 0x2000, MEM_RESERVE | MEM_WRITE_WATCH).region!;
    expect(space.findVad(r.base)!.vadType).toBe(VadType.VadWriteWatch);
    expect(space.writeWatchVads).toBe(1);
    const plain = allocate(space, 0, 0x2000, MEM_RESERVE).region!;
    expect(space.findVad(plain.base)!.writeWatch).toBeUndefined();
    expect(space.writeWatchVads).toBe(1);
    freeVirtualMemory(space, { base: plain.base, size: 0, freeType: MEM_RELEASE });
    expect(space.writeWatchVads).toBe(1);
    freeVirtualMemory(space, { base: r.base, size: 0, freeType: MEM_RELEASE });
    expect(space.writeWatchVads).toBe(0);
  });
});

describe('commit and protection of resident pages', () => {
  function resident() {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x4000, MEM_RESERVE).status).toBe(0);
    expect(allocate(space, 0x100000, 0x3000, MEM_COMMIT).status).toBe(0);
    const memory = new UserMemory(space);
    memory.write(0x100000, new Uint8Array([1]));
    memory.read(0x101000, 1);
    return { space, memory, pfn: (a: number) => space.pageTables.readPte(a) >>> 12 };
  }

  it('commit again with another protection: a resident page keeps its frame, data and Accessed/Dirty bits', () => {
    const { space, memory, pfn } = resident();
    const frame = pfn(0x100000);
    expect(allocate(space, 0x100000, 0x4000, MEM_COMMIT, PAGE_READONLY)).toEqual({ status: 0, region: { base: 0x100000, size: 0x4000 } });
    expect(space.commitCharge).toBe(4);
    expect(pfn(0x100000)).toBe(frame);
    expect(low12(space.pageTables.readPte(0x100000))).toBe(0x065); // Valid|Owner|Accessed|Dirty, no Write
    expect(low12(space.pageTables.readPte(0x101000))).toBe(0x025); // read only: Accessed, not Dirty
    expect(space.pageTables.readPte(0x102000)).toBe(0x20);          // demand-zero PAGE_READONLY (MM_READONLY 1 << 5)
    expect(space.pageTables.readPte(0x103000)).toBe(0x20);
    expect(memory.read(0x100000, 1)[0]).toBe(1);
    checkAddressSpaceInvariants(space);
  });

  it('PAGE_NOACCESS and PAGE_GUARD keep the frame in a transition PTE; PAGE_READWRITE makes it valid again with its bits', () => {
    const { space, memory, pfn } = resident();
    const frame = pfn(0x100000);
    const active = space.frames.counts().active;
    expect(protectVirtualMemory(space, { base: 0x100000, size: 0x1000, protect: PAGE_NOACCESS })).toEqual({ status: 0, region: { base: 0x100000, size: 0x1000 }, oldProtect: PAGE_READWRITE });
    expect(space.pageTables.readPte(0x100000)).toBe(((frame << 12) | 0x800 | 0x300) >>> 0); // MM_NOACCESS 0x18 << 5
    expect(space.frames.counts().active).toBe(active);
    expect(protectVirtualMemory(space, { base: 0x100000, size: 0x1000, protect: PAGE_READWRITE | PAGE_GUARD }).oldProtect).toBe(PAGE_NOACCESS);
    expect(space.pageTables.readPte(0x100000)).toBe(((frame << 12) | 0x800 | 0x280) >>> 0); // MM_READWRITE|MM_GUARDPAGE 0x14 << 5
    expect(protectVirtualMemory(space, { base: 0x100000, size: 0x1000, protect: PAGE_EXECUTE_READWRITE }).oldProtect).toBe(PAGE_READWRITE | PAGE_GUARD);
    expect(space.pageTables.readPte(0x100000)).toBe(((frame << 12) | 0x7) >>> 0); // Valid|Write|Owner; A/D were lost with the valid PTE
    expect(memory.read(0x100000, 1)[0]).toBe(1);
    expect(queryVirtualMemory(space, 0x100000)).toMatchObject({ protect: PAGE_EXECUTE_READWRITE, regionSize: 0x1000 });
    checkAddressSpaceInvariants(space);
  });

  it('a valid page made read-only keeps Accessed and Dirty; a demand-zero page just changes its protection field', () => {
    const { space, pfn } = resident();
    const frame = pfn(0x100000);
    protectVirtualMemory(space, { base: 0x100000, size: 0x3000, protect: PAGE_EXECUTE_READ });
    expect(space.pageTables.readPte(0x100000)).toBe(((frame << 12) | 0x65) >>> 0);
    expect(space.pageTables.readPte(0x102000)).toBe(0x60); // MM_EXECUTE_READ 3 << 5
    checkAddressSpaceInvariants(space);
  });

  it('protection needs every page committed and one allocation; write-copy is refused for private memory', () => {
    const { space } = resident();
    expect(protectVirtualMemory(space, { base: 0x102000, size: 0x2000, protect: PAGE_READONLY })).toEqual({ status: 0xc000002d });
    expect(protectVirtualMemory(space, { base: 0x100000, size: 0x1000, protect: PAGE_WRITECOPY })).toEqual({ status: STATUS_INVALID_PAGE_PROTECTION });
    expect(protectVirtualMemory(space, { base: 0x103000, size: 0x2000, protect: PAGE_READONLY })).toEqual({ status: 0xc0000018 });
    expect(space.pageTables.readPte(0x100000) & 0x2).toBe(0x2);
  });

  it('the protection service checks the protection, then the captures, then the range, then the process', () => {
    const { space } = resident();
    let captures = 0, oldCaptures = 0;
    const request = { capture: () => { captures++; }, captureOldProtect: () => { oldCaptures++; } };
    expect(protectVirtualMemory(space, { ...request, base: 0x100000, size: 0x1000, protect: 0x03 })).toEqual({ status: STATUS_INVALID_PAGE_PROTECTION });
    expect([captures, oldCaptures]).toEqual([0, 0]);
    expect(protectVirtualMemory(space, { ...request, base: 0x7fff0000, size: 0x1000, protect: PAGE_READONLY })).toEqual({ status: STATUS_INVALID_PARAMETER_2 });
    expect([captures, oldCaptures]).toEqual([1, 1]);
    expect(protectVirtualMemory(space, { ...request, base: 0x7ffef000, size: 0x1001, protect: PAGE_READONLY })).toEqual({ status: STATUS_INVALID_PARAMETER_3 });
    expect(protectVirtualMemory(space, { ...request, base: 0x100000, size: 0, protect: PAGE_READONLY })).toEqual({ status: STATUS_INVALID_PARAMETER_3 });
    expect(protectVirtualMemory(space, { ...request, base: 0x100000, size: 0x1000, protect: PAGE_READONLY, processStatus: STATUS_INVALID_HANDLE })).toEqual({ status: STATUS_INVALID_HANDLE });
    expect(protectVirtualMemory(space, { base: 0x7ffef000, size: 0x1000, protect: PAGE_READONLY })).toEqual({ status: 0xc00000a0 });
  });

  it('decommit: a MemCommit VAD gets decommitted PTEs (0x200), a reservation zero PTEs; frames go back', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x3000, MEM_RESERVE | MEM_COMMIT).status).toBe(0);
    expect(allocate(space, 0x200000, 0x3000, MEM_RESERVE).status).toBe(0);
    expect(allocate(space, 0x200000, 0x3000, MEM_COMMIT).status).toBe(0);
    const memory = new UserMemory(space);
    memory.write(0x101000, new Uint8Array([1]));
    memory.write(0x201000, new Uint8Array([1]));
    const active = space.frames.counts().active;
    expect(freeVirtualMemory(space, { base: 0x101000, size: 0x1000, freeType: MEM_DECOMMIT })).toEqual({ status: 0, region: { base: 0x101000, size: 0x1000 } });
    expect(space.pageTables.readPte(0x101000)).toBe(0x200);
    expect(freeVirtualMemory(space, { base: 0x201000, size: 0x1000, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(space.pageTables.readPte(0x201000)).toBe(0);
    expect(space.frames.counts().active).toBe(active - 2);
    expect(space.commitCharge).toBe(4);
    expect(queryVirtualMemory(space, 0x101000)).toMatchObject({ state: MEM_RESERVE, regionSize: 0x1000, protect: 0 });
    // Size 0 with MEM_DECOMMIT: from the base to the end of the allocation.
    expect(freeVirtualMemory(space, { base: 0x200000, size: 0, freeType: MEM_DECOMMIT })).toEqual({ status: 0, region: { base: 0x200000, size: 0x3000 } });
    expect(space.commitCharge).toBe(2);
    // Decommitting pages never committed charges nothing back.
    expect(freeVirtualMemory(space, { base: 0x101000, size: 0x1000, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(space.commitCharge).toBe(2);
    checkAddressSpaceInvariants(space);
  });

  it('the free service: the free type first, then the captures, then the range, then the process', () => {
    const { space } = resident();
    let captures = 0;
    const capture = () => { captures++; };
    expect(freeVirtualMemory(space, { base: 0x80000000, size: 0, freeType: 0, capture })).toEqual({ status: STATUS_INVALID_PARAMETER_4 });
    expect(captures).toBe(0);
    expect(freeVirtualMemory(space, { base: 0x7fff0000, size: 0, freeType: MEM_RELEASE, capture })).toEqual({ status: STATUS_INVALID_PARAMETER_2 });
    expect(freeVirtualMemory(space, { base: 0x7ffef000, size: 0x1001, freeType: MEM_RELEASE, capture })).toEqual({ status: STATUS_INVALID_PARAMETER_3 });
    expect(freeVirtualMemory(space, { base: 0x100000, size: 0, freeType: MEM_RELEASE, capture, processStatus: STATUS_ACCESS_DENIED })).toEqual({ status: STATUS_ACCESS_DENIED });
    expect(captures).toBe(3);
    expect(space.vads.size).toBe(1);
    // 0x7ffeffff is still user space for NtFreeVirtualMemory: no allocation there.
    expect(freeVirtualMemory(space, { base: 0x7ffef000, size: 0x1000, freeType: MEM_RELEASE })).toEqual({ status: 0xc00000a0 });
  });
});

describe('views through the virtual-memory services', () => {
  function view(attributes: number, protect = PAGE_READWRITE, pages = 4) {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: pages * 0x1000, protect, allocationAttributes: attributes });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const mapped = mapViewOfSection(space, section, { base: 0x300000, offset: 0, viewSize: 0, allocationType: attributes === SEC_RESERVE ? MEM_RESERVE : 0, protect });
    if (!('base' in mapped)) throw new Error(`view ${mapped.status}`);
    return { space, section, base: mapped.base };
  }

  it('MEM_COMMIT in a SEC_RESERVE view commits the section\'s pages; the view cannot be freed', () => {
    const { space, section, base } = view(SEC_RESERVE);
    expect(queryVirtualMemory(space, base)).toMatchObject({ state: MEM_RESERVE, type: MEM_MAPPED, regionSize: 0x4000 });
    expect(allocate(space, base + 0x1000, 0x2000, MEM_COMMIT)).toEqual({ status: 0, region: { base: base + 0x1000, size: 0x2000 } });
    expect(section.controlArea.commitPages).toBe(2);
    expect(queryVirtualMemory(space, base + 0x1000)).toMatchObject({ state: MEM_COMMIT, protect: PAGE_READWRITE, type: MEM_MAPPED, regionSize: 0x2000 });
    expect(freeVirtualMemory(space, { base, size: 0, freeType: MEM_RELEASE })).toEqual({ status: 0xc000001b });
    expect(freeVirtualMemory(space, { base, size: 0x1000, freeType: MEM_DECOMMIT })).toEqual({ status: 0xc000001b });
    // A commit up to the view's last page.
    expect(allocate(space, base + 0x3000, 0x1000, MEM_COMMIT)).toEqual({ status: 0, region: { base: base + 0x3000, size: 0x1000 } });
    expect(section.controlArea.commitPages).toBe(3);
    // A commit that runs past the view is not in the view.
    expect(allocate(space, base + 0x3000, 0x2000, MEM_COMMIT)).toEqual({ status: 0xc0000018 });
    checkAddressSpaceInvariants(space);
  });

  it('protections in a view: within the section\'s, one page at a time, and read back by query', () => {
    const { space, base } = view(SEC_COMMIT);
    new UserMemory(space).write(base, new Uint8Array([5]));
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READONLY })).toEqual({ status: 0, region: { base, size: 0x1000 }, oldProtect: PAGE_READWRITE });
    expect(low12(space.pageTables.readPte(base)) & 0x7).toBe(0x5); // shared frame, now Valid|Owner without Write
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_EXECUTE_READWRITE })).toEqual({ status: 0xc000004e });
    expect(queryVirtualMemory(space, base)).toMatchObject({ protect: PAGE_READONLY, regionSize: 0x1000, type: MEM_MAPPED });
    expect(queryVirtualMemory(space, base + 0x1000)).toMatchObject({ protect: PAGE_READWRITE, regionSize: 0x3000 });
    // PAGE_NOACCESS drops this view's share of the frame; the data stays with the section.
    const pfn = space.pageTables.readPte(base) >>> 12;
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_NOACCESS }).status).toBe(0);
    expect(space.pageTables.readPte(base)).toBe(0);
    expect(space.frames.shareCountOf(pfn)).toBe(0);
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READWRITE }).oldProtect).toBe(PAGE_NOACCESS);
    expect(new UserMemory(space).read(base, 1)[0]).toBe(5);
    checkAddressSpaceInvariants(space);
  });

  it('write-copy in a view is charged once per page that may need a copy', () => {
    const { space, base } = view(SEC_COMMIT);
    const vad = space.findVad(base)!;
    expect(protectVirtualMemory(space, { base, size: 0x2000, protect: PAGE_WRITECOPY }).status).toBe(0);
    expect(vad.commitCharge).toBe(2);
    expect(protectVirtualMemory(space, { base, size: 0x3000, protect: PAGE_WRITECOPY }).status).toBe(0);
    expect(vad.commitCharge).toBe(3);
    expect(protectVirtualMemory(space, { base, size: 0x4000, protect: PAGE_READWRITE }).status).toBe(0);
    expect(protectVirtualMemory(space, { base, size: 0x4000, protect: PAGE_WRITECOPY }).status).toBe(0);
    expect(vad.commitCharge).toBe(4);
    checkAddressSpaceInvariants(space);
  });

  it('an image view: PAGE_READWRITE becomes PAGE_WRITECOPY, PAGE_EXECUTE_READWRITE PAGE_EXECUTE_WRITECOPY; query says MEM_IMAGE', () => {
    const { space, base } = view(SEC_COMMIT, PAGE_EXECUTE_READWRITE);
    const vad = space.findVad(base)!;
    vad.vadType = VadType.VadImageMap; // as an image view's VAD is (the section here is page-file-backed)
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READWRITE }).status).toBe(0);
    expect(queryVirtualMemory(space, base)).toMatchObject({ protect: PAGE_WRITECOPY, type: MEM_IMAGE, regionSize: 0x1000 });
    expect(protectVirtualMemory(space, { base: base + 0x1000, size: 0x1000, protect: PAGE_EXECUTE_READWRITE | PAGE_GUARD }).status).toBe(0);
    expect(queryVirtualMemory(space, base + 0x1000)).toMatchObject({ protect: PAGE_EXECUTE_WRITECOPY | PAGE_GUARD });
    expect(protectVirtualMemory(space, { base: base + 0x2000, size: 0x1000, protect: PAGE_EXECUTE_READ }).status).toBe(0);
    expect(queryVirtualMemory(space, base + 0x2000)).toMatchObject({ protect: PAGE_EXECUTE_READ });
  });
});

describe('NtQueryVirtualMemory over free memory', () => {
  it('the free run above the last allocation ends at 0x7FFE0000, below the first 64 KiB at 0x10000', () => {
    const { space } = createAddressSpace();
    expect(queryVirtualMemory(space, 0x7ff00000)).toEqual({
      baseAddress: 0x7ff00000, allocationBase: 0, allocationProtect: 0, regionSize: 0xe0000, state: MEM_FREE, protect: PAGE_NOACCESS, type: 0,
    });
    expect(queryVirtualMemory(space, 0x10000)).toMatchObject({ baseAddress: 0x10000, regionSize: 0x7ffd0000, state: MEM_FREE });
    expect(queryVirtualMemory(space, 0)).toMatchObject({ baseAddress: 0, regionSize: 0x10000, state: MEM_FREE });
    expect(queryVirtualMemory(space, 0x7fffffff)).toMatchObject({ baseAddress: 0x7ffff000, regionSize: 0x1000, state: MEM_RESERVE });
  });
});

describe('MEM_RESET and MEM_RESET_UNDO through NtAllocateVirtualMemory', () => {
  it('reset a committed range, then undo it while the pages are still resident', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x3000, MEM_RESERVE | MEM_COMMIT).status).toBe(0);
    new UserMemory(space).write(0x100000, new Uint8Array([1]));
    expect(allocate(space, 0x100800, 0x1000, MEM_RESET)).toEqual({ status: 0, region: { base: 0x100000, size: 0x2000 } });
    expect(space.pageTables.readPte(0x100000) & 0x40).toBe(0);
    expect(allocate(space, 0x100000, 0x1000, MEM_RESET_UNDO)).toEqual({ status: 0, region: { base: 0x100000, size: 0x1000 } });
    expect(space.frames.isModified(space.pageTables.readPte(0x100000) >>> 12)).toBe(true);
    expect(allocate(space, 0x300000, 0x1000, MEM_RESET_UNDO)).toEqual({ status: 0xc00000a0 });
    checkAddressSpaceInvariants(space);
  });
});
