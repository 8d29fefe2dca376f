// A process's working set: the user pages whose PTEs are valid (Windows
// Internals 7th ed., ch. 5, "Working sets"). Like Windows' working-set list
// (MMWSL/MMWSLE), each entry is a virtual page with an age the working-set
// manager raises on every pass that finds the page's Accessed bit clear
// (WRK's MMWSLENTRY keeps Age in 2 bits: 0-3). Entries are kept in a dense
// array with each page's index, so insertion and removal are O(1).
//
// Limits: minimum 50 and maximum 345 pages by default (PsMinimumWorkingSet,
// PsMaximumWorkingSet; SetProcessWorkingSetSize's documented defaults), soft
// unless QUOTA_LIMITS_HARDWS_MIN_ENABLE / _MAX_ENABLE are set. Pages locked
// with VirtualLock (LockedInWs) and pages the kernel has probed and locked for
// a system call's copy are never trimmed.
import { MM_SYSTEM_RANGE_START, PAGE_SHIFT, type Vpn } from './layout.js';
import { KernelPanic } from './panic.js';

export const DEFAULT_MINIMUM_WORKING_SET = 50;
export const DEFAULT_MAXIMUM_WORKING_SET = 345;
/** MMWSLENTRY.Age is 2 bits wide. */
export const MAXIMUM_AGE = 3;
const USER_PAGES = MM_SYSTEM_RANGE_START >>> PAGE_SHIFT;
const NOT_PRESENT = -1;

export class WorkingSet {
  minimumPages = DEFAULT_MINIMUM_WORKING_SET;
  maximumPages = DEFAULT_MAXIMUM_WORKING_SET;
  /** QUOTA_LIMITS_HARDWS_MIN_ENABLE: never trimmed below the minimum, even when memory is critically low. */
  hardMinimum = false;
  /** QUOTA_LIMITS_HARDWS_MAX_ENABLE: the working set never grows past the maximum; a fault replaces a page instead. */
  hardMaximum = false;
  /** PeakWorkingSetSize, in pages (entries only; see sizePages for the reported size). */
  peakPages = 0;
  /** Pages this process has had trimmed so far. */
  trimmedPages = 0;
  private entries = new Int32Array(1024);
  private ages = new Uint8Array(1024);
  private count = 0;
  private readonly indexOfVpn = new Int32Array(USER_PAGES).fill(NOT_PRESENT);
  /** VirtualLock: the page stays in the working set (MMWSLE LockedInWs). */
  private readonly lockedInWs = new Uint8Array(USER_PAGES);
  private lockedCount = 0;
  /**
   * The last pages a fault made valid: the instruction that faulted has not
   * touched them yet (Accessed is clear), and trimming them would make it
   * fault again at once. The working-set manager leaves them alone.
   */
  private readonly recent = new Int32Array(4).fill(NOT_PRESENT);
  private recentNext = 0;
  /** Pages probed and locked for a system call's copy (MmProbeAndLockPages), by lock depth. */
  private readonly ioLocked = new Map<Vpn, number>();

  get size(): number { return this.count; }
  get lockedPages(): number { return this.lockedCount; }

  has(vpn: Vpn): boolean { return vpn < USER_PAGES && this.indexOfVpn[vpn] !== NOT_PRESENT; }

  /** The page's PTE became valid. */
  insert(vpn: Vpn): void {
    if (this.has(vpn)) throw new KernelPanic(`working set already holds page ${vpn.toString(16)}`);
    if (this.count === this.entries.length) this.grow();
    this.entries[this.count] = vpn;
    this.ages[this.count] = 0;
    this.indexOfVpn[vpn] = this.count++;
    if (this.count > this.peakPages) this.peakPages = this.count;
    this.recent[this.recentNext] = vpn;
    this.recentNext = (this.recentNext + 1) % this.recent.length;
  }

  /** The page's PTE stopped being valid (trimmed, decommitted, unmapped, freed). */
  remove(vpn: Vpn): void {
    const index = this.indexOfVpn[vpn]!;
    if (index === NOT_PRESENT) throw new KernelPanic(`working set does not hold page ${vpn.toString(16)}`);
    const last = --this.count;
    const moved = this.entries[last]!;
    this.entries[index] = moved;
    this.ages[index] = this.ages[last]!;
    this.indexOfVpn[moved] = index;
    this.indexOfVpn[vpn] = NOT_PRESENT;
    if (this.lockedInWs[vpn]) { this.lockedInWs[vpn] = 0; this.lockedCount--; }
  }

  vpnAt(index: number): Vpn { return this.entries[index]!; }
  ageAt(index: number): number { return this.ages[index]!; }
  setAgeAt(index: number, age: number): void { this.ages[index] = age; }

  /** Every page in the working set, in list order (a copy: callers may change the set while walking it). */
  pages(): Vpn[] { return Array.from(this.entries.subarray(0, this.count)); }

  isLocked(vpn: Vpn): boolean { return this.lockedInWs[vpn] === 1; }
  isTrimmable(vpn: Vpn): boolean { return this.lockedInWs[vpn] === 0 && !this.ioLocked.has(vpn); }
  /** One of the last few pages faulted in (see `recent`). */
  isRecent(vpn: Vpn): boolean { return this.recent.includes(vpn); }

  /** VirtualLock on a page already in the working set. */
  lock(vpn: Vpn): void {
    if (!this.has(vpn)) throw new KernelPanic(`lock of page ${vpn.toString(16)}, which is not in the working set`);
    if (!this.lockedInWs[vpn]) { this.lockedInWs[vpn] = 1; this.lockedCount++; }
  }

  /** VirtualUnlock: false if the page was not locked (ERROR_NOT_LOCKED). */
  unlock(vpn: Vpn): boolean {
    if (!this.lockedInWs[vpn]) return false;
    this.lockedInWs[vpn] = 0;
    this.lockedCount--;
    return true;
  }

  lockForIo(vpn: Vpn): void { this.ioLocked.set(vpn, (this.ioLocked.get(vpn) ?? 0) + 1); }
  unlockForIo(vpn: Vpn): void {
    const depth = this.ioLocked.get(vpn) ?? 0;
    if (depth <= 1) this.ioLocked.delete(vpn);
    else this.ioLocked.set(vpn, depth - 1);
  }

  /** Index and entries agree; locked pages are members. */
  checkInvariants(): void {
    let locked = 0;
    for (let i = 0; i < this.count; i++) {
      const vpn = this.entries[i]!;
      if (this.indexOfVpn[vpn] !== i) throw new KernelPanic(`working-set entry ${i} (page ${vpn.toString(16)}) is indexed at ${this.indexOfVpn[vpn]}`);
      if (this.ages[i]! > MAXIMUM_AGE) throw new KernelPanic(`working-set entry ${i} has age ${this.ages[i]}`);
      if (this.lockedInWs[vpn]) locked++;
    }
    if (locked !== this.lockedCount) throw new KernelPanic(`${locked} locked working-set pages but the count says ${this.lockedCount}`);
    if (this.peakPages < this.count) throw new KernelPanic('working-set peak below its size');
  }

  private grow(): void {
    const entries = new Int32Array(this.entries.length * 2);
    entries.set(this.entries);
    const ages = new Uint8Array(this.ages.length * 2);
    ages.set(this.ages);
    this.entries = entries;
    this.ages = ages;
  }
}
