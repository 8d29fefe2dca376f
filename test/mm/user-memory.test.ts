// Copying to and from user memory for system calls, and the debugger's
// side-effect-free reads and writes, without a CPU. Byte values and
// little-endian words are literals; PTE bits from the x86 format (Intel SDM
// vol. 3A, 4.3: 0x20 Accessed, 0x40 Dirty); STATUS_ACCESS_VIOLATION
// 0xC0000005 and STATUS_IN_PAGE_ERROR 0xC0000006 from ntstatus.h.
import { describe, expect, it } from 'vitest';
import { UserAccessViolation, UserMemory } from '../../src/mm/user-memory.js';
import { readWithoutSideEffects, writeWithoutSideEffects } from '../../src/mm/inspection.js';
import { MEM_COMMIT, MEM_RESERVE, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { PAGE_READONLY, PAGE_READWRITE } from '../../src/mm/protection.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const ACCESSED = 0x20, DIRTY = 0x40;

/** Three committed read-write pages at 0x100000, a read-only page at 0x103000, a reserved one at 0x104000. */
function setUp() {
  const { space } = createAddressSpace();
  const alloc = (base: number, size: number, type: number, protect: number) =>
    allocateVirtualMemory(space, { base, size, zeroBits: 0, allocationType: type, protect });
  expect(alloc(0x100000, 0x5000, MEM_RESERVE, PAGE_READWRITE).status).toBe(0);
  expect(alloc(0x100000, 0x3000, MEM_COMMIT, PAGE_READWRITE).status).toBe(0);
  expect(alloc(0x103000, 0x1000, MEM_COMMIT, PAGE_READONLY).status).toBe(0);
  const faults: string[] = [];
  const memory = new UserMemory(space, (input, resolution) => faults.push(`${input.address.toString(16)}:${input.write ? 'w' : 'r'}:${input.user}:${resolution.kind}`));
  return { space, memory, faults };
}

describe('UserMemory', () => {
  it('copies across page boundaries both ways; a read sets Accessed only, a write Accessed and Dirty', () => {
    const { space, memory, faults } = setUp();
    expect(Array.from(memory.read(0x101ffe, 4))).toEqual([0, 0, 0, 0]);
    expect(faults).toEqual(['102000:r:false:resolved', '101000:r:false:resolved']);
    expect(space.pageTables.readPte(0x101000) & (ACCESSED | DIRTY)).toBe(ACCESSED);
    expect(space.pageTables.readPte(0x102000) & (ACCESSED | DIRTY)).toBe(ACCESSED);
    memory.write(0x100ffd, new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55]));
    expect(space.pageTables.readPte(0x100000) & (ACCESSED | DIRTY)).toBe(ACCESSED | DIRTY);
    expect(space.pageTables.readPte(0x101000) & (ACCESSED | DIRTY)).toBe(ACCESSED | DIRTY);
    expect(space.pageTables.readPte(0x102000) & (ACCESSED | DIRTY)).toBe(ACCESSED);
    expect(Array.from(memory.read(0x100ffc, 7))).toEqual([0, 0x11, 0x22, 0x33, 0x44, 0x55, 0]);
    // A copy of more than two pages: 0x100800..0x1027ff, every byte its own index mod 251.
    const big = Uint8Array.from({ length: 0x2000 }, (_, i) => i % 251);
    memory.write(0x100800, big);
    expect(memory.read(0x100800, 0x2000)).toEqual(big);
    expect(memory.read(0x1007ff, 1)[0]).toBe(0);
    expect(memory.read(0x102800, 1)[0]).toBe(0);
    expect(memory.read(0x100000, 0)).toEqual(new Uint8Array(0));
    memory.write(0x100000, new Uint8Array(0));
  });

  it('words are little-endian and unsigned', () => {
    const { memory } = setUp();
    memory.write(0x100ffe, new Uint8Array([0x78, 0x56, 0x34, 0x12]));
    expect(memory.readU32(0x100ffe)).toBe(0x12345678);
    memory.writeU32(0x100100, 0xdeadbeef);
    expect(Array.from(memory.read(0x100100, 4))).toEqual([0xef, 0xbe, 0xad, 0xde]);
    expect(memory.readU32(0x100100)).toBe(0xdeadbeef);
    memory.writeU32(0x100104, -2);
    expect(memory.readU32(0x100104)).toBe(0xfffffffe);
  });

  it('readU32s reads arguments in place, across a page boundary, touching nothing when count is 0', () => {
    const { memory, faults } = setUp();
    memory.write(0x100ff8, new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0x80, 3, 0, 0, 0, 0x04, 0x03, 0x02, 0x01]));
    faults.length = 0;
    const out = [9, 9, 9, 9, 9];
    memory.readU32s(0x100ff8, 4, out);
    expect(out).toEqual([1, 0x80000002, 3, 0x01020304, 9]);
    memory.readU32s(0x100ffa, 2, out);
    // Unaligned: bytes 2..9 of the run above.
    expect(out.slice(0, 2)).toEqual([0x00020000, 0x00038000]);
    memory.readU32s(0x100ff8, 1, out);
    expect(out[0]).toBe(1);
    memory.readU32s(0x104000, 0, out);
    expect(faults).toEqual([]);
    // A fresh page: faulted in, zeros.
    memory.readU32s(0x102ffc, 1, out);
    expect(out[0]).toBe(0);
    expect(faults).toEqual(['102000:r:false:resolved']);
  });

  it.each([
    ['a reserved page', 0x104000, 4, false],
    ['a range that ends on a reserved page', 0x103ffe, 4, false],
    ['a write to a read-only page', 0x103000, 1, true],
    ['the first 64 KiB', 0xfffe, 4, false],
    ['a range that runs past 0x7FFEFFFF', 0x7ffefffe, 4, false],
    ['kernel space', 0x80000000, 4, true],
    ['a range that wraps around 4 GiB', 0xffffffff, 2, false],
  ])('refuses %s with STATUS_ACCESS_VIOLATION, copying nothing', (_what, address, length, write) => {
    const { memory } = setUp();
    const attempt = () => (write ? memory.write(address, new Uint8Array(length).fill(0xaa)) : memory.read(address, length));
    expect(attempt).toThrow(UserAccessViolation);
    try { attempt(); } catch (error) {
      const violation = error as UserAccessViolation;
      expect(violation.status).toBe(0xc0000005);
      expect(violation.write).toBe(write);
      expect(violation.name).toBe('UserAccessViolation');
      expect(violation.message).toMatch(write ? /^user write to 0x[0-9a-f]+ is not allowed$/ : /^user read of 0x[0-9a-f]+ is not allowed$/);
    }
    if (length === 4 && !write) expect(() => memory.readU32s(address, 1, [])).toThrow(UserAccessViolation);
  });

  it('a refused write across two pages leaves the first page as it was', () => {
    const { memory } = setUp();
    memory.write(0x102ffe, new Uint8Array([7, 7]));
    expect(() => memory.write(0x102ffe, new Uint8Array([1, 2, 3, 4]))).toThrow(UserAccessViolation);
    expect(Array.from(memory.read(0x102ffe, 2))).toEqual([7, 7]);
  });

  it('the violation names the page that failed and its address unsigned', () => {
    const violation = new UserAccessViolation(0xfffff000, true);
    expect(violation.message).toBe('user write to 0xfffff000 is not allowed');
    expect(violation.address).toBe(0xfffff000);
    expect(new UserAccessViolation(0x1000, false, 0xc0000006).status).toBe(0xc0000006);
    const { memory } = setUp();
    try { memory.read(0x103ffe, 4); } catch (error) {
      expect((error as UserAccessViolation).address).toBe(0x104000);
    }
  });

  it('peek reads only resident bytes: undefined when the first is not, the resident prefix otherwise', () => {
    const { space, memory, faults } = setUp();
    expect(memory.peek(0x100000, 4)).toBeUndefined();
    memory.write(0x100ffe, new Uint8Array([5, 6]));
    faults.length = 0;
    expect(Array.from(memory.peek(0x100ffe, 4)!)).toEqual([5, 6]);
    expect(Array.from(memory.peek(0x100ffd, 3)!)).toEqual([0, 5, 6]);
    expect(faults).toEqual([]);
    const before = space.pageTables.readPte(0x100000);
    memory.peek(0x100000, 8);
    expect(space.pageTables.readPte(0x100000)).toBe(before);
  });

  it('readCString stops at the NUL or the limit', () => {
    const { memory } = setUp();
    memory.write(0x100ffc, new TextEncoder().encode('hello\0world'));
    expect(memory.readCString(0x100ffc)).toBe('hello');
    expect(memory.readCString(0x100ffc, 3)).toBe('hel');
    expect(memory.readCString(0x101002)).toBe('world');
    expect(memory.readCString(0x100ffc, 0)).toBe('');
  });
});

describe('debugger access without side effects', () => {
  it('reads bytes behind valid PTEs, undefined elsewhere, across pages; sets no Accessed bit', () => {
    const { space, memory } = setUp();
    memory.write(0x100ffe, new Uint8Array([1, 2]));
    const pte = space.pageTables.readPte(0x100000);
    space.pageTables.updateValidPte(0x100000, pte & ~(ACCESSED | DIRTY));
    expect(readWithoutSideEffects(space, 0x100ffd, 5)).toEqual([0, 1, 2, undefined, undefined]);
    expect(readWithoutSideEffects(space, 0x101000, 2)).toEqual([undefined, undefined]);
    expect(readWithoutSideEffects(space, 0x100000, 0)).toEqual([]);
    expect(space.pageTables.readPte(0x100000)).toBe(pte & ~(ACCESSED | DIRTY));
    // Two whole pages and a bit: the second page's bytes are read from its own frame.
    memory.write(0x101000, new Uint8Array([9]));
    const run = readWithoutSideEffects(space, 0x100fff, 0x1002);
    expect([run[0], run[1], run[2], run[0x1001]]).toEqual([2, 9, 0, undefined]);
  });

  it('writes into private frames up to the first page that is not valid, leaving the PTE clean', () => {
    const { space, memory } = setUp();
    memory.read(0x100000, 1);
    expect(writeWithoutSideEffects(space, 0x100ffe, new Uint8Array([0xa, 0xb, 0xc]))).toBe(2);
    expect(space.pageTables.readPte(0x100000) & DIRTY).toBe(0);
    expect(Array.from(memory.read(0x100ffe, 2))).toEqual([0xa, 0xb]);
    expect(writeWithoutSideEffects(space, 0x100010, new Uint8Array([1, 2, 3]))).toBe(3);
    expect(writeWithoutSideEffects(space, 0x104000, new Uint8Array([1]))).toBe(0);
  });

  it('does not write into a frame a section shares', () => {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0x1000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`section: ${section.toString(16)}`);
    const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
    if (!('base' in view)) throw new Error(`view: ${view.status.toString(16)}`);
    const memory = new UserMemory(space);
    memory.write(view.base, new Uint8Array([1]));
    expect(writeWithoutSideEffects(space, view.base, new Uint8Array([2]))).toBe(0);
    expect(memory.read(view.base, 1)[0]).toBe(1);
  });
});
