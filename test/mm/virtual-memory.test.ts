// The virtual-memory services at the memory-manager level (no CPU): every
// status a literal from ntstatus.h, every region and commit figure worked out
// here from the request (pages of 4 KiB, reservations on 64 KiB boundaries,
// Windows Internals 7th ed. ch. 5 "Reserving and committing pages"; which
// check answers first: ReactOS ARM3 virtual.c).
import { describe, expect, it } from 'vitest';
import {
  allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory, queryVirtualMemory,
} from '../../src/mm/virtual-memory.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const MEM_COMMIT = 0x1000, MEM_RESERVE = 0x2000, MEM_DECOMMIT = 0x4000, MEM_RELEASE = 0x8000, MEM_TOP_DOWN = 0x100000;
const MEM_FREE = 0x10000, MEM_PRIVATE = 0x20000;
const PAGE_NOACCESS = 0x01, PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, PAGE_EXECUTE_READ = 0x20;
const PAGE_GUARD = 0x100;

const allocate = (space: ReturnType<typeof createAddressSpace>['space'], base: number, size: number, allocationType: number, protect = PAGE_READWRITE, zeroBits = 0) =>
  allocateVirtualMemory(space, { base, size, zeroBits, allocationType, protect });

describe('NtAllocateVirtualMemory', () => {
  it.each([
    ['zero bits above 21', 0x100000, 0x1000, MEM_RESERVE, PAGE_READWRITE, 22, 0xc00000f1],
    ['no allocation type', 0x100000, 0x1000, 0, PAGE_READWRITE, 0, 0xc00000f3],
    ['an unknown type bit', 0x100000, 0x1000, MEM_RESERVE | 0x40, PAGE_READWRITE, 0, 0xc00000f3],
    ['MEM_DECOMMIT as a type', 0x100000, 0x1000, MEM_DECOMMIT, PAGE_READWRITE, 0, 0xc00000f3],
    ['MEM_RESET where nothing is allocated', 0x100000, 0x1000, 0x80000, PAGE_READWRITE, 0, 0xc00000a0],
    ['MEM_RESET with another type', 0x100000, 0x1000, MEM_COMMIT | 0x80000, PAGE_READWRITE, 0, 0xc00000f3],
    ['MEM_PHYSICAL (not modelled)', 0x100000, 0x1000, MEM_RESERVE | 0x400000, PAGE_READWRITE, 0, 0xc00000bb],
    ['PAGE_WRITECOPY on private memory', 0x100000, 0x1000, MEM_RESERVE, PAGE_WRITECOPY, 0, 0xc0000045],
    ['an invalid protection', 0x100000, 0x1000, MEM_RESERVE, 0x03, 0, 0xc0000045],
    ['a base in kernel space', 0x80000000, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0, 0xc00000f0],
    ['a base in the first 64 KiB', 0x1000, 0x1000, MEM_RESERVE, PAGE_READWRITE, 0, 0xc00000f0],
    ['size 0', 0x100000, 0, MEM_RESERVE, PAGE_READWRITE, 0, 0xc00000f2],
    ['a size past user space', 0x7ff00000, 0x200000, MEM_RESERVE, PAGE_READWRITE, 0, 0xc00000f2],
    ['commit where nothing is reserved', 0x100000, 0x1000, MEM_COMMIT, PAGE_READWRITE, 0, 0xc0000018],
  ])('refuses %s', (_what, base, size, type, protect, zeroBits, status) => {
    const { space } = createAddressSpace();
    expect(allocate(space, base, size, type, protect, zeroBits)).toEqual({ status });
    expect(space.commit.totalPages).toBe(0);
    checkAddressSpaceInvariants(space);
  });

  it('rounds a reservation down to 64 KiB and up to whole pages', () => {
    const { space } = createAddressSpace();
    expect(allocate(space, 0x123456, 0x2000, MEM_RESERVE)).toEqual({ status: 0, region: { base: 0x120000, size: 0x6000 } });
    // 0x120000 … 0x125fff: pages 0x120-0x125, nothing committed.
    expect(queryVirtualMemory(space, 0x124000)).toEqual({
      baseAddress: 0x124000, allocationBase: 0x120000, allocationProtect: PAGE_READWRITE, regionSize: 0x2000,
      state: MEM_RESERVE, protect: 0, type: MEM_PRIVATE,
    });
    expect(space.commit.totalPages).toBe(0);
    expect(allocate(space, 0x121000, 0x1000, MEM_RESERVE)).toEqual({ status: 0xc0000018 });
  });

  it('charges commit for exactly the pages not yet committed', () => {
    const { space } = createAddressSpace(256, 100);
    const r = allocate(space, 0, 0x10000, MEM_RESERVE).region!;
    expect(r.size).toBe(0x10000);
    expect(allocate(space, r.base + 0x1800, 0x2000, MEM_COMMIT)).toEqual({ status: 0, region: { base: r.base + 0x1000, size: 0x3000 } });
    expect([space.commitCharge, space.commit.totalPages]).toEqual([3, 3]);
    // Overlapping commit: pages 2-5, of which 2 and 3 are committed already: 2 more.
    expect(allocate(space, r.base + 0x2000, 0x4000, MEM_COMMIT, PAGE_READONLY).status).toBe(0);
    expect([space.commitCharge, space.commit.totalPages]).toEqual([5, 5]);
    checkAddressSpaceInvariants(space);
    expect(freeVirtualMemory(space, { base: r.base + 0x3000, size: 0x8000, freeType: MEM_DECOMMIT })).toEqual({ status: 0, region: { base: r.base + 0x3000, size: 0x8000 } });
    // Pages 3-10 decommitted: 3, 4, 5 were committed; 1 and 2 remain.
    expect([space.commitCharge, space.commit.totalPages]).toEqual([2, 2]);
    checkAddressSpaceInvariants(space);
    expect(freeVirtualMemory(space, { base: r.base, size: 0, freeType: MEM_RELEASE })).toEqual({ status: 0, region: { base: r.base, size: 0x10000 } });
    expect([space.commitCharge, space.commit.totalPages]).toEqual([0, 0]);
    expect(space.commit.peakPages).toBe(5); // the most ever charged at once
    checkAddressSpaceInvariants(space);
  });

  it('stops at the commit limit, charging nothing for the refused request', () => {
    const { space } = createAddressSpace(256, 20);
    expect(allocate(space, 0, 16 * 0x1000, MEM_COMMIT).status).toBe(0);
    expect(allocate(space, 0, 5 * 0x1000, MEM_COMMIT)).toEqual({ status: 0xc000012d });
    const r = allocate(space, 0, 8 * 0x1000, MEM_RESERVE).region!;
    expect(allocate(space, r.base, 5 * 0x1000, MEM_COMMIT)).toEqual({ status: 0xc000012d });
    expect(allocate(space, r.base, 4 * 0x1000, MEM_COMMIT).status).toBe(0);
    expect(space.commit.totalPages).toBe(20);
    checkAddressSpaceInvariants(space);
  });

  it('MEM_TOP_DOWN takes the highest free range, zero bits the highest below 2^(32-n)', () => {
    const { space } = createAddressSpace();
    const top = allocate(space, 0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN).region!;
    expect(top.base + top.size - 1).toBeLessThanOrEqual(0x7ffeffff);
    expect(top.base).toBeGreaterThan(0x7f000000);
    const low = allocate(space, 0, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE, 12).region!;
    expect(low.base + low.size - 1).toBeLessThanOrEqual(0x000fffff); // 2^20 - 1
    expect(low.base).toBeGreaterThanOrEqual(0x000f0000);
    const bottom = allocate(space, 0, 0x10000, MEM_RESERVE).region!;
    expect(bottom.base).toBe(0x10000);
  });
});

describe('NtFreeVirtualMemory', () => {
  it.each([
    ['a free type that is neither', 0, 0x1000, 0x2, 0xc00000f2],
    ['both free types', 0, 0x1000, MEM_DECOMMIT | MEM_RELEASE, 0xc00000f2],
    ['a base in kernel space', 0x80000000 - 0x100000, 0x1000, MEM_RELEASE, 0xc00000f0],
    ['a size past user space', 0, 0x7fff0000, MEM_DECOMMIT, 0xc00000f1],
    ['free memory', 0x50000000 - 0x100000, 0x1000, MEM_DECOMMIT, 0xc00000a0],
    ['a range past the allocation', 0, 0x11000, MEM_DECOMMIT, 0xc000001a],
    ['release not at the base', 0x1000, 0, MEM_RELEASE, 0xc000009f],
    ['release of part of it', 0, 0x1000, MEM_RELEASE, 0xc000001a],
  ])('refuses %s', (_what, offset, size, freeType, status) => {
    const { space } = createAddressSpace();
    const r = allocate(space, 0x100000, 0x10000, MEM_RESERVE | MEM_COMMIT).region!;
    expect(r.base).toBe(0x100000);
    expect(freeVirtualMemory(space, { base: r.base + offset, size, freeType })).toEqual({ status });
    expect(space.commit.totalPages).toBe(16);
    checkAddressSpaceInvariants(space);
  });
});

describe('NtProtectVirtualMemory and NtQueryVirtualMemory', () => {
  it('protects committed pages, returns the first page\'s old protection, and query splits the regions', () => {
    const { space } = createAddressSpace();
    const r = allocate(space, 0x200000, 0x8000, MEM_RESERVE).region!;
    allocate(space, r.base, 0x4000, MEM_COMMIT);
    expect(protectVirtualMemory(space, { base: r.base + 0x1fff, size: 2, protect: PAGE_READONLY }))
      .toEqual({ status: 0, region: { base: r.base + 0x1000, size: 0x2000 }, oldProtect: PAGE_READWRITE });
    expect(protectVirtualMemory(space, { base: r.base + 0x2000, size: 0x2000, protect: PAGE_EXECUTE_READ }))
      .toEqual({ status: 0, region: { base: r.base + 0x2000, size: 0x2000 }, oldProtect: PAGE_READONLY });
    expect(protectVirtualMemory(space, { base: r.base, size: 0x1000, protect: PAGE_READWRITE | PAGE_GUARD }).status).toBe(0);
    const regions = [0, 0x1000, 0x2000, 0x4000].map((offset) => queryVirtualMemory(space, r.base + offset));
    expect(regions).toEqual([
      { baseAddress: 0x200000, allocationBase: 0x200000, allocationProtect: PAGE_READWRITE, regionSize: 0x1000, state: MEM_COMMIT, protect: PAGE_READWRITE | PAGE_GUARD, type: MEM_PRIVATE },
      { baseAddress: 0x201000, allocationBase: 0x200000, allocationProtect: PAGE_READWRITE, regionSize: 0x1000, state: MEM_COMMIT, protect: PAGE_READONLY, type: MEM_PRIVATE },
      { baseAddress: 0x202000, allocationBase: 0x200000, allocationProtect: PAGE_READWRITE, regionSize: 0x2000, state: MEM_COMMIT, protect: PAGE_EXECUTE_READ, type: MEM_PRIVATE },
      { baseAddress: 0x204000, allocationBase: 0x200000, allocationProtect: PAGE_READWRITE, regionSize: 0x4000, state: MEM_RESERVE, protect: 0, type: MEM_PRIVATE },
    ]);
    expect(protectVirtualMemory(space, { base: r.base + 0x3000, size: 0x2000, protect: PAGE_NOACCESS })).toEqual({ status: 0xc000002d });
    expect(protectVirtualMemory(space, { base: r.base, size: 0x9000, protect: PAGE_NOACCESS })).toEqual({ status: 0xc0000018 });
    expect(protectVirtualMemory(space, { base: 0x300000, size: 0x1000, protect: PAGE_NOACCESS })).toEqual({ status: 0xc00000a0 });
    checkAddressSpaceInvariants(space);
  });

  it('free memory: one region up to the next allocation, or up to 64 KiB below it; kernel space is refused', () => {
    const { space } = createAddressSpace();
    allocate(space, 0x200000, 0x1000, MEM_RESERVE);
    expect(queryVirtualMemory(space, 0x1000)).toMatchObject({ baseAddress: 0x1000, regionSize: 0xf000, state: MEM_FREE, protect: PAGE_NOACCESS, allocationBase: 0 });
    expect(queryVirtualMemory(space, 0x150000)).toMatchObject({ baseAddress: 0x150000, regionSize: 0xb0000, state: MEM_FREE });
    expect(queryVirtualMemory(space, 0x80000000)).toBe(0xc000000d);
  });
});

describe('the invariant checker', () => {
  it('passes a consistent address space and names commit that is missing or leaked', () => {
    const { space } = createAddressSpace();
    allocate(space, 0, 0x4000, MEM_COMMIT);
    checkAddressSpaceInvariants(space);
    space.commit.tryCharge(1); // a charge no VAD or section owns: a leak upward
    expect(() => checkAddressSpaceInvariants(space)).toThrow(KernelPanic);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(/system commit \(5 pages\) exceeds process and section commit \(4\): 1 leaked/);
    space.commit.release(2);  // now one page short: an owner nobody charged
    expect(() => checkAddressSpaceInvariants(space)).toThrow(/process and section commit \(4 pages\) exceed system commit \(3\)/);
    space.commit.tryCharge(1);
    checkAddressSpaceInvariants(space);
  });
});
