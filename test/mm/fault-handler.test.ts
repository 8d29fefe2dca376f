// The fault handler, page tables and frame database without a CPU.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { MM_READONLY, MM_READWRITE } from '../../src/mm/protection.js';
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
    expect(seen).toEqual(['100000:resolved', '101000:resolved']);
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
