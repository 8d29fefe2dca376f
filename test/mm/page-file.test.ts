// The paging file's slot bitmap, locations and I/O errors, without a CPU.
// Windows x86 non-PAE: a page-file PTE holds PageFileLow (bits 1-4, which of
// 16 page files) and PageFileHigh (bits 12-31, the offset in pages); offset 0
// and 0xFFFFF are never used (WRK MiCreatePagingFile, MI_PTE_LOOKUP_NEEDED).
import { describe, expect, it } from 'vitest';
import {
  MemoryPagingStore, PageFile, PagingIoError, ioStatusOfErrno, locationOf, makePageFilePteForSlot, slotOf, slotOfPageFilePte,
  type PagingStore,
} from '../../src/mm/page-file.js';
import { KernelPanic } from '../../src/mm/panic.js';

const STATUS_DISK_FULL = 0xc000007f, STATUS_DEVICE_DATA_ERROR = 0xc000009c, STATUS_UNEXPECTED_IO_ERROR = 0xc00000e9;
const PAGE = 4096;

describe('page-file locations', () => {
  it('number slot n as page file n >> 20, offset n & 0xFFFFF', () => {
    expect(locationOf(5)).toEqual({ fileNumber: 0, offset: 5 });
    expect(locationOf(0x100005)).toEqual({ fileNumber: 1, offset: 5 });
    expect(locationOf(0xfffff)).toEqual({ fileNumber: 0, offset: 0xfffff });
    expect(slotOf({ fileNumber: 3, offset: 0x12 })).toBe(0x300012);
  });

  it('build and read back page-file PTEs from slots', () => {
    // Offset 5 << 12 | MM_READWRITE (4) << 5 | page file 1 << 1.
    expect(makePageFilePteForSlot(0x100005, 4)).toBe(0x00005082);
    expect(makePageFilePteForSlot(0x2a, 1)).toBe(0x0002a020);
    expect(slotOfPageFilePte(0x00005082)).toBe(0x100005);
    expect(slotOfPageFilePte(0xfffff09e)).toBe(0xffffff); // page file 15, offset 0xFFFFF
  });
});

describe('host I/O errors', () => {
  it('map errno to the NTSTATUS of the I/O', () => {
    expect(['ENOSPC', 'EDQUOT', 'EFBIG'].map(ioStatusOfErrno)).toEqual([STATUS_DISK_FULL, STATUS_DISK_FULL, STATUS_DISK_FULL]);
    expect(ioStatusOfErrno('EIO')).toBe(STATUS_DEVICE_DATA_ERROR);
    expect(ioStatusOfErrno('EACCES')).toBe(STATUS_UNEXPECTED_IO_ERROR);
    expect(ioStatusOfErrno(undefined)).toBe(STATUS_UNEXPECTED_IO_ERROR);
  });

  it('say which operation failed on which file', () => {
    const read = new PagingIoError('read', '/tmp/pagefile.sys', 'EIO', 'input/output error');
    expect(read.message).toBe('reading the page file /tmp/pagefile.sys failed: input/output error');
    expect(read.name).toBe('PagingIoError');
    expect(read.ioStatus).toBe(STATUS_DEVICE_DATA_ERROR);
    const write = new PagingIoError('write', undefined, 'ENOSPC', 'no space left on device');
    expect(write.message).toBe('writing the page file failed: no space left on device');
    expect(write.ioStatus).toBe(STATUS_DISK_FULL);
    expect(write).toBeInstanceOf(Error);
  });
});

describe('the slot bitmap', () => {
  it('refuses more than 16 page files of 2^20 pages', () => {
    expect(() => new PageFile(16 * (1 << 20) + 1, new MemoryPagingStore())).toThrow(RangeError);
    expect(new PageFile(16 * (1 << 20), new MemoryPagingStore()).sizePages).toBe(16 * ((1 << 20) - 2));
    // Slot 0 is never used; slot 0xFFFFF only once the file reaches it.
    const size = (pages: number) => new PageFile(pages, new MemoryPagingStore()).sizePages;
    expect([size(0), size(1), size(2), size(0xfffff), size(1 << 20), size((1 << 20) + 1), size((1 << 20) + 2)]).toEqual([0, 0, 1, 0xffffe, 0xffffe, 0xffffe, 0xfffff]);
  });

  it('allocates runs from where the last one ended, wrapping round to slot 1', () => {
    const pageFile = new PageFile(10, new MemoryPagingStore()); // slots 1-9
    expect(pageFile.sizePages).toBe(9);
    expect(pageFile.allocateRun(3)).toEqual({ slot: 1, length: 3 });
    expect(pageFile.allocateRun(2)).toEqual({ slot: 4, length: 2 });
    pageFile.release(1);
    expect(pageFile.allocateRun(1)).toEqual({ slot: 6, length: 1 }); // after the last run, not the freed slot 1
    pageFile.release(6);
    expect(pageFile.allocateRun(5)).toEqual({ slot: 7, length: 3 }); // from 7 on: the run stops at the end
    expect(pageFile.allocateRun(5)).toEqual({ slot: 1, length: 1 }); // wrapped: 1 is free, 2 is not
    expect(pageFile.allocateRun(5)).toEqual({ slot: 6, length: 1 }); // on from 2: 6 is the one free slot
    expect(pageFile.usedPages).toBe(9);
    expect(pageFile.allocateRun(1)).toBeUndefined();
    expect(pageFile.peakUsedPages).toBe(9);
    pageFile.release(3);
    pageFile.release(5);
    expect(pageFile.usedPages).toBe(7);
    expect(pageFile.peakUsedPages).toBe(9);
    expect(pageFile.allocateRun(2)).toEqual({ slot: 3, length: 1 }); // a run stops at a used slot
    expect([...pageFile.allocatedSlots()]).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
    pageFile.checkInvariants();
  });

  it('never allocates offset 0 of a page file, and stops runs before it', () => {
    const pageFile = new PageFile((1 << 20) + 4, new MemoryPagingStore());
    // Slots 0xFFFFF (lookup-needed) and 0x100000 (offset 0 of page file 1) are never used.
    expect(pageFile.sizePages).toBe((1 << 20) + 4 - 3);
    const runs: { slot: number; length: number }[] = [];
    for (let run = pageFile.allocateRun(1000); run; run = pageFile.allocateRun(1000)) runs.push(run);
    // Runs of 1,000 from slot 1: the 1,049th starts at 1,048,001 and stops at 0xFFFFE; the next skips to offset 1 of file 1.
    expect(runs.slice(-2)).toEqual([{ slot: 1_048_001, length: 0xffffe - 1_048_001 + 1 }, { slot: 0x100001, length: 3 }]);
    expect(runs).toHaveLength(1050);
    expect(pageFile.isAllocated(0xfffff)).toBe(false);
    expect(pageFile.isAllocated(0x100000)).toBe(false);
    pageFile.checkInvariants();
  });

  it('releasing a free slot is a kernel bug; slot 0 and slots past the end are never allocated', () => {
    const pageFile = new PageFile(4, new MemoryPagingStore());
    pageFile.allocateRun(3);
    expect(pageFile.isAllocated(0)).toBe(false);
    expect(pageFile.isAllocated(3)).toBe(true);
    expect(pageFile.isAllocated(4)).toBe(false);
    pageFile.release(2);
    expect(() => pageFile.release(2)).toThrow(KernelPanic);
    expect(() => pageFile.release(2)).toThrow(/page-file slot 2 released but not allocated/);
    expect(() => pageFile.release(4)).toThrow(KernelPanic);
    expect(pageFile.usedPages).toBe(2);
  });

  it('reads and writes only allocated runs, through its store', () => {
    const store = new MemoryPagingStore();
    const pageFile = new PageFile(8, store);
    const run = pageFile.allocateRun(2)!;
    const bytes = new Uint8Array(2 * PAGE);
    bytes.fill(1, 0, PAGE);
    bytes.fill(2, PAGE);
    pageFile.writePages(run.slot, bytes);
    const back = new Uint8Array(PAGE);
    pageFile.readPages(run.slot + 1, back);
    expect(back[0]).toBe(2);
    expect([store.writes, store.reads]).toEqual([1, 1]);
    expect(() => pageFile.writePages(run.slot + 1, bytes)).toThrow(/page-file write at unallocated slot 3/);
    expect(() => pageFile.readPages(5, back)).toThrow(/page-file read at unallocated slot 5/);
    expect([store.writes, store.reads]).toEqual([1, 1]);
  });

  it('the checker notices a never-used offset allocated and a count out of step', () => {
    const pageFile = new PageFile(8, new MemoryPagingStore());
    pageFile.allocateRun(2);
    const raw = pageFile as unknown as { used: Uint8Array; inUse: number };
    raw.used[0] = 1;
    expect(() => pageFile.checkInvariants()).toThrow(/page-file slot 0 \(offset 0 or 0xFFFFF\) is allocated/);
    raw.used[0] = 0;
    raw.inUse = 3;
    expect(() => pageFile.checkInvariants()).toThrow(/page file has 2 slots allocated but counts 3/);
    raw.used.fill(1, 1);
    raw.inUse = 7;
    pageFile.checkInvariants();
    raw.inUse = 8;
    raw.used[0] = 0;
    expect(() => pageFile.checkInvariants()).toThrow(/page file has 7 slots allocated but counts 8/);
  });

  it('the checker notices more slots used than the file holds', () => {
    const pageFile = new PageFile(3, new MemoryPagingStore()); // slots 1 and 2
    const raw = pageFile as unknown as { used: Uint8Array; inUse: number; sizePages: number };
    pageFile.allocateRun(2);
    (raw as { sizePages: number }).sizePages = 1;
    expect(() => pageFile.checkInvariants()).toThrow(/page-file usage 2 exceeds its size 1/);
  });
});

describe('the in-memory paging store', () => {
  it('keeps pages by slot and reads never-written slots as zeros', () => {
    const store: PagingStore & { writes: number; reads: number } = new MemoryPagingStore();
    const bytes = new Uint8Array(2 * PAGE).fill(7);
    bytes[PAGE] = 9;
    store.write(4, bytes);
    const into = new Uint8Array(3 * PAGE).fill(0xff);
    store.read(4, into);
    expect([into[0], into[PAGE - 1], into[PAGE], into[2 * PAGE], into[3 * PAGE - 1]]).toEqual([7, 7, 9, 0, 0]);
    bytes.fill(1); // the store keeps a copy
    store.read(5, into.subarray(0, PAGE));
    expect(into[0]).toBe(9);
    expect(store.path).toBeUndefined();
    store.dispose();
    store.read(4, into.subarray(0, PAGE));
    expect(into[0]).toBe(0);
  });
});
