// The working-set manager (the balance set manager's job; Windows Internals
// 7th ed., ch. 5, "Working set manager"; WRK wsmanage.c, wslist.c). It runs at
// deterministic points — before a fault that needs a frame, and in the
// balance set manager's periodic pass (balance-set.ts) — and trims by
// aging: each pass clears the Accessed bit of pages the CPU touched since the
// last pass (flushing their TLB entries so the MMU sets it again) and ages the
// others; the oldest pages leave first. A trimmed private page's PTE becomes
// a transition PTE and its frame goes to the modified list if it was written
// (Dirty, or never written out) or to standby if its page-file copy is
// current; a view page drops its share of the section's frame, the PTE going
// back to the prototype PTE (zero: the VAD decides).
import type { AddressSpace } from './address-space.js';
import { addressOfVpn, type Vpn } from './layout.js';
import type { TrimReason } from './memory-events.js';
import { MINIMUM_TRIM_BATCH } from './memory-thresholds.js';
import { writeModifiedPages } from './modified-page-writer.js';
import { PfnState } from './pfn-database.js';
import { ZERO_PTE, isAccessedPte, isDirtyPte, makeTransitionPte, pfnOfPte } from './pte.js';
import { MAXIMUM_AGE } from './working-set.js';

/**
 * Removes one valid page from the working set. Returns the list its frame
 * went to (Active when another view still maps a shared frame).
 */
export function trimPage(space: AddressSpace, vpn: Vpn): PfnState {
  const address = addressOfVpn(vpn);
  const tables = space.pageTables;
  const pfn = pfnOfPte(tables.readPte(address));
  const frames = space.frames;
  const prototype = frames.isPrototype(pfn);
  const old = tables.invalidatePte(address, prototype ? ZERO_PTE : makeTransitionPte(pfn, frames.protectionOf(pfn)));
  // (PageTables hands the dropped Dirty bit to write watch too.)
  if (isDirtyPte(old)) frames.setModified(pfn, true);
  if (prototype) frames.releaseFrame(pfn);
  else frames.moveToTransitionList(pfn);
  return frames.stateOf(pfn);
}

/**
 * One aging pass over the working set, then up to `wanted` of the oldest
 * trimmable pages removed (never going below `floor` pages). Pages the CPU
 * touched since the last pass are taken only when the older ones are not
 * enough. Returns the number trimmed.
 */
export function trimWorkingSet(space: AddressSpace, wanted: number, why: TrimReason, floor = space.workingSet.minimumPages): number {
  const ws = space.workingSet;
  const budget = Math.min(wanted, ws.size - floor);
  if (budget <= 0) return 0;
  const byAge = agePages(space, why !== 'empty');
  let trimmed = 0, toStandby = 0, toModified = 0;
  for (let age = MAXIMUM_AGE; age >= 0; age--) {
    for (const vpn of byAge[age]!) {
      if (trimmed === budget) break;
      const list = trimPage(space, vpn);
      if (list === PfnState.Standby) toStandby++;
      else if (list === PfnState.Modified) toModified++;
      trimmed++;
    }
  }
  ws.trimmedPages += trimmed;
  if (trimmed > 0) space.events?.trim({ pages: trimmed, why, workingSetPages: ws.size, toStandby, toModified });
  return trimmed;
}

/**
 * One aging pass without trimming (MiAgeWorkingSet, the balance set
 * manager's pass when memory is not low): Accessed bits cleared, untouched
 * pages one age older.
 */
export function ageWorkingSet(space: AddressSpace): void {
  // Stryker disable next-line BooleanLiteral: equivalent — sparing recent pages only shapes the trim candidates, which are dropped here.
  agePages(space, false);
}

/** Clears Accessed bits (one TLB flush for all) and ages untouched pages; returns the trimmable pages by age. */
function agePages(space: AddressSpace, spareRecent: boolean): Vpn[][] {
  const ws = space.workingSet;
  const tables = space.pageTables;
  const byAge: Vpn[][] = Array.from({ length: MAXIMUM_AGE + 1 }, () => []);
  const accessed: number[] = [];
  for (let index = 0; index < ws.size; index++) {
    const vpn = ws.vpnAt(index);
    const address = addressOfVpn(vpn);
    let age: number;
    if (isAccessedPte(tables.readPte(address))) {
      accessed.push(address);
      age = 0;
    } else {
      age = Math.min(MAXIMUM_AGE, ws.ageAt(index) + 1);
    }
    ws.setAgeAt(index, age);
    if (ws.isTrimmable(vpn) && !(spareRecent && ws.isRecent(vpn))) byAge[age]!.push(vpn);
  }
  tables.clearAccessedBits(accessed);
  return byAge;
}

/** EmptyWorkingSet: every page that is not locked leaves the working set. */
export function emptyWorkingSet(space: AddressSpace): number {
  return trimWorkingSet(space, space.workingSet.size, 'empty', 0);
}

/**
 * Before a fault that may need a frame: keep the working set inside the
 * host's mapping budget and its hard maximum, and when available pages are
 * low, trim (processes over their maximum first — here the one process —
 * never below the minimum unless memory is critically low) and let the
 * modified page writer turn modified pages into standby ones.
 */
export function balanceWorkingSets(space: AddressSpace): void {
  const ws = space.workingSet;
  if (ws.size >= space.residentPageLimit && space.measureResidentPageLimit) space.residentPageLimit = space.measureResidentPageLimit();
  if (ws.size >= space.residentPageLimit) {
    // An eighth at a time: each pass walks the whole working set, so it must not come once per fault.
    trimWorkingSet(space, Math.max(MINIMUM_TRIM_BATCH, ws.size >> 3, ws.size - space.residentPageLimit + 1), 'host-mappings', 0);
  }
  if (ws.hardMaximum && ws.size >= ws.maximumPages) trimWorkingSet(space, ws.size - ws.maximumPages + 1, 'hard-maximum', 0);
  const frames = space.frames;
  const { plentyFreePages, minimumFreePages, modifiedPageMaximum } = space.thresholds;
  if (frames.availablePages < plentyFreePages) relieveLowMemory(space);
  // Without a page file only mapped-file pages could be written, and those go back at flush, unmap and exit.
  if (!space.pageFile) return;
  if (frames.modifiedCount >= modifiedPageMaximum) writeModifiedPages(space, frames.modifiedCount - modifiedPageMaximum / 2);
  if (frames.availablePages < minimumFreePages && frames.modifiedCount > 0) writeModifiedPages(space, minimumFreePages);
}

function relieveLowMemory(space: AddressSpace): void {
  const frames = space.frames, ws = space.workingSet;
  const { plentyFreePages, minimumFreePages } = space.thresholds;
  const target = plentyFreePages + Math.max(MINIMUM_TRIM_BATCH, ws.size >> 5);
  const canWrite = space.pageFile !== undefined;
  // Trimming only helps if what it frees can become available: clean pages go to standby at once, dirty ones once written.
  const pending = canWrite ? frames.modifiedCount : 0;
  const deficit = target - frames.availablePages - pending;
  if (deficit > 0 && (canWrite || ws.size > ws.maximumPages)) {
    const critical = frames.availablePages < minimumFreePages && !ws.hardMinimum;
    trimWorkingSet(space, Math.max(deficit, MINIMUM_TRIM_BATCH), 'low-memory', critical ? 0 : ws.minimumPages);
  }
  if (canWrite && frames.availablePages < target) writeModifiedPages(space, target - frames.availablePages);
}
