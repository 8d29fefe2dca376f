// The process page directory and page tables, kept in real frames with the
// Windows self-map. Every PTE store goes through one of the checking writers
// below, which also keep the host mirror and the CPU's TLB in step.
//
// Unicorn 2.0.1 walks the tables at "physical" addresses of its own flat
// space, which is the guest's virtual space. So a PDE's frame field holds the
// table's self-map page number (0xC0000 + PDE index) rather than its real PFN;
// the real PFN of every table is kept in `tablePfn` and in the PFN database.
import {
  PAGE_SIZE, PDE_BASE, PTE_BASE, PTES_PER_TABLE, SELF_MAP_PDE_INDEX, MM_SYSTEM_RANGE_START,
  pageBase, pdeAddressOf, pdeIndex, pteAddressOf, pteIndex, type Pfn,
} from './layout.js';
import { KernelPanic } from './panic.js';
import type { PfnDatabase, PhysicalMemory } from './pfn-database.js';
import {
  ZERO_PTE, isDirtyPte, isTransitionPte, isValidPte, isWritePte, makePde, makeValidKernelPte, pfnOfPte, type PteValue,
  PTE_VALID, PTE_OWNER, PTE_ACCESSED, PTE_DIRTY,
} from './pte.js';

/** What the memory manager needs from the machine underneath (the host mirror and the TLB). */
export interface TranslationHardware {
  /** Guest page `pageAddress` now reads and writes frame `pfn`. */
  aliasFrame(pageAddress: number, pfn: Pfn): void;
  /**
   * Guest page `pageAddress` no longer needs to reach its frame: its PTE is
   * not valid, so the CPU (which walks the page tables first) cannot reach
   * it. The host mapping may stay until something replaces it, so making
   * the page valid again with the same frame (a soft fault) needs no host call.
   */
  releaseAlias(pageAddress: number): void;
  /** Forget the cached translation of one page after its rights were reduced or removed. */
  flushTlbPage(pageAddress: number): void;
  /** Forget every cached translation (one call instead of a flush per page, for a batch); absent means flush page by page. */
  flushTlb?(): void;
  /** Whether the host can map one more page (its mappings are bounded); absent means always. */
  hasMappingRoom?(): boolean;
}

/** Told when a user page's PTE becomes valid or stops being valid: the working set follows. */
export interface ResidencyObserver {
  pageMadeValid(address: number): void;
  pageInvalidated(address: number): void;
}

export interface PteWalk {
  pdeAddress: number;
  pde: PteValue;
  pteAddress: number;
  pte: PteValue;
  /** Real frame of the page table, or undefined when none exists. */
  tablePfn: Pfn | undefined;
}

/** The first PDE of kernel space (0x80000000 >> 22): these PDEs are the same in every process. */
const FIRST_KERNEL_PDE = MM_SYSTEM_RANGE_START / (PTES_PER_TABLE * PAGE_SIZE);

export class OutOfFramesError extends Error {
  constructor() { super('no free physical frame'); this.name = 'OutOfFramesError'; }
}

export class PageTables {
  readonly directoryPfn: Pfn;
  /**
   * Told whenever a writer is about to drop a Dirty bit the MMU set (a valid
   * PTE invalidated while dirty, or made clean): write watch keeps what it
   * meant (MiCaptureWriteWatchDirtyBit). Set by the address space.
   */
  onDirtyBitDropped: ((address: number, oldPte: PteValue) => void) | undefined;
  private readonly words: Uint32Array;
  private readonly tablePfn = new Int32Array(PTES_PER_TABLE).fill(-1);
  /** The process's working set, told about every user PTE that becomes valid or invalid. */
  residency: ResidencyObserver | undefined;

  /**
   * A new page directory with its self-map. `kernel`, for every process but
   * the first, is the page tables whose kernel-space PDEs are copied: the
   * kernel's page tables are shared by every process, as MmCreateProcessAddressSpace
   * copies the system PDEs into each new directory. Throws OutOfFramesError.
   */
  constructor(
    private readonly frames: PfnDatabase,
    memory: PhysicalMemory,
    private readonly hardware: TranslationHardware,
    kernel?: PageTables,
  ) {
    this.words = new Uint32Array(memory.bytes.buffer, memory.bytes.byteOffset, memory.bytes.byteLength >>> 2);
    const directory = frames.allocateZeroedFrame(pdeAddressOf(PDE_BASE));
    if (directory === undefined) throw new OutOfFramesError();
    this.directoryPfn = directory;
    this.tablePfn[SELF_MAP_PDE_INDEX] = directory;
    this.words[directory * PTES_PER_TABLE + SELF_MAP_PDE_INDEX] = makePde(PDE_BASE >>> 12, false);
    if (kernel) {
      for (let index = FIRST_KERNEL_PDE; index < PTES_PER_TABLE; index++) {
        if (index === SELF_MAP_PDE_INDEX) continue; // a missing kernel table copies as missing (-1, PDE 0)
        this.tablePfn[index] = kernel.tablePfn[index]!;
        this.words[directory * PTES_PER_TABLE + index] = kernel.words[kernel.directoryPfn * PTES_PER_TABLE + index]!;
      }
    }
    hardware.aliasFrame(PDE_BASE, directory);
  }

  /** The value CR3 must hold: the directory's place in Unicorn's flat space. */
  get cr3(): number { return PDE_BASE; }

  readPde(address: number): PteValue {
    return this.words[this.directoryPfn * PTES_PER_TABLE + pdeIndex(address)]!;
  }

  /** The PTE of `address`, or ZERO_PTE when its page table does not exist. */
  readPte(address: number): PteValue {
    const table = this.tablePfn[pdeIndex(address)]!;
    return table < 0 ? ZERO_PTE : this.words[table * PTES_PER_TABLE + pteIndex(address)]!;
  }

  walk(address: number): PteWalk {
    const table = this.tablePfn[pdeIndex(address)]!;
    return {
      pdeAddress: pdeAddressOf(address),
      pde: this.readPde(address),
      pteAddress: pteAddressOf(address),
      pte: this.readPte(address),
      tablePfn: table < 0 ? undefined : table,
    };
  }

  /** Whether a page (and its page table) can still be made valid: the host's mappings are bounded. */
  canMapMorePages(): boolean { return this.hardware.hasMappingRoom?.() ?? true; }

  hasTable(address: number): boolean { return this.tablePfn[pdeIndex(address)]! >= 0; }

  /** Creates the page table covering `address` if missing; false when RAM is exhausted. */
  ensureTable(address: number): boolean {
    const index = pdeIndex(address);
    if (this.tablePfn[index]! >= 0) return true;
    const tableAddress = (PTE_BASE + index * PAGE_SIZE) >>> 0;
    const pfn = this.frames.allocateZeroedFrame(pdeAddressOf(address));
    if (pfn === undefined) return false;
    this.tablePfn[index] = pfn;
    this.hardware.aliasFrame(tableAddress, pfn);
    const user = address >>> 0 < MM_SYSTEM_RANGE_START;
    this.words[this.directoryPfn * PTES_PER_TABLE + index] = makePde(tableAddress >>> 12, user);
    return true;
  }

  /** Not-present → valid. The frame becomes reachable at once; no TLB flush is needed. */
  writeValidPte(address: number, pte: PteValue): void {
    const slot = this.requireSlot(address, 'writeValidPte');
    if (!isValidPte(pte)) throw new KernelPanic(`writeValidPte with invalid PTE ${pte.toString(16)}`);
    if (isValidPte(this.words[slot]!)) throw new KernelPanic(`writeValidPte over valid PTE at ${address.toString(16)}`);
    this.hardware.aliasFrame(pageBase(address), pfnOfPte(pte));
    this.words[slot] = pte;
    if (address >>> 0 < MM_SYSTEM_RANGE_START) this.residency?.pageMadeValid(pageBase(address));
  }

  /** Valid → valid with the same frame (rights or software bits change). */
  updateValidPte(address: number, pte: PteValue): void {
    const slot = this.requireSlot(address, 'updateValidPte');
    const old = this.words[slot]!;
    if (!isValidPte(old) || !isValidPte(pte) || pfnOfPte(old) !== pfnOfPte(pte)) {
      throw new KernelPanic(`updateValidPte ${old.toString(16)} → ${pte.toString(16)} at ${address.toString(16)}`);
    }
    if (isDirtyPte(old) && !isDirtyPte(pte)) this.onDirtyBitDropped?.(address, old);
    this.words[slot] = pte;
    const reduced = (isWritePte(old) && !isWritePte(pte)) || ((old & PTE_OWNER) !== 0 && (pte & PTE_OWNER) === 0);
    // A cached translation would not set Accessed or Dirty again: clearing them needs a flush too.
    const clearedStatus = (old & ~pte & (PTE_ACCESSED | PTE_DIRTY)) !== 0;
    if (reduced || clearedStatus) this.hardware.flushTlbPage(pageBase(address));
  }

  /**
   * Clears the Accessed bit of the valid PTEs at `addresses` (the working-set
   * manager's aging), with one TLB flush for the batch where the hardware
   * can (a cached translation would not set the bit again).
   */
  clearAccessedBits(addresses: readonly number[]): void {
    if (!this.hardware.flushTlb) {
      for (const address of addresses) this.updateValidPte(address, (this.readPte(address) & ~PTE_ACCESSED) >>> 0);
      return;
    }
    for (const address of addresses) {
      const slot = this.requireSlot(address, 'clearAccessedBits');
      const old = this.words[slot]!;
      if (!isValidPte(old)) throw new KernelPanic(`clearAccessedBits on invalid PTE ${old.toString(16)} at ${address.toString(16)}`);
      this.words[slot] = (old & ~PTE_ACCESSED) >>> 0;
    }
    if (addresses.length > 0) this.hardware.flushTlb();
  }

  /** Valid → not present. Returns the old PTE (with the A/D bits the MMU set). */
  invalidatePte(address: number, replacement: PteValue): PteValue {
    const slot = this.requireSlot(address, 'invalidatePte');
    const old = this.words[slot]!;
    if (!isValidPte(old) || isValidPte(replacement)) {
      throw new KernelPanic(`invalidatePte ${old.toString(16)} → ${replacement.toString(16)} at ${address.toString(16)}`);
    }
    if (isDirtyPte(old)) this.onDirtyBitDropped?.(address, old);
    this.words[slot] = replacement;
    this.hardware.releaseAlias(pageBase(address));
    this.hardware.flushTlbPage(pageBase(address));
    if (address >>> 0 < MM_SYSTEM_RANGE_START) this.residency?.pageInvalidated(pageBase(address));
    return old;
  }

  /** Not-present → not-present (software state changes only). */
  writeInvalidPte(address: number, pte: PteValue): void {
    if (isValidPte(pte)) throw new KernelPanic(`writeInvalidPte with valid PTE at ${address.toString(16)}`);
    if (pte === ZERO_PTE && !this.hasTable(address)) return;
    if (!this.ensureTable(address)) throw new OutOfFramesError();
    // Stryker disable next-line StringLiteral: the table was just ensured, so this requireSlot cannot panic with its name
    const slot = this.requireSlot(address, 'writeInvalidPte');
    if (isValidPte(this.words[slot]!)) throw new KernelPanic(`writeInvalidPte over valid PTE at ${address.toString(16)}`);
    this.words[slot] = pte;
  }

  /** Maps a kernel page (supervisor only) at boot. */
  mapKernelPage(address: number, pfn: Pfn, writable: boolean): void {
    if (!this.ensureTable(address)) throw new OutOfFramesError();
    this.writeValidPte(address, makeValidKernelPte(pfn, writable));
  }

  /** Calls `visit` for every valid PTE below `limit`, in address order. */
  forEachValidPte(limit: number, visit: (address: number, pte: PteValue) => void): void {
    this.forEachPte(0, limit, (pte) => (pte & PTE_VALID) !== 0, visit);
  }

  /** Valid PTEs and transition PTEs (not valid, but still holding a frame). */
  forEachPresentOrTransitionPte(limit: number, visit: (address: number, pte: PteValue) => void): void {
    this.forEachPte(0, limit, (pte) => isValidPte(pte) || isTransitionPte(pte), visit);
  }

  /** Page tables for user space (below 0x80000000): part of the process's working set. */
  userTableCount(): number {
    let count = 0;
    for (let index = 0; index < FIRST_KERNEL_PDE; index++) if (this.tablePfn[index]! >= 0) count++;
    return count;
  }

  /** Page tables in use, the directory included. */
  tableCount(): number {
    return this.tablePfn.reduce((n, pfn) => n + (pfn >= 0 ? 1 : 0), 0);
  }

  /** Page tables of kernel space (shared by every process), the self-map's directory page excluded. */
  kernelTableCount(): number {
    let count = 0;
    // Stryker disable next-line EqualityOperator: `<=` reads tablePfn[1024], undefined, which is not >= 0
    for (let index = FIRST_KERNEL_PDE; index < PTES_PER_TABLE; index++) if (index !== SELF_MAP_PDE_INDEX && this.tablePfn[index]! >= 0) count++;
    return count;
  }

  /** Calls `visit` with each page table's self-map address and frame (the directory's at PDE_BASE among them). */
  forEachTable(visit: (tableAddress: number, pfn: Pfn) => void): void {
    // Stryker disable next-line EqualityOperator: `<=` reads tablePfn[1024], undefined, which is not >= 0
    for (let index = 0; index < PTES_PER_TABLE; index++) {
      const pfn = this.tablePfn[index]!;
      if (pfn >= 0) visit((PTE_BASE + index * PAGE_SIZE) >>> 0, pfn);
    }
  }

  /** The frame of the table covering `address`, undefined when there is none. */
  tableFrameOf(address: number): Pfn | undefined {
    const pfn = this.tablePfn[pdeIndex(address)]!;
    return pfn < 0 ? undefined : pfn;
  }

  /**
   * Process teardown's last step (MmDeleteProcessAddressSpace): frees the
   * user page tables and the directory; the kernel's shared tables stay.
   * Every user PTE must already be invalid (the VADs are gone).
   */
  deleteProcessTables(): void {
    for (let index = 0; index < FIRST_KERNEL_PDE; index++) {
      const pfn = this.tablePfn[index]!;
      if (pfn < 0) continue;
      this.forEachPte(index << 22, (index + 1) * PTES_PER_TABLE * PAGE_SIZE, isValidPte, (address) => {
        throw new KernelPanic(`deleteProcessTables: valid PTE left at ${address.toString(16)}`);
      });
      this.words.fill(0, pfn * PTES_PER_TABLE, (pfn + 1) * PTES_PER_TABLE);
      this.tablePfn[index] = -1;
      this.frames.releaseFrame(pfn);
    }
    this.frames.releaseFrame(this.directoryPfn);
  }

  /** Valid kernel-space PTEs outside the self-map: the kernel's own pages. */
  kernelPageCount(): number {
    let count = 0;
    this.forEachPte(MM_SYSTEM_RANGE_START, 2 ** 32, isValidPte, () => count++);
    return count;
  }

  /** Calls `visit` for every PTE in [from, limit) that `select` accepts (page tables that exist only). */
  forEachPte(from: number, limit: number, select: (pte: PteValue) => boolean, visit: (address: number, pte: PteValue) => void): void {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with limit at most 2^32 the second test ends the loop at index 1024 anyway
    for (let index = pdeIndex(from); index < PTES_PER_TABLE && index * PTES_PER_TABLE * PAGE_SIZE < limit; index++) {
      const table = this.tablePfn[index]!;
      if (table < 0 || index === SELF_MAP_PDE_INDEX) continue;
      for (let entry = 0; entry < PTES_PER_TABLE; entry++) {
        const pte = this.words[table * PTES_PER_TABLE + entry]!;
        if (select(pte)) visit(((index << 22) | (entry << 12)) >>> 0, pte);
      }
    }
  }

  private requireSlot(address: number, operation: string): number {
    const table = this.tablePfn[pdeIndex(address)]!;
    if (table < 0) throw new KernelPanic(`${operation}: no page table for ${address.toString(16)}`);
    return table * PTES_PER_TABLE + pteIndex(address);
  }
}

