// What the working-set manager, the modified page writer and the frame
// allocator report, for the trace. The kernel turns these into trace events.

/** Why pages left a working set. */
export type TrimReason =
  | 'low-memory'      // available pages below MmPlentyFreePages: the working-set manager, before a fault
  | 'balance-set'     // the balance set manager's periodic pass (every --balance-interval instructions) found memory low
  | 'host-mappings'   // the host's vm.max_map_count budget for valid pages was reached
  | 'hard-maximum'    // QUOTA_LIMITS_HARDWS_MAX_ENABLE: the fault replaced a page
  | 'empty'           // EmptyWorkingSet / SetProcessWorkingSetSize(-1, -1)
  | 'new-maximum';    // SetProcessWorkingSetSize lowered the maximum

export interface TrimReport { pages: number; why: TrimReason; workingSetPages: number; toStandby: number; toModified: number }

/** One write of the modified (or mapped) page writer. */
export interface PageWriteReport {
  pages: number;
  /** Page-file writes: which page file and the offsets (pages) written, in order. */
  pageFile?: { number: number; offsets: number[] };
  /** Page-file writes of process pages: each page's virtual address, in the order of `pageFile.offsets`. */
  virtualAddresses?: number[];
  /** Mapped-file writes: the file and the byte offsets written. */
  file?: { name: string; offsets: number[] };
}

/** The oldest standby page was taken for another use. */
export interface RepurposeReport { pfn: number; pteAddress: number; prototype: boolean; pteAfter: number }

export interface MemoryEventSink {
  trim(report: TrimReport): void;
  pageWrite(report: PageWriteReport): void;
  repurpose(report: RepurposeReport): void;
}
