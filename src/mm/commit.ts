// System commit: every committed page is charged here first, so memory the
// system promised is never more than RAM plus the page file can hold.
export class CommitLedger {
  private charged = 0;
  private peak = 0;

  /** `limitPages`: physical pages available to processes plus page-file pages. */
  constructor(readonly limitPages: number) {}

  get totalPages(): number { return this.charged; }
  get peakPages(): number { return this.peak; }

  /** Charges `pages`; false (nothing charged) when the limit would be passed. */
  tryCharge(pages: number): boolean {
    if (this.charged + pages > this.limitPages) return false;
    this.charged += pages;
    this.peak = Math.max(this.peak, this.charged);
    return true;
  }

  release(pages: number): void {
    this.charged -= pages;
  }
}
