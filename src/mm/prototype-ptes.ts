// A segment's prototype PTEs, stored sparsely: one pool page of 1024 PTEs is
// allocated (and charged to paged pool) when the first non-zero PTE of its
// range is stored; ranges never stored read as 0 (not committed) and have no
// address. See paged-pool.ts.
import { POOL_PAGE_SIZE, type PagedPool } from './paged-pool.js';
import type { PteValue } from './pte.js';

const PTES_PER_POOL_PAGE = POOL_PAGE_SIZE / 4;

interface PoolPage { address: number; ptes: Uint32Array }

export class PrototypePtes {
  private readonly pages = new Map<number, PoolPage>();

  constructor(private readonly pool: PagedPool, public length: number) {}

  get(index: number): PteValue {
    return this.pages.get(Math.floor(index / PTES_PER_POOL_PAGE))?.ptes[index % PTES_PER_POOL_PAGE] ?? 0;
  }

  /** Stores `value`; false when that needs a pool page and paged pool is exhausted (nothing changed). */
  trySet(index: number, value: PteValue): boolean {
    const number = Math.floor(index / PTES_PER_POOL_PAGE);
    let page = this.pages.get(number);
    if (!page) {
      if (value === 0) return true;
      const address = this.pool.allocatePage();
      if (address === undefined) return false;
      page = { address, ptes: new Uint32Array(PTES_PER_POOL_PAGE) };
      this.pages.set(number, page);
    }
    page.ptes[index % PTES_PER_POOL_PAGE] = value;
    return true;
  }

  /** Stores a value into a PTE whose pool page exists (the page was committed): a kernel bug otherwise. */
  set(index: number, value: PteValue): void {
    if (!this.trySet(index, value)) throw new RangeError(`prototype PTE ${index} has no pool page`);
  }

  /** Sets [0, length) to `value`; false when paged pool cannot hold them (nothing is left allocated then). */
  tryFill(value: PteValue): boolean {
    for (let index = 0; index < this.length; index += PTES_PER_POOL_PAGE) {
      if (!this.trySet(index, value)) {
        this.release();
        return false;
      }
      const page = this.pages.get(index / PTES_PER_POOL_PAGE);
      page?.ptes.fill(value, 0, Math.min(PTES_PER_POOL_PAGE, this.length - index));
    }
    return true;
  }

  /** The PTE's address in paged pool, as PFN entries name it; 0 when its pool page was never allocated. */
  addressOf(index: number): number {
    const page = this.pages.get(Math.floor(index / PTES_PER_POOL_PAGE));
    return page ? (page.address + (index % PTES_PER_POOL_PAGE) * 4) >>> 0 : 0;
  }

  /** The index of the PTE at paged-pool address `address`, if one of this segment's pool pages holds it. */
  indexOfAddress(address: number): number | undefined {
    for (const [number, page] of this.pages) {
      const offset = address - page.address;
      if (offset >= 0 && offset < POOL_PAGE_SIZE && offset % 4 === 0) return number * PTES_PER_POOL_PAGE + offset / 4;
    }
    return undefined;
  }

  /** Every PTE with a pool page, in index order (those without one are 0). */
  forEachStored(visit: (value: PteValue, index: number) => void): void {
    for (const number of [...this.pages.keys()].sort((a, b) => a - b)) {
      const page = this.pages.get(number)!;
      const base = number * PTES_PER_POOL_PAGE;
      for (let i = 0; i < PTES_PER_POOL_PAGE && base + i < this.length; i++) visit(page.ptes[i]!, base + i);
    }
  }

  /** Pool pages allocated (each 4 KiB of paged pool). */
  get poolPages(): number { return this.pages.size; }

  /** Gives every pool page back. */
  release(): void {
    for (const page of this.pages.values()) this.pool.freePage(page.address);
    this.pages.clear();
  }
}
