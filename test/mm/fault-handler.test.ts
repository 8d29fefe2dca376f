// The fault handler, page tables and frame database without a CPU.
import { describe, expect, it } from 'vitest';
import { neighbourColour, resolvePageFault } from '../../src/mm/fault-handler.js';
import { setWorkingSetLimits } from '../../src/mm/working-set-services.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { MM_READONLY, MM_READWRITE, PAGE_GUARD, PAGE_READWRITE } from '../../src/mm/protection.js';
import { MEM_COMMIT, MEM_DECOMMIT, MEM_RESERVE, allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory } from '../../src/mm/virtual-memory.js';
import { trimPage } from '../../src/mm/working-set-manager.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { pteAddressOf } from '../../src/mm/layout.js';
import { isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import { UserAccessViolation, UserMemory } from '../../src/mm/user-memory.js';
import { STATUS_COMMITMENT_LIMIT } from '../../src/nt/status.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const user = (address: number, write: boolean) => ({ address, write, user: true });
/** Valid|Owner and Valid|Write|Owner, the low three bits of a valid user PTE (Intel SDM vol. 3A, 4.3). */
const VALID_USER_READ_ONLY = 0x5, VALID_USER_READ_WRITE = 0x7;

describe('page-fault resolution', () => {
  it('a committed page gets a zeroed frame mapped at its address; the frame points back at the PTE', () => {
    const { space, hardware } = createAddressSpace();
    space.createVad({ startingVpn: 0x100, endingVpn: 0x10f, protection: MM_READWRITE, privateMemory: true, memCommit: true });
    const result = resolvePageFault(space, user(0x100123, true));
    expect(result).toMatchObject({ kind: 'resolved', how: 'demand-zero', pteBefore: 0 });
    const pte = space.pageTables.readPte(0x100000);
    expect(isValidPte(pte)).toBe(true);
    const pfn = pfnOfPte(pte);
    expect(hardware.aliases.get(0x100000)).toBe(pfn);
    expect(space.frames.pteAddressOf(pfn)).toBe(pteAddressOf(0x100000));
    expect(space.frameBytes(pfn).every((b) => b === 0)).toBe(true);
    checkAddressSpaceInvariants(space);
  });

  it.each([
    ['kernel space', 0x80001000, false, 'kernel-address'],
    ['no VAD', 0x200000, false, 'no-vad'],
    ['reserved only', 0x300000, false, 'not-committed'],
    ['write to read-only', 0x400000, true, 'write-to-read-only'],
  ])('refuses %s', (_name, address, write, why) => {
    const { space } = createAddressSpace();
    space.createVad({ startingVpn: 0x300, endingVpn: 0x30f, protection: MM_READWRITE, privateMemory: true, memCommit: false });
    space.createVad({ startingVpn: 0x400, endingVpn: 0x40f, protection: MM_READONLY, privateMemory: true, memCommit: true });
    expect(resolvePageFault(space, user(address, write))).toMatchObject({ kind: 'access-violation', why });
    expect(space.frames.counts().active).toBe(1); // a refused fault takes no frame: only the page directory is in use
  });

  it('runs out of frames with a value, not an exception', () => {
    const { space } = createAddressSpace(8, 64);
    space.createVad({ startingVpn: 0x100, endingVpn: 0x13f, protection: MM_READWRITE, privateMemory: true, memCommit: true });
    const results = Array.from({ length: 16 }, (_, i) => resolvePageFault(space, user(0x100000 + i * 4096, true)).kind);
    expect(results).toContain('no-memory');
    expect(space.frames.availablePages).toBe(0);
    checkAddressSpaceInvariants(space);
  });

  it('commit beyond the limit is refused with STATUS_COMMITMENT_LIMIT and charges nothing', () => {
    const { space } = createAddressSpace(256, 32);
    const status = space.createVad({ startingVpn: 0x100, endingVpn: 0x13f, protection: MM_READWRITE, privateMemory: true, memCommit: true });
    expect(status).toBe(STATUS_COMMITMENT_LIMIT);
    expect(space.commit.totalPages).toBe(0);
    expect(space.vads.size).toBe(0);
  });
});

describe('user memory access for system calls', () => {
  it('faults committed pages in, sets Accessed/Dirty, and refuses the rest before copying anything', () => {
    const { space } = createAddressSpace();
    space.createVad({ startingVpn: 0x100, endingVpn: 0x101, protection: MM_READWRITE, privateMemory: true, memCommit: true });
    const seen: string[] = [];
    const memory = new UserMemory(space, (input, resolution) => seen.push(`${input.address.toString(16)}:${resolution.kind}`));
    memory.write(0x100ffe, new Uint8Array([1, 2, 3, 4]));
    expect(seen).toEqual(['101000:resolved', '100000:resolved']); // highest page first, as a stack push meets them
    expect(Array.from(memory.read(0x100ffe, 4))).toEqual([1, 2, 3, 4]);
    expect(space.pageTables.readPte(0x100000) & 0x60).toBe(0x60);
    expect(() => memory.write(0x101ffe, new Uint8Array(4))).toThrow(UserAccessViolation);
    expect(memory.read(0x101ffe, 2)).toEqual(new Uint8Array([0, 0])); // the refused write copied nothing
    expect(() => memory.read(0x7fffffff, 1)).toThrow(UserAccessViolation);
    expect(() => memory.read(0xfffffffe, 4)).toThrow(UserAccessViolation);
    checkAddressSpaceInvariants(space);
  });
});

describe('frame database', () => {
  it('hands out zeroed frames, reuses freed ones zeroed, and checks its lists', () => {
    const { space } = createAddressSpace(16);
    const frames = space.frames;
    const pfn = frames.allocateZeroedFrame(0xc0000000)!;
    space.memory.bytes.fill(0xaa, pfn * 4096, (pfn + 1) * 4096);
    frames.releaseFrame(pfn);
    expect(frames.counts().free).toBe(1);
    while (frames.counts().zeroed > 0) frames.allocateZeroedFrame(0xc0000000);
    const reused = frames.allocateZeroedFrame(0xc0000000)!;
    expect(reused).toBe(pfn);
    expect(space.frameBytes(reused).every((b) => b === 0)).toBe(true);
    expect(frames.allocateZeroedFrame(0xc0000000)).toBeUndefined();
    frames.checkInvariants();
    expect(() => frames.releaseFrame(999)).toThrow(/not active/);
  });
});

describe('the stack guard page (MiCheckForUserStackOverflow)', () => {
  /** A 16-page stack reservation at 0x100000 with its top page committed and a guard page below. */
  function stackSpace() {
    const { space } = createAddressSpace();
    const vad = space.createVad({ startingVpn: 0x100, endingVpn: 0x10f, protection: MM_READWRITE, privateMemory: true, memCommit: false });
    if (typeof vad === 'number') throw new Error('no VAD');
    const commit = (base: number, protect: number) =>
      allocateVirtualMemory(space, { base, size: 0x1000, zeroBits: 0, allocationType: MEM_COMMIT, protect });
    commit(0x10f000, PAGE_READWRITE);
    commit(0x10e000, PAGE_READWRITE | PAGE_GUARD);
    space.userStack = vad;
    return { space, vad };
  }

  it('a touch of the guard page commits the next page down as the guard and reports the new StackLimit', () => {
    const { space, vad } = stackSpace();
    expect(resolvePageFault(space, user(0x10e800, true))).toMatchObject({ kind: 'stack-growth', stackLimit: 0x10e000 });
    expect(vad.commitCharge).toBe(3);
    expect(resolvePageFault(space, user(0x10e800, true))).toMatchObject({ kind: 'resolved', how: 'demand-zero' });
    expect(resolvePageFault(space, user(0x10dff0, true))).toMatchObject({ kind: 'stack-growth', stackLimit: 0x10d000 });
    checkAddressSpaceInvariants(space);
  });

  it('a kernel write through the guard page (an exception frame being pushed) grows the stack too', () => {
    const { space, vad } = stackSpace();
    const seen: string[] = [];
    const memory = new UserMemory(space, (_input, resolution) => seen.push(resolution.kind));
    memory.write(0x10d800, new Uint8Array(0x1000).fill(7));
    expect(seen).toEqual(['stack-growth', 'resolved', 'stack-growth', 'resolved']);
    expect(vad.commitCharge).toBe(4);
    checkAddressSpaceInvariants(space);
  });

  it('when the next guard would leave less than one reserved page at the bottom, the stack overflows', () => {
    const { space } = stackSpace();
    let limit = 0x10e000;
    let outcome = resolvePageFault(space, user(limit, true));
    while (outcome.kind === 'stack-growth') {
      limit -= 0x1000;
      outcome = resolvePageFault(space, user(limit, true));
    }
    expect(outcome).toMatchObject({ kind: 'stack-overflow', stackLimit: 0x102000 });
    // The page that overflowed is usable; the two below it stay reserved.
    expect(resolvePageFault(space, user(0x102000, true))).toMatchObject({ kind: 'resolved' });
    expect(resolvePageFault(space, user(0x101000, true))).toMatchObject({ kind: 'access-violation', why: 'not-committed' });
    checkAddressSpaceInvariants(space);
  });

  it('a guard page outside the stack still raises STATUS_GUARD_PAGE_VIOLATION', () => {
    const { space } = stackSpace();
    space.userStack = undefined;
    expect(resolvePageFault(space, user(0x10e000, true))).toMatchObject({ kind: 'guard-page' });
  });
});

// Each resolver, with the PTE words written out from the x86 and Windows
// software-PTE layouts: Valid 0x1, Write 0x2, Owner 0x4 (Intel SDM vol. 3A,
// 4.3); protection in bits 5-9 of a not-present PTE (MMPTE_SOFTWARE):
// MM_READONLY 1, MM_READWRITE 4, MM_GUARDPAGE 0x10 (WRK mi.h).
describe('page-fault resolution, one resolver at a time', () => {
  const VALID_USER_RW = 0x7, VALID_USER_RO = 0x5;
  const SOFTWARE_READWRITE = 4 << 5, SOFTWARE_READWRITE_GUARD = (4 | 0x10) << 5;

  function committed(protect: number, pages = 4) {
    const { space, hardware } = createAddressSpace();
    const vad = space.createVad({ startingVpn: 0x100, endingVpn: 0x100 + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: false });
    if (typeof vad === 'number') throw new Error('no VAD');
    expect(allocateVirtualMemory(space, { base: 0x100000, size: pages * 0x1000, zeroBits: 0, allocationType: MEM_COMMIT, protect }).status).toBe(0);
    return { space, hardware, vad };
  }

  it('demand zero: the valid PTE is the frame number and Valid|Write|Owner; the fault before it read 0x80 (MM_READWRITE)', () => {
    const { space } = committed(PAGE_READWRITE);
    const result = resolvePageFault(space, user(0x101004, false));
    if (result.kind !== 'resolved') throw new Error(result.kind);
    expect(result).toMatchObject({ how: 'demand-zero', pteBefore: SOFTWARE_READWRITE, fileBytes: 0 });
    expect(result.pteAfter).toBe(((result.pfn << 12) | VALID_USER_RW) >>> 0);
    expect(space.pageTables.readPte(0x101000)).toBe(result.pteAfter);
  });

  it('a read-only page: a read maps Valid|Owner without Write, a write is refused', () => {
    const { space } = committed(0x02 /* PAGE_READONLY */);
    const read = resolvePageFault(space, user(0x100000, false));
    if (read.kind !== 'resolved') throw new Error(read.kind);
    expect(read.pteAfter).toBe(((read.pfn << 12) | VALID_USER_RO) >>> 0);
    expect(resolvePageFault(space, user(0x100000, true))).toMatchObject({ kind: 'access-violation', why: 'write-to-read-only', pteBefore: read.pteAfter });
    expect(resolvePageFault(space, user(0x101000, true))).toMatchObject({ kind: 'access-violation', why: 'write-to-read-only' });
  });

  it('a fault on a valid PTE that allows the access is a stale translation: already-valid, nothing changes', () => {
    const { space } = committed(PAGE_READWRITE);
    const first = resolvePageFault(space, user(0x100000, true));
    if (first.kind !== 'resolved') throw new Error(first.kind);
    const active = space.frames.counts().active;
    expect(resolvePageFault(space, user(0x100010, true))).toEqual({ kind: 'resolved', how: 'already-valid', pfn: first.pfn, pteBefore: first.pteAfter, pteAfter: first.pteAfter, vad: first.vad, fileBytes: 0 });
    expect(space.frames.counts().active).toBe(active);
  });

  it('PAGE_NOACCESS pages are refused as no-access, decommitted ones as decommitted', () => {
    const { space } = committed(0x01 /* PAGE_NOACCESS */);
    expect(resolvePageFault(space, user(0x100000, false))).toMatchObject({ kind: 'access-violation', why: 'no-access' });
    // Decommitted inside a MEM_RESERVE|MEM_COMMIT region: the PTE says so (in a region committed later it is zero: not-committed).
    const other = createAddressSpace().space;
    expect(allocateVirtualMemory(other, { base: 0x200000, size: 0x4000, zeroBits: 0, allocationType: MEM_COMMIT | MEM_RESERVE, protect: PAGE_READWRITE }).status).toBe(0);
    expect(freeVirtualMemory(other, { base: 0x202000, size: 0x1000, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(resolvePageFault(other, user(0x202000, false))).toMatchObject({ kind: 'access-violation', why: 'decommitted' });
    expect(resolvePageFault(other, user(0x203000, false))).toMatchObject({ kind: 'resolved', how: 'demand-zero' });
    const later = committed(PAGE_READWRITE);
    expect(freeVirtualMemory(later.space, { base: 0x102000, size: 0x1000, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(resolvePageFault(later.space, user(0x102000, false))).toMatchObject({ kind: 'access-violation', why: 'not-committed' });
  });

  it('kernel space starts at 0x80000000: one byte below is user space (no VAD there)', () => {
    const { space } = committed(PAGE_READWRITE);
    expect(resolvePageFault(space, user(0x80000000, false))).toMatchObject({ kind: 'access-violation', why: 'kernel-address', pteBefore: 0 });
    expect(resolvePageFault(space, user(0x7fffffff, false))).toMatchObject({ kind: 'access-violation', why: 'no-vad' });
    expect(resolvePageFault(space, user(0x00000000, false))).toMatchObject({ kind: 'access-violation', why: 'no-vad', vad: undefined });
  });

  it('a guard page outside the stack: the guard is cleared in the PTE (0x280 → 0x80) and the retried access is a demand-zero fault', () => {
    const { space, vad } = committed(PAGE_READWRITE | PAGE_GUARD);
    expect(space.pageTables.readPte(0x100000)).toBe(SOFTWARE_READWRITE_GUARD);
    expect(resolvePageFault(space, user(0x100000, false))).toEqual({ kind: 'guard-page', pteBefore: SOFTWARE_READWRITE_GUARD, pteAfter: SOFTWARE_READWRITE, vad });
    expect(space.pageTables.readPte(0x100000)).toBe(SOFTWARE_READWRITE);
    expect(resolvePageFault(space, user(0x100000, false))).toMatchObject({ kind: 'resolved', how: 'demand-zero' });
    expect(space.pageTables.readPte(0x101000)).toBe(SOFTWARE_READWRITE_GUARD); // the other pages keep theirs
  });

  it('a trimmed page comes back from its list with the same frame (a soft, transition fault)', () => {
    const { space } = committed(PAGE_READWRITE);
    const first = resolvePageFault(space, user(0x100000, true));
    if (first.kind !== 'resolved') throw new Error(first.kind);
    expect(trimPage(space, 0x100)).toBe(PfnState.Modified); // written: Dirty → the modified list
    expect(resolvePageFault(space, user(0x100000, false))).toMatchObject({ kind: 'resolved', how: 'transition', pfn: first.pfn, pteAfter: ((first.pfn << 12) | VALID_USER_RW) >>> 0 });
    expect(space.frames.stateOf(first.pfn)).toBe(PfnState.Active);
    checkAddressSpaceInvariants(space);
  });

  it('consecutive pages get consecutive frames, upwards and downwards (page colouring for merged host mappings)', () => {
    const { space } = committed(PAGE_READWRITE);
    const pfnAt = (address: number) => { const r = resolvePageFault(space, user(address, true)); if (r.kind !== 'resolved') throw new Error(r.kind); return r.pfn; };
    const second = pfnAt(0x101000);
    expect(pfnAt(0x102000)).toBe(second + 1);
    // Free the first page's frame; faulted again, the page after it asks for the frame before its own: that one.
    expect(freeVirtualMemory(space, { base: 0x101000, size: 0x1000, freeType: MEM_DECOMMIT }).status).toBe(0);
    expect(allocateVirtualMemory(space, { base: 0x101000, size: 0x1000, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(0);
    expect(pfnAt(0x101000)).toBe(second);
  });

  it('when the host has no mapping room left, a not-present page is no-memory but a read of a valid page goes on', () => {
    const { space, hardware } = committed(PAGE_READWRITE);
    const first = resolvePageFault(space, user(0x100000, true));
    if (first.kind !== 'resolved') throw new Error(first.kind);
    (hardware as { hasMappingRoom?: () => boolean }).hasMappingRoom = () => false;
    expect(resolvePageFault(space, user(0x101000, true))).toMatchObject({ kind: 'no-memory', pteBefore: SOFTWARE_READWRITE });
    expect(resolvePageFault(space, user(0x100000, false))).toMatchObject({ kind: 'resolved', how: 'already-valid' });
    expect(resolvePageFault(space, user(0x100000, true))).toMatchObject({ kind: 'no-memory' });
  });
});

describe('page-fault resolution: working sets, colouring, views', () => {
  function reserveCommit(protect: number, pages = 8) {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x200000, size: pages * 0x1000, zeroBits: 0, allocationType: MEM_COMMIT | MEM_RESERVE, protect }).status).toBe(0);
    return space;
  }

  it('a hard working-set maximum is kept before each not-present fault, and a stale-translation fault trims nothing', () => {
    const space = reserveCommit(PAGE_READWRITE, 40);
    // 20 pages minimum (MM_MINIMUM_WORKING_SET_SIZE), 24 maximum, hard (QUOTA_LIMITS_HARDWS_MAX_ENABLE = 4).
    expect(setWorkingSetLimits(space, 20 * 0x1000, 24 * 0x1000, 4)).toBe(0);
    for (let page = 0; page < 30; page++) resolvePageFault(space, user(0x200000 + page * 0x1000, true));
    expect(space.workingSet.size).toBe(24);
    expect(resolvePageFault(space, user(0x200000 + 29 * 0x1000, false))).toMatchObject({ kind: 'resolved', how: 'already-valid' });
    expect(space.workingSet.size).toBe(24);
    checkAddressSpaceInvariants(space);
  });

  it('neighbourColour: the frame after the page below, else the frame before the page above, else no preference', () => {
    const space = reserveCommit(PAGE_READWRITE);
    expect(neighbourColour(space, 0x203000)).toBeUndefined();
    const at = (address: number) => { const r = resolvePageFault(space, user(address, true)); if (r.kind !== 'resolved') throw new Error(r.kind); return r.pfn; };
    const above = at(0x204000);
    expect(neighbourColour(space, 0x203000)).toBe(above - 1);
    const below = at(0x201000);
    expect(neighbourColour(space, 0x202000)).toBe(below + 1);
    expect(neighbourColour(space, 0x203000)).toBe(above - 1);
    expect(neighbourColour(space, 0x2000ff)).toBe(below - 1);
  });

  it('a guard page of a MEM_RESERVE|MEM_COMMIT region has a zero PTE: the guard goes into a demand-zero PTE (0 → 0x80)', () => {
    const space = reserveCommit(PAGE_READWRITE | PAGE_GUARD);
    expect(space.pageTables.readPte(0x203000)).toBe(0);
    expect(resolvePageFault(space, user(0x203000, true))).toMatchObject({ kind: 'guard-page', pteBefore: 0, pteAfter: 4 << 5 });
    expect(space.pageTables.readPte(0x203000)).toBe(4 << 5);
    expect(resolvePageFault(space, user(0x203000, true))).toMatchObject({ kind: 'resolved', how: 'demand-zero' });
    expect(resolvePageFault(space, user(0x204000, false))).toMatchObject({ kind: 'guard-page', pteBefore: 0 });
  });

  function view(protect: number) {
    const { space } = createAddressSpace(256, 256);
    const section = createSection(space, { sizeBytes: 0x4000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`createSection: ${section}`);
    const mapped = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect });
    if (!('base' in mapped) || mapped.base === undefined) throw new Error(`map: ${mapped.status}`);
    return { space, base: mapped.base };
  }

  it('in a view: a read-only view refuses a write before any frame is taken, a PAGE_NOACCESS page refuses all', () => {
    const { space, base } = view(0x02 /* PAGE_READONLY */);
    const active = space.frames.counts().active;
    expect(resolvePageFault(space, user(base, true))).toMatchObject({ kind: 'access-violation', why: 'write-to-read-only', pteBefore: 0 });
    expect(space.frames.counts().active).toBe(active);
    expect(resolvePageFault(space, user(base, false))).toMatchObject({ kind: 'resolved', how: 'section-zero' });
    expect(protectVirtualMemory(space, { base: base + 0x1000, size: 0x1000, protect: 0x01 /* PAGE_NOACCESS */ }).status).toBe(0);
    expect(resolvePageFault(space, user(base + 0x1000, false))).toMatchObject({ kind: 'access-violation', why: 'no-access' });
  });

  it('in a view: PAGE_GUARD on a page is a one-shot guard kept in the view, then the page resolves', () => {
    const { space, base } = view(PAGE_READWRITE);
    expect(protectVirtualMemory(space, { base: base + 0x2000, size: 0x1000, protect: PAGE_READWRITE | PAGE_GUARD }).status).toBe(0);
    expect(resolvePageFault(space, user(base + 0x2000, false))).toMatchObject({ kind: 'guard-page', pteBefore: 0, pteAfter: 0 });
    expect(resolvePageFault(space, user(base + 0x2000, true))).toMatchObject({ kind: 'resolved', how: 'section-zero' });
    expect(resolvePageFault(space, user(base + 0x3000, true))).toMatchObject({ kind: 'resolved' });
  });

  it('in a copy-on-write view: a read maps the shared frame read-only, the first write makes a private copy, a write to a private page is a stale fault', () => {
    const { space, base } = view(0x08 /* PAGE_WRITECOPY */);
    const read = resolvePageFault(space, user(base, false));
    if (read.kind !== 'resolved') throw new Error(read.kind);
    expect(read.pteAfter & 0x7).toBe(VALID_USER_READ_ONLY);
    const write = resolvePageFault(space, user(base, true));
    if (write.kind !== 'resolved') throw new Error(write.kind);
    expect(write).toMatchObject({ how: 'copy-on-write', pteBefore: read.pteAfter });
    expect(write.pfn).not.toBe(read.pfn);
    expect(write.pteAfter & 0x7).toBe(VALID_USER_READ_WRITE);
    expect(resolvePageFault(space, user(base, true))).toMatchObject({ kind: 'resolved', how: 'already-valid', pfn: write.pfn });
    checkAddressSpaceInvariants(space);
  });
});

describe('page-fault resolution: frames kept behind guard and copy-on-write pages', () => {
  it('a resident page made a guard page keeps its frame through the guard fault: the retried access is a soft fault to the same frame', () => {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x200000, size: 0x2000, zeroBits: 0, allocationType: MEM_COMMIT | MEM_RESERVE, protect: PAGE_READWRITE }).status).toBe(0);
    const first = resolvePageFault(space, user(0x200000, true));
    if (first.kind !== 'resolved') throw new Error(first.kind);
    expect(protectVirtualMemory(space, { base: 0x200000, size: 0x1000, protect: PAGE_READWRITE | PAGE_GUARD }).status).toBe(0);
    const guarded = space.pageTables.readPte(0x200000);
    expect(guarded >>> 12).toBe(first.pfn); // not present, the frame kept (a transition PTE)
    const guard = resolvePageFault(space, user(0x200000, false));
    if (guard.kind !== 'guard-page') throw new Error(guard.kind);
    // Only the protection bits (5-9) change: READWRITE|GUARD (0x14) becomes READWRITE (4).
    expect(guard.pteAfter).toBe(((guarded & ~(0x1f << 5)) | (4 << 5)) >>> 0);
    expect(resolvePageFault(space, user(0x200000, false))).toMatchObject({ kind: 'resolved', how: 'transition', pfn: first.pfn });
    checkAddressSpaceInvariants(space);
  });

  it('a page above that was trimmed (a transition PTE, not valid) is no colouring neighbour', () => {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x200000, size: 0x4000, zeroBits: 0, allocationType: MEM_COMMIT | MEM_RESERVE, protect: PAGE_READWRITE }).status).toBe(0);
    expect(resolvePageFault(space, user(0x202000, true)).kind).toBe('resolved');
    trimPage(space, 0x202);
    expect(neighbourColour(space, 0x201000)).toBeUndefined();
    expect(neighbourColour(space, 0x203000)).toBeUndefined();
  });

  it('a read fault on a valid copy-on-write view page (a stale translation) takes no copy', () => {
    const { space } = createAddressSpace(256, 256);
    const section = createSection(space, { sizeBytes: 0x2000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`createSection: ${section}`);
    const mapped = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: 0x08 /* PAGE_WRITECOPY */ });
    if (!('base' in mapped) || mapped.base === undefined) throw new Error(`map: ${mapped.status}`);
    const read = resolvePageFault(space, user(mapped.base, false));
    if (read.kind !== 'resolved') throw new Error(read.kind);
    expect(resolvePageFault(space, user(mapped.base, false))).toMatchObject({ kind: 'resolved', how: 'already-valid', pfn: read.pfn });
    // The first write takes a private copy; trimmed, the page keeps it (a transition PTE), not the section's page.
    const copy = resolvePageFault(space, user(mapped.base, true));
    if (copy.kind !== 'resolved') throw new Error(copy.kind);
    expect(copy.how).toBe('copy-on-write');
    trimPage(space, mapped.base >>> 12);
    expect(resolvePageFault(space, user(mapped.base, false))).toMatchObject({ kind: 'resolved', how: 'transition', pfn: copy.pfn });
    checkAddressSpaceInvariants(space);
  });
});
