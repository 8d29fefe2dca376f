// NtGetWriteWatch and NtResetWriteWatch's refusals, the caller's array
// capacity and resets, without a CPU. Statuses from ntstatus.h
// (STATUS_INVALID_PARAMETER 0xC000000D, _2 0xC00000F0, _3 0xC00000F1, _4
// 0xC00000F2); what is refused follows Wine's test_write_watch (an empty
// range, a range outside one write-watch allocation: ERROR_INVALID_PARAMETER).
import { describe, expect, it } from 'vitest';
import { MEM_COMMIT, MEM_RESERVE, MEM_WRITE_WATCH, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { WRITE_WATCH_FLAG_RESET, WRITE_WATCH_GRANULARITY, captureWriteWatchDirtyBit, getWriteWatch, resetWriteWatch } from '../../src/mm/write-watch.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { PAGE_READWRITE } from '../../src/mm/protection.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const DIRTY = 0x40;

/** Eight watched pages at 0x100000 (committed), a plain allocation at 0x200000; a write to pages 1, 3, 4 and 6 (the MMU's Dirty bit set by hand). */
function setUp() {
  const { space } = createAddressSpace();
  const alloc = (base: number, type: number) => allocateVirtualMemory(space, { base, size: 0x8000, zeroBits: 0, allocationType: type, protect: PAGE_READWRITE });
  expect(alloc(0x100000, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH).status).toBe(0);
  expect(alloc(0x200000, MEM_RESERVE | MEM_COMMIT).status).toBe(0);
  const memory = new UserMemory(space);
  for (const page of [1, 3, 4, 6]) {
    const address = 0x100000 + page * 0x1000;
    memory.write(address, new Uint8Array([page])); // valid and Dirty, as the MMU would leave it
  }
  // Page 0 read only: valid, clean.
  memory.read(0x100000, 1);
  const get = (base: number, size: number, capacity = 16, flags = 0) => getWriteWatch(space, { flags, base, size, capacity });
  return { space, get };
}

describe('NtGetWriteWatch', () => {
  it('lists the written pages of the range in order, a page at a time', () => {
    const { get } = setUp();
    expect(WRITE_WATCH_GRANULARITY).toBe(4096);
    expect(get(0x100000, 0x8000)).toEqual({ status: 0, addresses: [0x101000, 0x103000, 0x104000, 0x106000] });
    // Rounded out to whole pages: 0x103fff..0x104000 covers pages 3 and 4.
    expect(get(0x103fff, 2).addresses).toEqual([0x103000, 0x104000]);
    expect(get(0x105000, 0x1000).addresses).toEqual([]);
    expect(get(0x106000, 0x2000).addresses).toEqual([0x106000]);
  });

  it('stops at the capacity; with the reset flag resets only through the last page reported', () => {
    const { get, space } = setUp();
    expect(get(0x100000, 0x8000, 2, WRITE_WATCH_FLAG_RESET).addresses).toEqual([0x101000, 0x103000]);
    expect(space.pageTables.readPte(0x101000) & DIRTY).toBe(0);
    expect(space.pageTables.readPte(0x104000) & DIRTY).toBe(DIRTY);
    expect(get(0x100000, 0x8000).addresses).toEqual([0x104000, 0x106000]);
    expect(get(0x100000, 0x8000, 2, WRITE_WATCH_FLAG_RESET).addresses).toEqual([0x104000, 0x106000]);
    expect(get(0x100000, 0x8000).addresses).toEqual([]);
  });

  it('exactly as many written pages as the capacity: all reported, the whole range reset', () => {
    const { get } = setUp();
    expect(get(0x100000, 0x8000, 4, WRITE_WATCH_FLAG_RESET).addresses).toEqual([0x101000, 0x103000, 0x104000, 0x106000]);
    expect(get(0x100000, 0x8000).addresses).toEqual([]);
  });

  it('without the reset flag nothing is reset', () => {
    const { get } = setUp();
    get(0x100000, 0x8000, 1);
    expect(get(0x100000, 0x8000).addresses).toEqual([0x101000, 0x103000, 0x104000, 0x106000]);
  });

  it.each([
    ['an unknown flag', 0x100000, 0x1000, 2, 0xc00000f0],
    ['a base above the highest VAD address', 0x7ffe0000, 0x1000, 0, 0xc00000f1],
    ['size 0', 0x100000, 0, 0, 0xc00000f2],
    ['a size past the highest VAD address', 0x7ffdf000, 0x2000, 0, 0xc00000f2],
    ['memory without write watch', 0x200000, 0x1000, 0, 0xc000000d],
    ['nothing allocated', 0x300000, 0x1000, 0, 0xc000000d],
    ['a range running past the allocation', 0x107000, 0x2000, 0, 0xc000000d],
  ])('refuses %s', (_what, base, size, flags, status) => {
    const { get } = setUp();
    expect(get(base, size, 16, flags)).toEqual({ status });
  });

  it('the last page a VAD may have is a valid end', () => {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x7ffd0000, size: 0x10000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_WRITE_WATCH, protect: PAGE_READWRITE }).status).toBe(0);
    expect(getWriteWatch(space, { flags: 0, base: 0x7ffdf000, size: 0x1000, capacity: 1 })).toEqual({ status: 0, addresses: [] });
    expect(getWriteWatch(space, { flags: 0, base: 0x7ffd0000, size: 0x10000, capacity: 1 })).toEqual({ status: 0, addresses: [] });
  });
});

describe('NtResetWriteWatch', () => {
  it('forgets the writes of the range only, moving Dirty bits to the frames', () => {
    const { get, space } = setUp();
    const pfn = space.pageTables.readPte(0x103000) >>> 12;
    space.frames.setModified(pfn, false);
    expect(resetWriteWatch(space, 0x102000, 0x3000)).toBe(0);
    expect(space.frames.isModified(pfn)).toBe(true);
    expect(get(0x100000, 0x8000).addresses).toEqual([0x101000, 0x106000]);
  });

  it('refuses what NtGetWriteWatch refuses', () => {
    const { space } = setUp();
    expect(resetWriteWatch(space, 0x200000, 0x1000)).toBe(0xc000000d);
    expect(resetWriteWatch(space, 0x100000, 0)).toBe(0xc00000f2);
    expect(resetWriteWatch(space, 0x80000000, 0x1000)).toBe(0xc00000f1);
  });
});

describe('a dropped Dirty bit', () => {
  it('marks the page of a write-watch VAD written, only when the old PTE was dirty', () => {
    const { space, get } = setUp();
    get(0x100000, 0x8000, 16, WRITE_WATCH_FLAG_RESET);
    captureWriteWatchDirtyBit(space, 0x105000, 0x00050007);
    expect(get(0x100000, 0x8000).addresses).toEqual([]);
    captureWriteWatchDirtyBit(space, 0x105123, 0x00050047);
    expect(get(0x100000, 0x8000).addresses).toEqual([0x105000]);
    // Outside write-watch memory nothing happens (and nothing fails).
    captureWriteWatchDirtyBit(space, 0x200000, 0x00050047);
    captureWriteWatchDirtyBit(space, 0x300000, 0x00050047);
  });

  it('with no write-watch VAD in the process, nothing is looked up', () => {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x1000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_WRITE_WATCH, protect: PAGE_READWRITE }).status).toBe(0);
    const vad = space.findVad(0x100000)!;
    space.writeWatchVads = 0;
    captureWriteWatchDirtyBit(space, 0x100000, 0x00050047);
    expect(vad.writeWatch![0]).toBe(0);
  });
});
