// The balance set manager's periodic pass (Windows Internals 7th ed., part 1,
// ch. 5, "Balance set manager and swapper" and "Working set manager"; WRK
// wsmanage.c: MmWorkingSetManager, MiComputeSystemTrimCriteria,
// MiProcessWorkingSets). Windows wakes the working-set manager once a second;
// mmscope runs this pass every BALANCE_SET_INTERVAL instructions the guest
// retires, so it comes at the same points in every run of a program.
//
// What one pass does, as MiComputeSystemTrimCriteria decides it:
// - memory is low (available pages at or below MmPlentyFreePages, or a
//   quarter of the available pages were repurposed standby pages since the
//   last pass): trim, the largest working sets first; a working set above its
//   maximum goes down to it, and the others give their oldest pages until
//   available pages would reach the goal (MmPlentyFreePages × 1.5), never
//   below their minimum unless memory is critically low. The modified page
//   writer then turns what was trimmed dirty into available pages;
// - else, with fewer than MM_ENORMOUS_LIMIT available pages: age every
//   working set (Accessed bits cleared with one TLB flush, untouched pages
//   one age older), so the next trim knows which pages went unused longest;
// - else nothing: memory is plentiful.
// In both cases the modified page writer runs when the modified list has
// passed MmModifiedPageMaximum.
import type { AddressSpace } from './address-space.js';
import { writeModifiedPages } from './modified-page-writer.js';
import { ageWorkingSet, trimWorkingSet } from './working-set-manager.js';

/**
 * Instructions between two passes. Windows' period is one second of its
 * clock; mmscope's clock is the host's, which would make runs differ, so the
 * period is counted in retired instructions instead: 10 million, about a
 * hundredth of a second of a 1 GHz processor of Windows XP's time. Small
 * guests then see several passes; `--balance-interval` changes it.
 */
export const BALANCE_SET_INTERVAL = 10_000_000;

/** WRK MM_ENORMOUS_LIMIT (pages): with more available pages than this, working sets are not even aged. */
export const MM_ENORMOUS_LIMIT = 20_000;

export type BalanceSetAction = 'trim' | 'age' | 'none';

/** What one pass did, for the run's statistics. */
export interface BalanceSetPass {
  action: BalanceSetAction;
  /** Pages trimmed from all working sets. */
  trimmed: number;
  /** Pages the modified page writer wrote. */
  written: number;
}

/** The balance set manager's memory between passes (per machine: every process's working set shares the frames). */
export class BalanceSetManager {
  /** Passes so far, by what they did. */
  readonly passes: Record<BalanceSetAction, number> = { trim: 0, age: 0, none: 0 };
  /** The frame allocator's repurposed count at the last pass (MiLastStandbyRePurposed). */
  private lastRepurposed = 0;

  /**
   * One pass over `spaces`, the working sets of every process (they share
   * one PFN database and page file). Returns what it did.
   */
  runPass(spaces: readonly AddressSpace[]): BalanceSetPass {
    const first = spaces[0];
    if (!first) return this.count({ action: 'none', trimmed: 0, written: 0 });
    const frames = first.frames;
    const available = frames.availablePages;
    const repurposed = frames.repurposedCount - this.lastRepurposed;
    this.lastRepurposed = frames.repurposedCount;
    const { plentyFreePages } = first.thresholds;
    let pass: BalanceSetPass;
    if (available <= plentyFreePages || repurposed >= available >> 2) {
      pass = { action: 'trim', trimmed: trimForGoal(spaces), written: 0 };
    } else if (available < MM_ENORMOUS_LIMIT) {
      for (const space of spaces) ageWorkingSet(space);
      pass = { action: 'age', trimmed: 0, written: 0 };
    } else {
      pass = { action: 'none', trimmed: 0, written: 0 };
    }
    pass.written = writeWhatIsDue(first, pass.action === 'trim');
    return this.count(pass);
  }

  private count(pass: BalanceSetPass): BalanceSetPass {
    this.passes[pass.action]++;
    return pass;
  }
}

/** The goal of a trimming pass (WRK: DesiredFreeGoal = MmPlentyFreePages + MmPlentyFreePages / 2). */
export const desiredFreeGoal = (space: AddressSpace): number => space.thresholds.plentyFreePages + (space.thresholds.plentyFreePages >> 1);

/**
 * Trims the largest working sets first (MiRearrangeWorkingSetExpansionList):
 * each above its maximum down to it, then more while available pages (with
 * the modified pages the writer can turn into available ones) stay below
 * the goal. Returns the pages trimmed.
 */
function trimForGoal(spaces: readonly AddressSpace[]): number {
  const first = spaces[0]!;
  const frames = first.frames;
  const goal = desiredFreeGoal(first);
  const critical = frames.availablePages < first.thresholds.minimumFreePages;
  let trimmed = 0;
  for (const space of [...spaces].sort((a, b) => b.workingSet.size - a.workingSet.size)) {
    const ws = space.workingSet;
    const pending = space.pageFile ? frames.modifiedCount : 0;
    const deficit = Math.max(0, goal - frames.availablePages - pending);
    const wanted = Math.max(ws.size - ws.maximumPages, deficit);
    if (wanted <= 0) continue;
    trimmed += trimWorkingSet(space, wanted, 'balance-set', critical && !ws.hardMinimum ? 0 : ws.minimumPages);
  }
  return trimmed;
}

/** The modified page writer's share of the pass: past MmModifiedPageMaximum, or after a trim that left available pages below the goal. */
function writeWhatIsDue(space: AddressSpace, trimmed: boolean): number {
  if (!space.pageFile) return 0;
  const frames = space.frames;
  let written = 0;
  if (frames.modifiedCount >= space.thresholds.modifiedPageMaximum) written += writeModifiedPages(space, frames.modifiedCount - (space.thresholds.modifiedPageMaximum >> 1));
  const goal = desiredFreeGoal(space);
  if (trimmed && frames.availablePages < goal && frames.modifiedCount > 0) written += writeModifiedPages(space, goal - frames.availablePages);
  return written;
}
