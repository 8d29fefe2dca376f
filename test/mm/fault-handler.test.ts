// The fault handler, page tables and frame database without a CPU.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { MM_READONLY, MM_READWRITE, PAGE_GUARD, PAGE_READWRITE } from '../../src/mm/protection.js';
import { MEM_COMMIT, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { pteAddressOf } from '../../src/mm/layout.js';
import { isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import { UserAccessViolation, UserMemory } from '../../src/mm/user-memory.js';
import { STATUS_COMMITMENT_LIMIT } from '../../src/nt/status.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const user = (address: number, write: boolean) => ({ address, write, user: true });

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
