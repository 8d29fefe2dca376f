// Memory as it moves between lists: the process's working set, the page
// lists and the page file, for --vad, --json and the API; and the memory
// manager's paging reports turned into trace events.
import type { AddressSpace } from '../mm/address-space.js';
import type { MemoryEventSink } from '../mm/memory-events.js';
import type { TraceBus } from '../trace/trace-bus.js';

export interface MemoryView {
  workingSet: {
    /** WorkingSetSize in pages: the working-set list plus the process's page tables. */
    pages: number;
    peakPages: number;
    minimumPages: number;
    maximumPages: number;
    hardMinimum: boolean;
    hardMaximum: boolean;
    /** VirtualLock'ed pages. */
    lockedPages: number;
    /** Pages trimmed so far. */
    trimmedPages: number;
  };
  /** PageFaultCount: every page fault the process took. */
  pageFaults: number;
  /** The page lists, in pages (MMLISTS): what a fault can take without I/O is zeroed + free + standby. */
  lists: { zeroed: number; free: number; standby: number; modified: number; active: number };
  /** Standby pages taken for another use so far. */
  repurposed: number;
  /** The page file: its size, pages in use now and at most, and where it is on the host; null without one. */
  pageFile: { sizePages: number; usedPages: number; peakUsedPages: number; path: string | null } | null;
  /** The most user pages that may be valid at once (the host's vm.max_map_count budget). */
  residentPageLimit: number | null;
}

export function describeMemory(space: AddressSpace): MemoryView {
  const ws = space.workingSet;
  const counts = space.frames.counts();
  const pageFile = space.pageFile;
  return {
    workingSet: {
      pages: space.workingSetPages,
      peakPages: ws.peakPages + space.pageTables.userTableCount(),
      minimumPages: ws.minimumPages,
      maximumPages: ws.maximumPages,
      hardMinimum: ws.hardMinimum,
      hardMaximum: ws.hardMaximum,
      lockedPages: ws.lockedPages,
      trimmedPages: ws.trimmedPages,
    },
    pageFaults: space.pageFaults,
    lists: { zeroed: counts.zeroed, free: counts.free, standby: counts.standby, modified: counts.modified, active: counts.active },
    repurposed: space.frames.repurposedCount,
    pageFile: pageFile ? { sizePages: pageFile.sizePages, usedPages: pageFile.usedPages, peakUsedPages: pageFile.peakUsedPages, path: pageFile.store.path ?? null } : null,
    residentPageLimit: Number.isFinite(space.residentPageLimit) ? space.residentPageLimit : null,
  };
}

/** One line for the text summary under --vad. */
export function formatMemorySummary(view: MemoryView): string {
  const ws = view.workingSet;
  const lists = view.lists;
  const lines = [
    `working set ${ws.pages} pages (peak ${ws.peakPages}, minimum ${ws.minimumPages}, maximum ${ws.maximumPages}${ws.lockedPages ? `, ${ws.lockedPages} locked` : ''}), ${ws.trimmedPages} trimmed`,
    `page lists: zeroed ${lists.zeroed}, free ${lists.free}, standby ${lists.standby}, modified ${lists.modified}, active ${lists.active}; ${view.repurposed} repurposed`,
  ];
  if (view.pageFile) lines.push(`page file: ${view.pageFile.usedPages} of ${view.pageFile.sizePages} pages in use (peak ${view.pageFile.peakUsedPages})`);
  return lines.join('\n');
}

/** The memory manager's paging reports as trace events (built only when someone listens). */
export function memoryEventsToTrace(trace: TraceBus): MemoryEventSink {
  return {
    trim: (report) => { if (trace.active) trace.emit({ type: 'trim', ...report }); },
    pageWrite: (report) => { if (trace.active) trace.emit({ type: 'page-write', ...report }); },
    repurpose: (report) => { if (trace.active) trace.emit({ type: 'repurpose', ...report }); },
  };
}
