// The frame (PFN) database: one entry per physical page with its list state
// (MMLISTS numbering), share count and the virtual address of the PTE that
// maps it (PteAddress), plus the page lists (Windows Internals 7th ed., ch. 5,
// "Page frame number database" and "Page list dynamics"):
//   zeroed, free     stacks (no order matters), with each frame's position so
//                    a particular frame can be taken (page colouring)
//   standby, modified  FIFO lists (Flink/Blink): the oldest standby page is
//                    the one repurposed first
// A private page the working-set manager trimmed keeps its frame on standby
// (clean: its page-file copy, if any, is current) or modified (it must be
// written first); a soft fault takes it back. A frame of a section belongs
// to a prototype PTE (PteAddress is the prototype's, PrototypePte is set):
// the share count is the number of views that map it, and at zero it stays
// resident on standby or modified until repurposed or its section goes away.
// The Modified bit says the page differs from its backing store (page file
// or mapped file); a demand-zero page starts modified, as MiInitializePfn
// marks it, since nothing holds a copy.
import { PAGE_SIZE, type Pfn } from './layout.js';
import { KernelPanic } from './panic.js';
import type { PageFile } from './page-file.js';

/** MMLISTS values, as in Windows. */
export enum PfnState {
  Zeroed = 0,
  Free = 1,
  Standby = 2,
  Modified = 3,
  Active = 6,
}

export interface FrameCounts { total: number; zeroed: number; free: number; active: number; standby: number; modified: number }

/**
 * Called when the oldest standby frame is taken for another use: the PTE
 * (or prototype PTE) still naming it must stop doing so. `pteAddress` is
 * the frame's PteAddress; the frame's identity is cleared afterwards.
 */
export type RepurposeHandler = (pfn: Pfn, pteAddress: number, prototype: boolean) => void;

const NO_FRAME = -1;

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
  /** The page's page-file copy (a slot of the page file), 0 if none: the page-file half of OriginalPte. */
  private readonly pageFileSlot: Int32Array;
  /** Prototype frames: what the prototype PTE held before the page was resident (OriginalPte), restored when the frame is repurposed. */
  private readonly originalPte: Uint32Array;
  private readonly zeroedList: Int32Array;
  private readonly freeList: Int32Array;
  /** Index of a frame in the zeroed or free stack. */
  private readonly stackPosition: Int32Array;
  private zeroedCount = 0;
  private freeCount = 0;
  /** u1.Flink / u2.Blink of the standby and modified lists. */
  private readonly flink: Int32Array;
  private readonly blink: Int32Array;
  private readonly listHead = { [PfnState.Standby]: NO_FRAME, [PfnState.Modified]: NO_FRAME };
  private readonly listTail = { [PfnState.Standby]: NO_FRAME, [PfnState.Modified]: NO_FRAME };
  private readonly listCount = { [PfnState.Standby]: 0, [PfnState.Modified]: 0 };
  private activeCount = 0;
  /** The page file whose slots frames hold; set once paging is configured. */
  pageFile: PageFile | undefined;
  /** Fixes the owner's PTE when a standby frame is repurposed; without one, standby frames are never taken. */
  repurposeHandler: RepurposeHandler | undefined;
  /**
   * Told when the last view of a prototype frame let it go (the frame went to
   * standby or modified): the prototype PTE becomes a transition PTE, as
   * MiDecrementShareCount makes it on Windows.
   */
  prototypeUnmapped: ((pfn: Pfn, prototypePteAddress: number) => void) | undefined;
  /** Standby frames taken for another use so far. */
  repurposedCount = 0;

  /** Fresh RAM is all zero, so every frame starts on the zeroed list. */
  constructor(private readonly memory: PhysicalMemory) {
    this.frameCount = memory.frameCount;
    const n = this.frameCount;
    this.state = new Uint8Array(n).fill(PfnState.Zeroed);
    this.shareCount = new Uint16Array(n);
    this.pteAddress = new Uint32Array(n);
    this.protection = new Uint8Array(n);
    this.prototype = new Uint8Array(n);
    this.modified = new Uint8Array(n);
    this.pageFileSlot = new Int32Array(n);
    this.originalPte = new Uint32Array(n);
    this.zeroedList = new Int32Array(n);
    this.freeList = new Int32Array(n);
    this.stackPosition = new Int32Array(n);
    this.flink = new Int32Array(n).fill(NO_FRAME);
    this.blink = new Int32Array(n).fill(NO_FRAME);
    // Hand out low frames first: push in reverse so pop yields 0, 1, 2, ...
    for (let pfn = n - 1; pfn >= 0; pfn--) {
      this.stackPosition[pfn] = this.zeroedCount;
      this.zeroedList[this.zeroedCount++] = pfn;
    }
  }

  /** MmAvailablePages: zeroed + free + standby, the frames a fault can have without writing anything. */
  get availablePages(): number { return this.zeroedCount + this.freeCount + this.listCount[PfnState.Standby]; }
  get standbyCount(): number { return this.listCount[PfnState.Standby]; }
  get modifiedCount(): number { return this.listCount[PfnState.Modified]; }

  /**
   * Takes a zero-filled frame for the PTE at `pteAddress`, or undefined when RAM is exhausted.
   * Prefers the zeroed list, then the free list (zeroed here), then repurposes the oldest
   * standby page. `preferred`, if it is zeroed or free, is taken first (page colouring:
   * frames of consecutive pages next to each other, so host mappings merge).
   */
  allocateZeroedFrame(pteAddress: number, preferred?: Pfn): Pfn | undefined {
    const pfn = this.takeFrame(preferred);
    if (pfn === undefined) return undefined;
    // Stryker disable next-line ConditionalExpression: equivalent — zeroing a frame from the zeroed list again changes no byte (it only costs time).
    if (pfn.dirty) this.memory.bytes.fill(0, pfn.pfn * PAGE_SIZE, (pfn.pfn + 1) * PAGE_SIZE);
    return this.activate(pfn.pfn, pteAddress);
  }

  /** Takes a frame whose contents the caller overwrites whole; skips zeroing when it can. */
  allocateFrame(pteAddress: number, preferred?: Pfn): Pfn | undefined {
    const pfn = this.takeFrame(preferred, true);
    return pfn === undefined ? undefined : this.activate(pfn.pfn, pteAddress);
  }

  private takeFrame(preferred: Pfn | undefined, overwritten = false): { pfn: Pfn; dirty: boolean } | undefined {
    // A typed array reads undefined outside its bounds: a preferred number that is no frame has no state.
    const preferredState = this.state[preferred ?? NO_FRAME];
    if (preferredState === PfnState.Zeroed || preferredState === PfnState.Free) return this.removeFromStack(preferred!);
    if (overwritten && this.freeCount > 0) return this.removeFromStack(this.freeList[this.freeCount - 1]!);
    if (this.zeroedCount > 0) return this.removeFromStack(this.zeroedList[this.zeroedCount - 1]!);
    if (this.freeCount > 0) return this.removeFromStack(this.freeList[this.freeCount - 1]!);
    const oldest = this.listHead[PfnState.Standby];
    if (oldest === NO_FRAME || !this.repurposeHandler) return undefined;
    this.repurpose(oldest);
    return { pfn: oldest, dirty: true };
  }

  /** The oldest standby page leaves its owner, whose PTE falls back to the backing store. */
  private repurpose(pfn: Pfn): void {
    this.unlink(pfn);
    this.repurposeHandler!(pfn, this.pteAddress[pfn]!, this.prototype[pfn] === 1);
    this.repurposedCount++;
    // The page-file copy now belongs to the PTE the handler wrote, not to this frame.
    this.pageFileSlot[pfn] = 0;
    this.clearIdentity(pfn);
  }

  /** Takes a zeroed or free frame off its stack; dirty: it was free (its old contents are still there). */
  private removeFromStack(pfn: Pfn): { pfn: Pfn; dirty: boolean } {
    const dirty = this.state[pfn] === PfnState.Free;
    const stack = dirty ? this.freeList : this.zeroedList;
    const position = this.stackPosition[pfn]!;
    const last = dirty ? --this.freeCount : --this.zeroedCount;
    const moved = stack[last]!;
    stack[position] = moved;
    this.stackPosition[moved] = position;
    return { pfn, dirty };
  }

  private activate(pfn: Pfn, pteAddress: number): Pfn {
    this.state[pfn] = PfnState.Active;
    this.activeCount++;
    this.shareCount[pfn] = 1;
    this.pteAddress[pfn] = pteAddress >>> 0;
    // Nothing holds a copy of a fresh page: it must be written before its frame is reused.
    this.modified[pfn] = 1;
    return pfn;
  }

  /**
   * Drops one share of an active frame. At zero a private frame goes to the
   * free list (its page-file copy is released); a prototype frame stays
   * resident, on standby or modified.
   */
  releaseFrame(pfn: Pfn): void {
    this.requireActive(pfn, 'releaseFrame');
    if (--this.shareCount[pfn]! > 0) return;
    this.activeCount--;
    if (this.prototype[pfn]) {
      this.insertInList(pfn, this.modified[pfn] ? PfnState.Modified : PfnState.Standby);
      this.prototypeUnmapped?.(pfn, this.pteAddress[pfn]!);
      return;
    }
    this.toFreeList(pfn);
  }

  /**
   * A private page left the working set: its only share ends and the frame
   * goes to the tail of the modified list (if Modified) or the standby list,
   * still naming the (now transition) PTE.
   */
  moveToTransitionList(pfn: Pfn): void {
    this.requireActive(pfn, 'moveToTransitionList');
    if (this.prototype[pfn] || this.shareCount[pfn] !== 1) throw new KernelPanic(`moveToTransitionList: PFN ${pfn} is not a private frame with one share`);
    this.shareCount[pfn] = 0;
    this.activeCount--;
    this.insertInList(pfn, this.modified[pfn] ? PfnState.Modified : PfnState.Standby);
  }

  /** A soft fault: a private standby or modified frame becomes active again with one share. */
  reclaimFromList(pfn: Pfn): void {
    this.requireListed(pfn, 'reclaimFromList');
    this.unlink(pfn);
    this.state[pfn] = PfnState.Active;
    this.activeCount++;
    this.shareCount[pfn] = 1;
  }

  /** A trimmed private page was decommitted or released: its standby or modified frame is freed. */
  freeListedFrame(pfn: Pfn): void {
    this.requireListed(pfn, 'freeListedFrame');
    if (this.prototype[pfn]) throw new KernelPanic(`freeListedFrame: PFN ${pfn} is a prototype frame`);
    this.unlink(pfn);
    this.toFreeList(pfn);
  }

  /** One more view maps the frame; a resident prototype frame becomes active again. */
  addShare(pfn: Pfn): void {
    const state = this.state[pfn];
    if (state === PfnState.Standby || state === PfnState.Modified) {
      if (!this.prototype[pfn]) throw new KernelPanic(`addShare: PFN ${pfn} is ${PfnState[state]} but not a prototype frame`);
      this.unlink(pfn);
      this.state[pfn] = PfnState.Active;
      this.activeCount++;
    } else {
      this.requireActive(pfn, 'addShare');
    }
    this.shareCount[pfn]!++;
  }

  /** The frame now belongs to the prototype PTE at `prototypePteAddress`, which held `original` before. */
  makePrototype(pfn: Pfn, prototypePteAddress: number, original = 0): void {
    this.requireActive(pfn, 'makePrototype');
    this.prototype[pfn] = 1;
    this.pteAddress[pfn] = prototypePteAddress >>> 0;
    this.originalPte[pfn] = original >>> 0;
    // A page read from its file, or a demand-zero section page, matches its backing store.
    this.modified[pfn] = 0;
  }

  /** The segment's prototype PTEs moved (the segment grew): the frame follows its prototype PTE. */
  movePrototype(pfn: Pfn, prototypePteAddress: number): void {
    if (!this.prototype[pfn]) throw new KernelPanic(`movePrototype: PFN ${pfn} is not a prototype frame`);
    this.pteAddress[pfn] = prototypePteAddress >>> 0;
  }

  /** A section went away: its resident, unmapped frame goes to the free list. */
  releasePrototypeFrame(pfn: Pfn): void {
    if (!this.prototype[pfn] || this.shareCount[pfn] !== 0) throw new KernelPanic(`releasePrototypeFrame: PFN ${pfn} is not an unmapped prototype frame`);
    this.unlink(pfn);
    this.toFreeList(pfn);
  }

  isPrototype(pfn: Pfn): boolean { return this.prototype[pfn] === 1; }
  isModified(pfn: Pfn): boolean { return this.modified[pfn] === 1; }
  originalPteOf(pfn: Pfn): number { return this.originalPte[pfn]!; }
  setOriginalPte(pfn: Pfn, pte: number): void { this.originalPte[pfn] = pte >>> 0; }

  /**
   * MMPFNENTRY.Modified: the page differs from its backing store. A page
   * that becomes modified loses its page-file copy (it is stale); a frame on
   * a list moves between standby and modified.
   */
  setModified(pfn: Pfn, modified: boolean): void {
    if (modified) this.releasePageFileCopy(pfn);
    // A listed frame's state always agrees with its Modified bit: only a change moves it.
    this.modified[pfn] = modified ? 1 : 0;
    const state = this.state[pfn];
    if (state === PfnState.Modified && !modified) { this.unlink(pfn); this.insertInList(pfn, PfnState.Standby); }
    if (state === PfnState.Standby && modified) { this.unlink(pfn); this.insertInList(pfn, PfnState.Modified); }
  }

  /** The page's current copy in the page file (slot), or 0. */
  pageFileSlotOf(pfn: Pfn): number { return this.pageFileSlot[pfn]!; }

  /** The modified page writer wrote the page to `slot`: it is clean, and a listed frame moves to standby. */
  recordPageFileCopy(pfn: Pfn, slot: number): void {
    this.releasePageFileCopy(pfn);
    this.pageFileSlot[pfn] = slot;
    this.setModified(pfn, false);
  }

  /** Gives the page's page-file copy back (MiReleasePageFileSpace). */
  releasePageFileCopy(pfn: Pfn): void {
    const slot = this.pageFileSlot[pfn]!;
    if (slot === 0) return;
    this.pageFile!.release(slot);
    this.pageFileSlot[pfn] = 0;
  }

  /** Frames on the modified list, oldest first (the modified page writer's queue). */
  modifiedFrames(limit = Infinity): Pfn[] {
    return this.listFrames(PfnState.Modified, limit);
  }

  /** Frames on the standby list, oldest first. */
  standbyFrames(limit = Infinity): Pfn[] {
    return this.listFrames(PfnState.Standby, limit);
  }

  private listFrames(list: PfnState.Standby | PfnState.Modified, limit: number): Pfn[] {
    const out: Pfn[] = [];
    for (let pfn = this.listHead[list]; pfn !== NO_FRAME && out.length < limit; pfn = this.flink[pfn]!) out.push(pfn);
    return out;
  }

  private insertInList(pfn: Pfn, list: PfnState.Standby | PfnState.Modified): void {
    this.state[pfn] = list;
    const tail = this.listTail[list];
    this.blink[pfn] = tail;
    this.flink[pfn] = NO_FRAME;
    if (tail === NO_FRAME) this.listHead[list] = pfn;
    else this.flink[tail] = pfn;
    this.listTail[list] = pfn;
    this.listCount[list]++;
  }

  private unlink(pfn: Pfn): void {
    const list = this.state[pfn] as PfnState.Standby | PfnState.Modified;
    // Stryker disable next-line ConditionalExpression,StringLiteral: a tripwire — every caller checked the frame's list state already.
    if (list !== PfnState.Standby && list !== PfnState.Modified) throw new KernelPanic(`unlink: PFN ${pfn} is not on the standby or modified list`);
    const next = this.flink[pfn]!, previous = this.blink[pfn]!;
    if (previous === NO_FRAME) this.listHead[list] = next;
    else this.flink[previous] = next;
    if (next === NO_FRAME) this.listTail[list] = previous;
    else this.blink[next] = previous;
    this.flink[pfn] = this.blink[pfn] = NO_FRAME;
    this.listCount[list]--;
  }

  private toFreeList(pfn: Pfn): void {
    this.releasePageFileCopy(pfn);
    this.clearIdentity(pfn);
    this.state[pfn] = PfnState.Free;
    this.stackPosition[pfn] = this.freeCount;
    this.freeList[this.freeCount++] = pfn;
  }

  private clearIdentity(pfn: Pfn): void {
    this.shareCount[pfn] = 0;
    this.pteAddress[pfn] = 0;
    this.prototype[pfn] = 0;
    this.modified[pfn] = 0;
    this.originalPte[pfn] = 0;
  }

  setProtection(pfn: Pfn, mask: number): void { this.protection[pfn] = mask; }
  protectionOf(pfn: Pfn): number { return this.protection[pfn]!; }

  stateOf(pfn: Pfn): PfnState { return this.state[pfn] as PfnState; }
  shareCountOf(pfn: Pfn): number { return this.shareCount[pfn]!; }
  pteAddressOf(pfn: Pfn): number { return this.pteAddress[pfn]!; }

  counts(): FrameCounts {
    return {
      total: this.frameCount, zeroed: this.zeroedCount, free: this.freeCount, active: this.activeCount,
      standby: this.listCount[PfnState.Standby], modified: this.listCount[PfnState.Modified],
    };
  }

  /** Every frame is on exactly the list its state names, the lists link both ways, the counts agree; throws KernelPanic if not. */
  checkInvariants(): void {
    const seen = new Uint8Array(this.frameCount);
    const walkStack = (list: Int32Array, count: number, expected: PfnState, name: string): void => {
      for (let i = 0; i < count; i++) {
        const pfn = list[i]!;
        if (seen[pfn]) throw new KernelPanic(`PFN ${pfn} is on two lists`);
        seen[pfn] = 1;
        if (this.state[pfn] !== expected) throw new KernelPanic(`PFN ${pfn} on the ${name} list has state ${this.state[pfn]}`);
        if (this.stackPosition[pfn] !== i) throw new KernelPanic(`PFN ${pfn} on the ${name} list records position ${this.stackPosition[pfn]}, not ${i}`);
        if (this.pageFileSlot[pfn] !== 0) throw new KernelPanic(`${name} PFN ${pfn} still holds page-file slot ${this.pageFileSlot[pfn]}`);
      }
    };
    walkStack(this.zeroedList, this.zeroedCount, PfnState.Zeroed, 'zeroed');
    walkStack(this.freeList, this.freeCount, PfnState.Free, 'free');
    this.checkLinkedList(PfnState.Standby, seen);
    this.checkLinkedList(PfnState.Modified, seen);
    let active = 0;
    for (let pfn = 0; pfn < this.frameCount; pfn++) {
      const state = this.state[pfn];
      const slot = this.pageFileSlot[pfn]!;
      if (slot !== 0 && !this.pageFile?.isAllocated(slot)) throw new KernelPanic(`PFN ${pfn} names page-file slot ${slot}, which is not allocated`);
      if (state === PfnState.Active) {
        active++; // (an active frame on a list was caught by the list walks: its state is not the list's)
        if (this.shareCount[pfn] === 0) throw new KernelPanic(`active PFN ${pfn} has share count 0`);
      } else if (state === PfnState.Standby || state === PfnState.Modified) {
        if (this.shareCount[pfn] !== 0) throw new KernelPanic(`${PfnState[state]} PFN ${pfn} has share count ${this.shareCount[pfn]}`);
        if ((state === PfnState.Modified) !== (this.modified[pfn] === 1)) throw new KernelPanic(`PFN ${pfn}: state ${PfnState[state]} disagrees with its Modified bit`);
        if (state === PfnState.Modified && slot !== 0) throw new KernelPanic(`modified PFN ${pfn} keeps a stale page-file copy (slot ${slot})`);
      } else if (!seen[pfn]) {
        throw new KernelPanic(`PFN ${pfn} in state ${this.state[pfn]} is on no list`);
      }
    }
    if (active !== this.activeCount) throw new KernelPanic(`${active} active frames but the count says ${this.activeCount}`);
  }

  private checkLinkedList(list: PfnState.Standby | PfnState.Modified, seen: Uint8Array): void {
    let count = 0;
    let previous = NO_FRAME;
    for (let pfn = this.listHead[list]; pfn !== NO_FRAME; pfn = this.flink[pfn]!) {
      if (seen[pfn]) throw new KernelPanic(`PFN ${pfn} is on two lists`);
      seen[pfn] = 1;
      if (this.state[pfn] !== list) throw new KernelPanic(`PFN ${pfn} on the ${PfnState[list]} list has state ${this.state[pfn]}`);
      if (this.blink[pfn] !== previous) throw new KernelPanic(`PFN ${pfn} on the ${PfnState[list]} list links back to ${this.blink[pfn]}, not ${previous}`);
      previous = pfn;
      count++;
    }
    if (previous !== this.listTail[list]) throw new KernelPanic(`the ${PfnState[list]} list ends at ${previous} but its tail is ${this.listTail[list]}`);
    if (count !== this.listCount[list]) throw new KernelPanic(`the ${PfnState[list]} list holds ${count} frames but counts ${this.listCount[list]}`);
    for (const [pfn, state] of this.state.entries()) {
      if (state === list && !seen[pfn]) throw new KernelPanic(`${PfnState[list]} PFN ${pfn} is not on its list`);
    }
  }

  private requireActive(pfn: Pfn, operation: string): void {
    if (this.state[pfn] !== PfnState.Active) { // (undefined outside the array: no frame)
      throw new KernelPanic(`${operation}: PFN ${pfn} is not active (state ${this.state[pfn]})`);
    }
  }

  private requireListed(pfn: Pfn, operation: string): void {
    const state = this.state[pfn];
    if (state !== PfnState.Standby && state !== PfnState.Modified) throw new KernelPanic(`${operation}: PFN ${pfn} is not on the standby or modified list (state ${state})`);
  }
}
