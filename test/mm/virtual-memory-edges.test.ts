// More of the virtual-memory services without a CPU, each test aimed at one
// decision: commits that fail inside views or past an allocation, the last
// user address, protections of view pages (resident, not resident, dirty,
// uncommitted), a trimmed private page's protection, page tables that cannot
// be had. PTE words and statuses are literals (x86 and Windows software-PTE
// formats, Windows Internals 7th ed. ch. 5; ntstatus.h).
import { describe, expect, it } from 'vitest';
import { allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory, queryVirtualMemory } from '../../src/mm/virtual-memory.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { SEC_COMMIT, SEC_RESERVE, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { trimPage } from '../../src/mm/working-set-manager.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_RELEASE = 0x8000;
const PAGE_NOACCESS = 0x01, PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08;
const STATUS_CONFLICTING_ADDRESSES = 0xc0000018, STATUS_COMMITMENT_LIMIT = 0xc000012d, STATUS_MEMORY_NOT_ALLOCATED = 0xc00000a0;
const STATUS_NOT_COMMITTED = 0xc000002d;

type Space = ReturnType<typeof createAddressSpace>['space'];
const allocate = (space: Space, base: number, size: number, allocationType: number, protect = PAGE_READWRITE) =>
  allocateVirtualMemory(space, { base, size, zeroBits: 0, allocationType, protect });

function view(space: Space, attributes: number, pages = 4, protect = PAGE_READWRITE, base = 0x300000) {
  const section = createSection(space, { sizeBytes: pages * 0x1000, protect: PAGE_READWRITE, allocationAttributes: attributes });
  if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
  const mapped = mapViewOfSection(space, section, { base, offset: 0, viewSize: 0, allocationType: attributes === SEC_RESERVE ? MEM_RESERVE : 0, protect });
  if (!('base' in mapped)) throw new Error(`view ${mapped.status}`);
  return { section, base: mapped.base };
}

describe('commits that cannot be made', () => {
  it('in a SEC_RESERVE view beyond the commit limit: STATUS_COMMITMENT_LIMIT, nothing committed', () => {
    const { space } = createAddressSpace(256, 3);
    const { section, base } = view(space, SEC_RESERVE, 8);
    expect(allocate(space, base, 0x4000, MEM_COMMIT)).toEqual({ status: STATUS_COMMITMENT_LIMIT });
    expect(section.controlArea.commitPages).toBe(0);
    expect(allocate(space, base, 0x3000, MEM_COMMIT)).toEqual({ status: 0, region: { base, size: 0x3000 } });
  });

  it('running past the end of a private allocation: STATUS_CONFLICTING_ADDRESSES, nothing charged', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x10000, MEM_RESERVE).status).toBe(0);
    expect(allocate(space, 0x10f000, 0x2000, MEM_COMMIT)).toEqual({ status: STATUS_CONFLICTING_ADDRESSES });
    expect(allocate(space, 0x10f000, 0x1000, MEM_COMMIT)).toEqual({ status: 0, region: { base: 0x10f000, size: 0x1000 } });
    expect(space.commitCharge).toBe(1);
  });

  it('a page table that cannot be had for a commit is a kernel bug (page tables are outside the commit limit)', () => {
    // One frame: the page directory. The reservation needs no table; the commit's demand-zero PTE does.
    const { space } = createAddressSpace(1, 16);
    expect(allocate(space, 0x100000, 0x1000, MEM_RESERVE).status).toBe(0);
    expect(() => allocate(space, 0x100000, 0x1000, MEM_COMMIT)).toThrow(new KernelPanic('out of frames for page tables'));
  });
});

describe('the last user address', () => {
  it('0x7FFEFFFF is still user space for NtFreeVirtualMemory and NtProtectVirtualMemory: nothing is allocated there', () => {
    const { space } = createAddressSpace();
    expect(freeVirtualMemory(space, { base: 0x7ffeffff, size: 1, freeType: MEM_RELEASE })).toEqual({ status: STATUS_MEMORY_NOT_ALLOCATED });
    expect(protectVirtualMemory(space, { base: 0x7ffeffff, size: 1, protect: PAGE_READONLY })).toEqual({ status: STATUS_MEMORY_NOT_ALLOCATED });
  });
});

describe('protections of view pages', () => {
  it('an uncommitted page of a SEC_RESERVE view: STATUS_NOT_COMMITTED', () => {
    const { space } = createAddressSpace();
    const { base } = view(space, SEC_RESERVE);
    expect(allocate(space, base, 0x1000, MEM_COMMIT).status).toBe(0);
    expect(protectVirtualMemory(space, { base, size: 0x2000, protect: PAGE_READONLY })).toEqual({ status: STATUS_NOT_COMMITTED });
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READONLY }).status).toBe(0);
  });

  it('several resident pages at once: each PTE loses Write, none outside the range', () => {
    const { space } = createAddressSpace();
    const { base } = view(space, SEC_COMMIT);
    const memory = new UserMemory(space);
    for (let page = 0; page < 4; page++) memory.write(base + page * 0x1000, new Uint8Array([page]));
    expect(protectVirtualMemory(space, { base: base + 0x1000, size: 0x2000, protect: PAGE_READONLY }).status).toBe(0);
    const writeBits = [0, 1, 2, 3].map((page) => space.pageTables.readPte(base + page * 0x1000) & 0x2);
    expect(writeBits).toEqual([0x2, 0, 0, 0x2]);
    checkAddressSpaceInvariants(space);
  });

  it('a page not resident in this view keeps its zero PTE; the next touch maps the section\'s frame read-only', () => {
    const { space } = createAddressSpace();
    const { base } = view(space, SEC_COMMIT);
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READONLY }).status).toBe(0);
    expect(space.pageTables.readPte(base)).toBe(0);
    new UserMemory(space).read(base, 1);
    const pfn = space.pageTables.readPte(base) >>> 12;
    expect(space.frames.isPrototype(pfn)).toBe(true);
    expect(space.pageTables.readPte(base) & 0x7).toBe(0x5); // Valid|Owner, read-only
    checkAddressSpaceInvariants(space);
  });

  it('PAGE_NOACCESS on a written (Dirty) page gives the Dirty bit to the frame; on a clean page it does not', () => {
    const { space } = createAddressSpace();
    const { base } = view(space, SEC_COMMIT);
    const memory = new UserMemory(space);
    memory.write(base, new Uint8Array([1]));
    memory.read(base + 0x1000, 1);
    const dirty = space.pageTables.readPte(base) >>> 12, clean = space.pageTables.readPte(base + 0x1000) >>> 12;
    space.frames.setModified(dirty, false);
    space.frames.setModified(clean, false);
    expect(protectVirtualMemory(space, { base, size: 0x2000, protect: PAGE_NOACCESS }).status).toBe(0);
    expect([space.frames.isModified(dirty), space.frames.isModified(clean)]).toEqual([true, false]);
    checkAddressSpaceInvariants(space);
  });

  it('write-copy beyond the commit limit: STATUS_COMMITMENT_LIMIT, the pages keep their protection', () => {
    const { space } = createAddressSpace(256, 6);
    const { base } = view(space, SEC_COMMIT);
    // The section holds 4 pages of commit; 2 remain, 3 copies would be needed.
    expect(protectVirtualMemory(space, { base, size: 0x3000, protect: PAGE_WRITECOPY })).toEqual({ status: STATUS_COMMITMENT_LIMIT });
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READONLY })).toMatchObject({ oldProtect: PAGE_READWRITE });
  });
});

describe('a trimmed private page', () => {
  it('takes a new protection in its transition PTE and stays on its list', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x100000, 0x1000, MEM_RESERVE | MEM_COMMIT).status).toBe(0);
    new UserMemory(space).write(0x100000, new Uint8Array([1]));
    const pfn = space.pageTables.readPte(0x100000) >>> 12;
    const list = trimPage(space, 0x100);
    expect(protectVirtualMemory(space, { base: 0x100000, size: 0x1000, protect: PAGE_READONLY }).status).toBe(0);
    // Frame, Transition (0x800), MM_READONLY (1 << 5).
    expect(space.pageTables.readPte(0x100000)).toBe(((pfn << 12) | 0x800 | 0x20) >>> 0);
    expect(space.frames.stateOf(pfn)).toBe(list);
    expect([PfnState.Standby, PfnState.Modified]).toContain(list);
    expect(space.workingSet.size).toBe(0);
    checkAddressSpaceInvariants(space);
  });
});

describe('release and copies', () => {
  it('releasing an allocation gives back the frame of every page, the last one too', () => {
    const { space } = createAddressSpace();
    const before = space.frames.counts().active;
    expect(allocate(space, 0x100000, 0x3000, MEM_RESERVE | MEM_COMMIT).status).toBe(0);
    new UserMemory(space).write(0x100000, new Uint8Array(0x3000).fill(1));
    expect(freeVirtualMemory(space, { base: 0x100000, size: 0, freeType: MEM_RELEASE }).status).toBe(0);
    // One page table stays (tables are kept until teardown); the three pages' frames are back.
    expect(space.frames.counts().active).toBe(before + 1);
    expect([0x100000, 0x101000, 0x102000].map((a) => space.pageTables.readPte(a))).toEqual([0, 0, 0]);
    checkAddressSpaceInvariants(space);
  });

  it('a copied page of a write-copy view takes a protection as private memory; write-copy again means read-write for it', () => {
    const { space } = createAddressSpace();
    const { base } = view(space, SEC_COMMIT, 4, PAGE_WRITECOPY);
    new UserMemory(space).write(base, new Uint8Array([9]));
    const copy = space.pageTables.readPte(base) >>> 12;
    expect(space.frames.isPrototype(copy)).toBe(false);
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_READONLY }).status).toBe(0);
    expect(space.pageTables.readPte(base) & 0xfff).toBe(0x065); // Valid|Owner|Accessed|Dirty, no Write
    expect(protectVirtualMemory(space, { base, size: 0x1000, protect: PAGE_WRITECOPY }).status).toBe(0);
    // The copy is past copy-on-write: Write (0x2), not the copy-on-write bit (0x200).
    expect(space.pageTables.readPte(base) & 0xfff).toBe(0x067);
    expect(space.pageTables.readPte(base) >>> 12).toBe(copy);
    checkAddressSpaceInvariants(space);
  });

  it('KUSER_SHARED_DATA and the reservations around it as NtQueryVirtualMemory reports them', () => {
    const { space } = createAddressSpace();
    expect(queryVirtualMemory(space, 0x7ffe0000)).toMatchObject({ state: MEM_COMMIT, protect: PAGE_READONLY, regionSize: 0x1000 });
    expect(queryVirtualMemory(space, 0x7ffe1000)).toMatchObject({ state: MEM_RESERVE, protect: PAGE_NOACCESS, regionSize: 0xf000 });
  });
});
