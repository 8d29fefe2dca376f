// How many more host mappings the guest's memory may take. Every resident
// guest page whose frame does not continue its neighbour's is a mapping of
// its own in the host process, and Linux bounds a process's mappings by
// vm.max_map_count (65,530 by default): past it, mmap fails, and so would
// Node's own allocations. So the kernel stops short of it, keeping
// HEADROOM_MAPPINGS for Node, V8 and libc, and a fault that would need a
// mapping beyond that is answered as the memory manager answers running out
// of a resource (the guest gets STATUS_NO_MEMORY).
//
// Counting the process's mappings means reading /proc/self/maps, so it is
// done rarely: each new alias may add at most two mappings (it splits the
// anonymous reservation around it), and the count is read again only when
// the room measured last time is used up.
import { readFileSync } from 'node:fs';

/** Mappings left for Node, V8 and the C library. */
export const HEADROOM_MAPPINGS = 8192;
const DEFAULT_MAX_MAP_COUNT = 65530;
/** An alias of one page splits the reservation's mapping in at most three: two more mappings. */
const MAPPINGS_PER_ALIAS = 2;

export class HostMappingBudget {
  private aliasesLeft = 0;

  constructor(private readonly maxMapCount = readMaxMapCount(), private readonly countMappings = countProcessMappings) {}

  /** True when one more alias (of a page, or a page and the free pages after it) fits. */
  hasRoom(): boolean {
    if (this.aliasesLeft > 0) return true;
    this.aliasesLeft = Math.floor((this.maxMapCount - HEADROOM_MAPPINGS - this.countMappings()) / MAPPINGS_PER_ALIAS);
    return this.aliasesLeft > 0;
  }

  /** An alias (or an alias dropped, which may split a mapping too) was made. */
  used(): void {
    this.aliasesLeft--;
  }
}

function readMaxMapCount(): number {
  try {
    return Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim()) || DEFAULT_MAX_MAP_COUNT;
  } catch {
    return DEFAULT_MAX_MAP_COUNT;
  }
}

/** The host process's mappings now (lines of /proc/self/maps). */
function countProcessMappings(): number {
  const maps = readFileSync('/proc/self/maps');
  let lines = 0;
  for (let i = 0; i < maps.length; i++) if (maps[i] === 0x0a) lines++;
  return lines;
}
