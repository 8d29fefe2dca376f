// Paged pool: the kernel memory that Windows keeps prototype PTEs, section
// objects, control areas and handle-table entries in (Windows Internals,
// "System Memory Pools"). It has a size, so what a guest makes the kernel
// allocate is bounded: past it, the service answers
// STATUS_INSUFFICIENT_RESOURCES, as Windows does when paged pool runs out.
//
// Prototype PTEs are allocated a pool page (1024 PTEs) at a time, only for
// the parts of a section that have pages (sparse, unlike Windows, which
// allocates them for the whole section: a 2 GiB SEC_RESERVE section then
// costs almost nothing). Pool pages get addresses in the x86 paged-pool range
// 0xE1000000-0xEFFFFFFF, unique while they live, so dumps never show two
// prototype PTEs at one address.

export const PAGED_POOL_START = 0xe1000000;
export const PAGED_POOL_END = 0xf0000000;
export const POOL_PAGE_SIZE = 4096;
const POOL_PAGES = (PAGED_POOL_END - PAGED_POOL_START) / POOL_PAGE_SIZE;

/** What one kernel object costs in pool (header and body, rounded as pool blocks are). */
export const POOL_BYTES = {
  /** A control area with its segment header (the prototype PTEs are charged by page). */
  controlArea: 0x100,
  /** A handle-table entry with its share of the object (section or file object). */
  handle: 0x40,
} as const;

/** The default size: a quarter of RAM, between 8 MiB and the 240 MiB of the paged-pool range. */
export function defaultPagedPoolBytes(ramBytes: number): number {
  return Math.min(PAGED_POOL_END - PAGED_POOL_START, Math.max(8 << 20, Math.floor(ramBytes / 4 / POOL_PAGE_SIZE) * POOL_PAGE_SIZE));
}

export class PagedPool {
  private used = 0;
  private peak = 0;
  private nextPage = 0;
  private readonly freedPages: number[] = [];

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number { return this.used; }
  get peakBytes(): number { return this.peak; }

  /** Charges `bytes`; false (nothing charged) when the pool would be over its size. */
  tryCharge(bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    this.peak = Math.max(this.peak, this.used);
    return true;
  }

  release(bytes: number): void {
    if (bytes > this.used) throw new RangeError(`paged pool: releasing ${bytes} bytes with ${this.used} charged`);
    this.used -= bytes;
  }

  /** A pool page for prototype PTEs: its address, or undefined when the pool is exhausted. */
  allocatePage(): number | undefined {
    if (!this.tryCharge(POOL_PAGE_SIZE)) return undefined;
    const page = this.freedPages.pop() ?? (this.nextPage < POOL_PAGES ? this.nextPage++ : undefined);
    if (page === undefined) {
      this.release(POOL_PAGE_SIZE);
      return undefined;
    }
    return PAGED_POOL_START + page * POOL_PAGE_SIZE;
  }

  freePage(address: number): void {
    this.freedPages.push((address - PAGED_POOL_START) / POOL_PAGE_SIZE);
    this.release(POOL_PAGE_SIZE);
  }
}
