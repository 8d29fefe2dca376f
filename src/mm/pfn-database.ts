// The frame (PFN) database: one entry per physical page with its list state
// (MMLISTS numbering), share count and the virtual address of the PTE that
// maps it (PteAddress), plus the zeroed and free page lists. A frame of a
// section belongs to a prototype PTE (PteAddress is the prototype's, the
// PrototypePte flag is set): the share count is the number of views that
// map it, and at zero it stays resident on the standby list (or the
// modified list if it was written) until its section goes away.
import { PAGE_SIZE, type Pfn } from './layout.js';
import { KernelPanic } from './panic.js';

/** MMLISTS values, as in Windows. */
export enum PfnState {
  Zeroed = 0,
  Free = 1,
  Standby = 2,
  Modified = 3,
  Active = 6,
}

export interface FrameCounts { total: number; zeroed: number; free: number; active: number; standby: number; modified: number }

/** Physical memory as the kernel sees it: frame bytes, and a fill for zeroing. */
export interface PhysicalMemory {
  readonly frameCount: number;
  readonly bytes: Uint8Array;
}

export class PfnDatabase {
  readonly frameCount: number;
  private readonly state: Uint8Array;
  private readonly shareCount: Uint16Array;
  private readonly pteAddress: Uint32Array;
  /** The page's exact protection mask (Windows keeps it in the PFN's OriginalPte): hardware PTE bits cannot tell PAGE_EXECUTE_READ from PAGE_READONLY. */
  private readonly protection: Uint8Array;
  /** MMPFNENTRY's PrototypePte and Modified bits. */
  private readonly prototype: Uint8Array;
  private readonly modified: Uint8Array;
  private readonly zeroedList: Int32Array;
  private readonly freeList: Int32Array;
  private zeroedCount = 0;
  private freeCount = 0;

  /** Fresh RAM is all zero, so every frame starts on the zeroed list. */
  constructor(private readonly memory: PhysicalMemory) {
    this.frameCount = memory.frameCount;
    this.state = new Uint8Array(this.frameCount).fill(PfnState.Zeroed);
    this.shareCount = new Uint16Array(this.frameCount);
    this.pteAddress = new Uint32Array(this.frameCount);
    this.protection = new Uint8Array(this.frameCount);
    this.prototype = new Uint8Array(this.frameCount);
    this.modified = new Uint8Array(this.frameCount);
    this.zeroedList = new Int32Array(this.frameCount);
    this.freeList = new Int32Array(this.frameCount);
    // Hand out low frames first: push in reverse so pop yields 0, 1, 2, ...
    for (let pfn = this.frameCount - 1; pfn >= 0; pfn--) this.zeroedList[this.zeroedCount++] = pfn;
  }

  get availablePages(): number { return this.zeroedCount + this.freeCount; }

  /**
   * Takes a zero-filled frame for the PTE at `pteAddress`, or undefined when RAM is exhausted.
   * Prefers the zeroed list; a frame from the free list is zeroed here.
   */
  allocateZeroedFrame(pteAddress: number): Pfn | undefined {
    let pfn: Pfn;
    if (this.zeroedCount > 0) {
      pfn = this.zeroedList[--this.zeroedCount]!;
    } else if (this.freeCount > 0) {
      pfn = this.freeList[--this.freeCount]!;
      this.memory.bytes.fill(0, pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
    } else {
      return undefined;
    }
    this.state[pfn] = PfnState.Active;
    this.shareCount[pfn] = 1;
    this.pteAddress[pfn] = pteAddress >>> 0;
    return pfn;
  }

  /** Takes a frame whose contents the caller overwrites whole; skips zeroing when it can. */
  allocateFrame(pteAddress: number): Pfn | undefined {
    if (this.freeCount === 0) return this.allocateZeroedFrame(pteAddress);
    const pfn = this.freeList[--this.freeCount]!;
    this.state[pfn] = PfnState.Active;
    this.shareCount[pfn] = 1;
    this.pteAddress[pfn] = pteAddress >>> 0;
    return pfn;
  }

  /**
   * Drops one share of an active frame. At zero a private frame goes to the
   * free list; a prototype frame stays resident, on standby or modified.
   */
  releaseFrame(pfn: Pfn): void {
    this.requireActive(pfn, 'releaseFrame');
    if (--this.shareCount[pfn]! > 0) return;
    if (this.prototype[pfn]) {
      this.state[pfn] = this.modified[pfn] ? PfnState.Modified : PfnState.Standby;
      return;
    }
    this.toFreeList(pfn);
  }

  /** One more view maps the frame; a resident prototype frame becomes active again. */
  addShare(pfn: Pfn): void {
    const state = this.state[pfn];
    if (state === PfnState.Standby || state === PfnState.Modified) {
      if (!this.prototype[pfn]) throw new KernelPanic(`addShare: PFN ${pfn} is ${PfnState[state]} but not a prototype frame`);
      this.state[pfn] = PfnState.Active;
    } else {
      this.requireActive(pfn, 'addShare');
    }
    this.shareCount[pfn]!++;
  }

  /** The frame now belongs to the prototype PTE at `prototypePteAddress`. */
  makePrototype(pfn: Pfn, prototypePteAddress: number): void {
    this.requireActive(pfn, 'makePrototype');
    this.prototype[pfn] = 1;
    this.pteAddress[pfn] = prototypePteAddress >>> 0;
  }

  /** The segment's prototype PTEs moved (the segment grew): the frame follows its prototype PTE. */
  movePrototype(pfn: Pfn, prototypePteAddress: number): void {
    if (!this.prototype[pfn]) throw new KernelPanic(`movePrototype: PFN ${pfn} is not a prototype frame`);
    this.pteAddress[pfn] = prototypePteAddress >>> 0;
  }

  /** A section went away: its resident, unmapped frame goes to the free list. */
  releasePrototypeFrame(pfn: Pfn): void {
    if (!this.prototype[pfn] || this.shareCount[pfn] !== 0) throw new KernelPanic(`releasePrototypeFrame: PFN ${pfn} is not an unmapped prototype frame`);
    this.toFreeList(pfn);
  }

  isPrototype(pfn: Pfn): boolean { return this.prototype[pfn] === 1; }
  isModified(pfn: Pfn): boolean { return this.modified[pfn] === 1; }

  /** MMPFNENTRY.Modified: the page differs from its backing store (the file, for a file-backed section). */
  setModified(pfn: Pfn, modified: boolean): void {
    this.modified[pfn] = modified ? 1 : 0;
    if (this.state[pfn] === PfnState.Modified && !modified) this.state[pfn] = PfnState.Standby;
    if (this.state[pfn] === PfnState.Standby && modified) this.state[pfn] = PfnState.Modified;
  }

  private toFreeList(pfn: Pfn): void {
    this.state[pfn] = PfnState.Free;
    this.pteAddress[pfn] = 0;
    this.prototype[pfn] = 0;
    this.modified[pfn] = 0;
    this.freeList[this.freeCount++] = pfn;
  }

  setProtection(pfn: Pfn, mask: number): void { this.protection[pfn] = mask; }
  protectionOf(pfn: Pfn): number { return this.protection[pfn]!; }

  stateOf(pfn: Pfn): PfnState { return this.state[pfn] as PfnState; }
  shareCountOf(pfn: Pfn): number { return this.shareCount[pfn]!; }
  pteAddressOf(pfn: Pfn): number { return this.pteAddress[pfn]!; }

  counts(): FrameCounts {
    let active = 0, standby = 0, modified = 0;
    for (let pfn = 0; pfn < this.frameCount; pfn++) {
      const state = this.state[pfn];
      if (state === PfnState.Active) active++;
      else if (state === PfnState.Standby) standby++;
      else if (state === PfnState.Modified) modified++;
    }
    return { total: this.frameCount, zeroed: this.zeroedCount, free: this.freeCount, active, standby, modified };
  }

  /** Every frame is on exactly the list its state names; throws KernelPanic if not. */
  checkInvariants(): void {
    const seen = new Uint8Array(this.frameCount);
    const walk = (list: Int32Array, count: number, expected: PfnState, name: string): void => {
      for (let i = 0; i < count; i++) {
        const pfn = list[i]!;
        if (seen[pfn]) throw new KernelPanic(`PFN ${pfn} is on two lists`);
        seen[pfn] = 1;
        if (this.state[pfn] !== expected) throw new KernelPanic(`PFN ${pfn} on the ${name} list has state ${this.state[pfn]}`);
      }
    };
    walk(this.zeroedList, this.zeroedCount, PfnState.Zeroed, 'zeroed');
    walk(this.freeList, this.freeCount, PfnState.Free, 'free');
    for (let pfn = 0; pfn < this.frameCount; pfn++) {
      const state = this.state[pfn];
      if (state === PfnState.Active) {
        if (seen[pfn]) throw new KernelPanic(`active PFN ${pfn} is on a free list`);
        if (this.shareCount[pfn] === 0) throw new KernelPanic(`active PFN ${pfn} has share count 0`);
      } else if (state === PfnState.Standby || state === PfnState.Modified) {
        if (seen[pfn] || this.shareCount[pfn] !== 0 || !this.prototype[pfn]) throw new KernelPanic(`${PfnState[state]} PFN ${pfn} is not an unmapped prototype frame`);
        if ((state === PfnState.Modified) !== (this.modified[pfn] === 1)) throw new KernelPanic(`PFN ${pfn}: state ${PfnState[state]} disagrees with its Modified bit`);
      } else if (!seen[pfn]) {
        throw new KernelPanic(`PFN ${pfn} in state ${this.state[pfn]} is on no list`);
      }
    }
  }

  private requireActive(pfn: Pfn, operation: string): void {
    if (pfn < 0 || pfn >= this.frameCount || this.state[pfn] !== PfnState.Active) {
      throw new KernelPanic(`${operation}: PFN ${pfn} is not active (state ${this.state[pfn]})`);
    }
  }
}
