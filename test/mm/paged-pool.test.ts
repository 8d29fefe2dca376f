// Paged pool and the sparse prototype PTEs kept in it, without a CPU. The
// x86 paged-pool range is 0xE1000000-0xEFFFFFFF (Windows Internals, "System
// Memory Pools"; 240 MiB); a pool page holds 4096 / 4 = 1024 PTEs.
import { describe, expect, it } from 'vitest';
import { PagedPool, defaultPagedPoolBytes } from '../../src/mm/paged-pool.js';
import { PrototypePtes } from '../../src/mm/prototype-ptes.js';

const MIB = 1 << 20;
const RANGE_BYTES = 0xf0000000 - 0xe1000000; // 240 MiB

describe('paged pool', () => {
  it('defaults to a quarter of RAM in whole pages, at least 8 MiB and at most the 240 MiB range', () => {
    expect(defaultPagedPoolBytes(16 * MIB)).toBe(8 * MIB);
    expect(defaultPagedPoolBytes(32 * MIB)).toBe(8 * MIB);
    expect(defaultPagedPoolBytes(256 * MIB)).toBe(64 * MIB);
    expect(defaultPagedPoolBytes(40 * MIB + 4 * 4096 + 12)).toBe(10 * MIB + 4096); // a quarter, 10 MiB + 4099, floored to a page
    expect(defaultPagedPoolBytes(2048 * MIB)).toBe(240 * MIB);
    expect(240 * MIB).toBe(RANGE_BYTES);
  });

  it('charges up to its size exactly, keeps a peak, and refuses a release of more than is charged', () => {
    const pool = new PagedPool(0x300);
    expect(pool.tryCharge(0x100)).toBe(true);
    expect(pool.tryCharge(0x200)).toBe(true); // exactly full
    expect(pool.tryCharge(1)).toBe(false);
    expect(pool.usedBytes).toBe(0x300);
    pool.release(0x200);
    expect(pool.usedBytes).toBe(0x100);
    expect(pool.peakBytes).toBe(0x300);
    expect(pool.tryCharge(0x40)).toBe(true);
    expect(pool.peakBytes).toBe(0x300);
    expect(() => pool.release(0x141)).toThrow(RangeError);
    expect(() => pool.release(0x141)).toThrow(/releasing 321 bytes with 320 charged/);
    pool.release(0x140);
    expect(pool.usedBytes).toBe(0);
  });

  it('gives pool pages addresses from 0xE1000000 up, reuses freed ones, and charges 4 KiB each', () => {
    const pool = new PagedPool(3 * 4096);
    expect(pool.allocatePage()).toBe(0xe1000000);
    expect(pool.allocatePage()).toBe(0xe1001000);
    expect(pool.usedBytes).toBe(8192);
    pool.freePage(0xe1000000);
    expect(pool.usedBytes).toBe(4096);
    expect(pool.allocatePage()).toBe(0xe1000000);
    expect(pool.allocatePage()).toBe(0xe1002000);
    expect(pool.allocatePage()).toBeUndefined(); // over the pool's size
    expect(pool.usedBytes).toBe(3 * 4096);
  });

  it('has no page past 0xEFFFF000: the range runs out before a larger size does', () => {
    const pool = new PagedPool(RANGE_BYTES + 4 * 4096);
    let last = 0, pages = 0;
    for (let address = pool.allocatePage(); address !== undefined; address = pool.allocatePage()) { last = address; pages++; }
    expect(pages).toBe(RANGE_BYTES / 4096); // 61,440
    expect(last).toBe(0xeffff000);
    expect(pool.usedBytes).toBe(RANGE_BYTES); // the failed allocation charged nothing
  });
});

describe('prototype PTEs in paged pool', () => {
  it('read 0 where nothing was stored, and store zeros without a pool page', () => {
    const pool = new PagedPool(8 * 4096);
    const ptes = new PrototypePtes(pool, 3000);
    expect(ptes.get(2999)).toBe(0);
    expect(ptes.addressOf(5)).toBe(0);
    expect(ptes.trySet(5, 0)).toBe(true);
    expect(ptes.poolPages).toBe(0);
    expect(pool.usedBytes).toBe(0);
  });

  it('allocate a pool page of 1,024 PTEs at the first non-zero store in its range', () => {
    const pool = new PagedPool(8 * 4096);
    const ptes = new PrototypePtes(pool, 3000);
    expect(ptes.trySet(1500, 0x80)).toBe(true); // the second page's range (1024-2047)
    expect(ptes.poolPages).toBe(1);
    expect(pool.usedBytes).toBe(4096);
    expect(ptes.get(1500)).toBe(0x80);
    expect(ptes.get(1501)).toBe(0);
    expect(ptes.addressOf(1024)).toBe(0xe1000000);
    expect(ptes.addressOf(1500)).toBe(0xe1000000 + (1500 - 1024) * 4);
    expect(ptes.addressOf(2047)).toBe(0xe1000ffc);
    expect(ptes.addressOf(2048)).toBe(0);
    expect(ptes.addressOf(1023)).toBe(0);
    expect(ptes.trySet(1024, 0)).toBe(true); // a zero into an existing page is stored
    ptes.set(1501, 0x4a0);
    expect(ptes.get(1501)).toBe(0x4a0);
    expect(ptes.trySet(0, 0x80)).toBe(true);
    expect(ptes.addressOf(0)).toBe(0xe1001000);
    expect(ptes.poolPages).toBe(2);
  });

  it('answer false when paged pool is exhausted, changing nothing; set() of such a PTE is a kernel bug', () => {
    const pool = new PagedPool(4096);
    const ptes = new PrototypePtes(pool, 2048);
    ptes.set(0, 0x80);
    expect(ptes.trySet(1024, 0x80)).toBe(false);
    expect(ptes.get(1024)).toBe(0);
    expect(ptes.poolPages).toBe(1);
    expect(() => ptes.set(1024, 0x80)).toThrow(RangeError);
    expect(() => ptes.set(1024, 0x80)).toThrow(/prototype PTE 1024 has no pool page/);
  });

  it('fill [0, length) with one value, pages only as needed, and nothing beyond length', () => {
    const pool = new PagedPool(8 * 4096);
    const ptes = new PrototypePtes(pool, 2050);
    expect(ptes.tryFill(0x80)).toBe(true);
    expect(ptes.poolPages).toBe(3);
    expect([ptes.get(0), ptes.get(1023), ptes.get(1024), ptes.get(2047), ptes.get(2048), ptes.get(2049)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x80]);
    expect(ptes.get(2050)).toBe(0);
    const zero = new PrototypePtes(pool, 5000);
    expect(zero.tryFill(0)).toBe(true);
    expect(zero.poolPages).toBe(0);
  });

  it('give every page back when a fill does not fit', () => {
    const pool = new PagedPool(2 * 4096);
    const ptes = new PrototypePtes(pool, 3 * 1024);
    expect(ptes.tryFill(0x80)).toBe(false);
    expect(ptes.poolPages).toBe(0);
    expect(pool.usedBytes).toBe(0);
    expect(ptes.get(0)).toBe(0);
  });

  it('find the index of a PTE from its pool address, only at PTE boundaries inside its own pages', () => {
    const pool = new PagedPool(8 * 4096);
    const other = new PrototypePtes(pool, 10);
    other.set(0, 0x80); // takes 0xE1000000
    const ptes = new PrototypePtes(pool, 2048);
    ptes.set(1030, 0x80); // the page of 1024-2047 at 0xE1001000
    expect(ptes.indexOfAddress(0xe1001000)).toBe(1024);
    expect(ptes.indexOfAddress(0xe1001018)).toBe(1030);
    expect(ptes.indexOfAddress(0xe1001ffc)).toBe(2047);
    expect(ptes.indexOfAddress(0xe1001002)).toBeUndefined();
    expect(ptes.indexOfAddress(0xe1002000)).toBeUndefined();
    expect(ptes.indexOfAddress(0xe1000ffc)).toBeUndefined(); // the other segment's page
    expect(other.indexOfAddress(0xe1000ffc)).toBe(1023);
  });

  it('visit stored PTEs in index order, up to length', () => {
    const pool = new PagedPool(8 * 4096);
    const ptes = new PrototypePtes(pool, 1030);
    ptes.set(1029, 0xa0);
    ptes.set(3, 0xc0);
    const seen: [number, number][] = [];
    ptes.forEachStored((value, index) => { if (value !== 0) seen.push([index, value]); });
    expect(seen).toEqual([[3, 0xc0], [1029, 0xa0]]);
    let visits = 0;
    ptes.forEachStored(() => { visits++; });
    expect(visits).toBe(1030); // 1,024 of the first page and 6 of the second
    ptes.release();
    expect(ptes.poolPages).toBe(0);
    expect(pool.usedBytes).toBe(0);
    expect(ptes.get(3)).toBe(0);
  });
});
