// When the working-set manager and the modified page writer act, scaled from
// WRK's constants for the machine's size (WRK mminit.c, wsmanage.c).

/** WRK: MmMinimumFreePages = 26 — below this, memory is critically low and working sets are trimmed below their minimum. */
export const MM_MINIMUM_FREE_PAGES = 26;
/** WRK: MmPlentyFreePages = 400 — below this the working-set manager trims. */
export const MM_PLENTY_FREE_PAGES = 400;
/** WRK: MmModifiedPageMaximum for a large system (800): above it the modified page writer runs. */
export const MM_MODIFIED_PAGE_MAXIMUM = 800;
/** WRK: MM_MAXIMUM_WRITE_CLUSTER (MmModifiedWriteClusterSize) on x86: 64 KiB of 4 KiB pages. */
export const MM_MAXIMUM_WRITE_CLUSTER = 16;
/** WRK: MmReadClusterSize = 7 — pages read in one page-file (or mapped data file) I/O when they are there. */
export const MM_READ_CLUSTER_SIZE = 7;
/** WRK: MmCodeClusterSize = 7 (a large system) — pages of an image's executable part read in one I/O. */
export const MM_CODE_CLUSTER_SIZE = 7;
/** WRK: MmDataClusterSize = 3 (a large system) — pages of an image's data read in one I/O. */
export const MM_DATA_CLUSTER_SIZE = 3;
/** Pages the working-set manager trims at least per pass, so a pass (one walk of the list) is not paid per fault. */
export const MINIMUM_TRIM_BATCH = 64;

export interface MemoryThresholds {
  /** Available pages (zeroed + free + standby) below which the working-set manager trims. */
  plentyFreePages: number;
  /** Below this, trimming may go under working-set minimums. */
  minimumFreePages: number;
  /** Modified pages above which the modified page writer writes. */
  modifiedPageMaximum: number;
}

/**
 * The thresholds for `frameCount` frames. WRK's values assume at least
 * 16 MiB; a smaller machine gets them in proportion (a sixteenth, a
 * hundred-and-fiftieth and a fifth of RAM at most).
 */
export function memoryThresholds(frameCount: number): MemoryThresholds {
  return {
    plentyFreePages: Math.max(8, Math.min(MM_PLENTY_FREE_PAGES, Math.floor(frameCount / 16))),
    minimumFreePages: Math.max(2, Math.min(MM_MINIMUM_FREE_PAGES, Math.floor(frameCount / 150))),
    modifiedPageMaximum: Math.max(16, Math.min(MM_MODIFIED_PAGE_MAXIMUM, Math.floor(frameCount / 5))),
  };
}
