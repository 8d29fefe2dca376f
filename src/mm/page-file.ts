// The paging file: a bitmap of page-sized slots over a backing store (a real
// host file for a run, plain memory in unit tests). Space is taken when the
// modified page writer writes a page out and given back when the page is
// freed or written to again (Windows Internals 7th ed., ch. 5, "Page files").
//
// Windows x86 non-PAE names a page-file page by PageFileLow (4 bits: which of
// up to 16 page files) and PageFileHigh (20 bits: the offset in pages). Page
// file n here is slots n·2^20 … n·2^20 + 2^20 − 1 of one backing store, so a
// page file larger than 4 GiB spills into the next number. In each, offset 0
// is never used (a software PTE with offset 0 is demand-zero; WRK's
// MiCreatePagingFile sets bit 0 of the allocation bitmap) and neither is
// 0xFFFFF (MI_PTE_LOOKUP_NEEDED).
import { STATUS_DEVICE_DATA_ERROR, STATUS_DISK_FULL, STATUS_UNEXPECTED_IO_ERROR, type NtStatus } from '../nt/status.js';
import { PAGE_SIZE } from './layout.js';
import { KernelPanic } from './panic.js';
import type { ProtectionMask } from './protection.js';
import { makePageFilePte, pageFileNumberOf, pageFileOffsetOf, type PteValue } from './pte.js';

/** MM_MAXIMUM_PAGING_FILES. */
export const MAXIMUM_PAGING_FILES = 16;
const OFFSETS_PER_FILE = 1 << 20;
const LOOKUP_NEEDED_OFFSET = 0xfffff;

/**
 * The host refused a page-file read or write (a full disk, a device error).
 * A failed read is the guest's in-page error (STATUS_IN_PAGE_ERROR with
 * `ioStatus`); a failed write ends the run with one message (the host, not
 * the guest, is at fault, and the modified pages could not be kept).
 */
export class PagingIoError extends Error {
  /** The I/O's NTSTATUS, as an in-page error's ExceptionInformation[2] carries it. */
  readonly ioStatus: NtStatus;
  constructor(readonly operation: 'read' | 'write', readonly path: string | undefined, readonly errno: string | undefined, detail: string) {
    super(`${operation === 'read' ? 'reading' : 'writing'} the page file${path ? ` ${path}` : ''} failed: ${detail}`);
    this.name = 'PagingIoError';
    this.ioStatus = ioStatusOfErrno(errno);
  }
}

/** ENOSPC is STATUS_DISK_FULL, EIO a device's data error, anything else STATUS_UNEXPECTED_IO_ERROR. */
export function ioStatusOfErrno(errno: string | undefined): NtStatus {
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EFBIG') return STATUS_DISK_FULL;
  if (errno === 'EIO') return STATUS_DEVICE_DATA_ERROR;
  return STATUS_UNEXPECTED_IO_ERROR;
}

/** Where page-file pages are kept: page-sized reads and writes at slot offsets. */
export interface PagingStore {
  /** Writes `pages` (a whole number of pages) at slot `slot`; throws PagingIoError on a host I/O error. */
  write(slot: number, pages: Uint8Array): void;
  /** Reads into `into` (a whole number of pages) from slot `slot`; throws PagingIoError on a host I/O error. */
  read(slot: number, into: Uint8Array): void;
  /** Where it is on the host, for messages (undefined for memory). */
  readonly path?: string;
  dispose(): void;
}

/** A page-file location: which file and the offset in it (pages). */
export interface PageFileLocation { fileNumber: number; offset: number }

export const slotOf = (location: PageFileLocation): number => location.fileNumber * OFFSETS_PER_FILE + location.offset;
export const locationOf = (slot: number): PageFileLocation => ({ fileNumber: Math.floor(slot / OFFSETS_PER_FILE), offset: slot % OFFSETS_PER_FILE });

const usableSlot = (slot: number): boolean => {
  const offset = slot % OFFSETS_PER_FILE;
  return offset !== 0 && offset !== LOOKUP_NEEDED_OFFSET;
};

export class PageFile {
  /** Slots (pages) the page file may hold, the never-used offsets excluded. */
  readonly sizePages: number;
  private readonly slotCount: number;
  private readonly used: Uint8Array;
  private inUse = 0;
  private peak = 0;
  /** Where the next search starts (keeps clusters of one write contiguous). */
  private hint = 1;

  /** `pages`: the page file's size in pages (--pagefile / 4096). */
  constructor(pages: number, readonly store: PagingStore) {
    if (pages > MAXIMUM_PAGING_FILES * OFFSETS_PER_FILE) throw new RangeError('page file larger than 16 page files of 4 GiB');
    this.slotCount = pages;
    this.used = new Uint8Array(pages);
    // Among slots [0, pages): ceil(pages / 2^20) have offset 0, floor(pages / 2^20) offset 0xFFFFF.
    this.sizePages = pages - Math.ceil(pages / OFFSETS_PER_FILE) - Math.floor(pages / OFFSETS_PER_FILE);
  }

  get usedPages(): number { return this.inUse; }
  get peakUsedPages(): number { return this.peak; }

  /**
   * Takes a run of up to `count` free consecutive slots (at least one);
   * returns the first slot and the run's length, or undefined when full.
   */
  allocateRun(count: number): { slot: number; length: number } | undefined {
    if (this.inUse >= this.sizePages) return undefined;
    for (let pass = 0; pass < 2; pass++) {
      const from = pass === 0 ? this.hint : 1;
      const to = pass === 0 ? this.slotCount : this.hint;
      for (let slot = from; slot < to; slot++) {
        if (this.used[slot] || !usableSlot(slot)) continue;
        let length = 1;
        while (length < count && slot + length < this.slotCount && !this.used[slot + length] && usableSlot(slot + length)) length++;
        for (let i = 0; i < length; i++) this.used[slot + i] = 1;
        this.inUse += length;
        this.peak = Math.max(this.peak, this.inUse);
        this.hint = slot + length;
        return { slot, length };
      }
    }
    return undefined;
  }

  release(slot: number): void {
    if (!this.isAllocated(slot)) throw new KernelPanic(`page-file slot ${slot} released but not allocated`);
    this.used[slot] = 0;
    this.inUse--;
  }

  isAllocated(slot: number): boolean { return slot > 0 && slot < this.slotCount && this.used[slot] === 1; }

  writePages(slot: number, bytes: Uint8Array): void {
    this.requireRun(slot, bytes.length / PAGE_SIZE, 'write');
    this.store.write(slot, bytes);
  }

  readPages(slot: number, into: Uint8Array): void {
    this.requireRun(slot, into.length / PAGE_SIZE, 'read');
    this.store.read(slot, into);
  }

  /** Every allocated slot, for the invariant checker. */
  *allocatedSlots(): Iterable<number> {
    for (let slot = 1; slot < this.slotCount; slot++) if (this.used[slot]) yield slot;
  }

  /** The bitmap agrees with its count and never holds a never-used offset. */
  checkInvariants(): void {
    let count = 0;
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (!this.used[slot]) continue;
      if (!usableSlot(slot)) throw new KernelPanic(`page-file slot ${slot} (offset 0 or 0xFFFFF) is allocated`);
      count++;
    }
    if (count !== this.inUse) throw new KernelPanic(`page file has ${count} slots allocated but counts ${this.inUse}`);
    if (this.inUse > this.sizePages) throw new KernelPanic(`page-file usage ${this.inUse} exceeds its size ${this.sizePages}`);
  }

  private requireRun(slot: number, pages: number, operation: string): void {
    for (let i = 0; i < pages; i++) {
      if (!this.isAllocated(slot + i)) throw new KernelPanic(`page-file ${operation} at unallocated slot ${slot + i}`);
    }
  }
}

/** A paging store in memory (unit tests; no host file). */
export class MemoryPagingStore implements PagingStore {
  private readonly pages = new Map<number, Uint8Array>();
  writes = 0;
  reads = 0;

  write(slot: number, bytes: Uint8Array): void {
    this.writes++;
    for (let i = 0; i * PAGE_SIZE < bytes.length; i++) this.pages.set(slot + i, bytes.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
  }

  read(slot: number, into: Uint8Array): void {
    this.reads++;
    for (let i = 0; i * PAGE_SIZE < into.length; i++) {
      const page = this.pages.get(slot + i);
      if (page) into.set(page, i * PAGE_SIZE);
      else into.fill(0, i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
    }
  }

  dispose(): void { this.pages.clear(); }
}

/** The page-file PTE for `slot` with protection `mask`. */
export const makePageFilePteForSlot = (slot: number, mask: ProtectionMask): PteValue => {
  const { fileNumber, offset } = locationOf(slot);
  return makePageFilePte(fileNumber, offset, mask);
};

/** The slot a page-file PTE names. */
export const slotOfPageFilePte = (pte: PteValue): number => slotOf({ fileNumber: pageFileNumberOf(pte), offset: pageFileOffsetOf(pte) });
