// How many more host mappings the guest's memory may take. Every resident
// guest page whose frame does not continue its neighbour's is a mapping of
// its own in the host process, and Linux bounds a process's mappings by
// vm.max_map_count (65,530 by default): past it, mmap fails, and so would
// Node's own allocations. So the kernel stops short of it, keeping
// HEADROOM_MAPPINGS for Node, V8 and libc, and a fault that would need a
// mapping beyond that is answered as the memory manager answers running out
// of a resource (the guest gets STATUS_NO_MEMORY).
//
// The reservation knows its own mappings exactly (GuestSpaceReservation
// keeps the count as aliases change); the rest of the process's mappings
// (Node, V8, the libraries) are counted from /proc/self/maps, which is slow
// to read when the guest has split the reservation into tens of thousands
// of mappings (milliseconds per read). So that count is taken again only
// when the room it leaves falls below REMEASURE_BELOW mappings; the
// headroom covers what Node maps in between.
import { readFileSync } from 'node:fs';

/** Mappings left for Node, V8 and the C library. */
export const HEADROOM_MAPPINGS = 8192;
const DEFAULT_MAX_MAP_COUNT = 65530;
/** An alias of one page splits the reservation's mapping in at most three: two more mappings. */
const MAPPINGS_PER_ALIAS = 2;
/** Below this much room by the last count, the process's mappings are counted again. */
const REMEASURE_BELOW = 1024;

export class HostMappingBudget {
  /** The process's mappings outside the reservation when last counted; undefined before the first count. */
  private otherMappings: number | undefined;

  /** `reservationMappings` is the reservation's own mappings now. */
  constructor(
    private readonly reservationMappings: () => number,
    private readonly maxMapCount = readMaxMapCount(),
    private readonly countMappings = countProcessMappings,
  ) {}

  /** True when one more alias (of a page, or a page and the free pages after it) fits. */
  hasRoom(): boolean {
    if (this.otherMappings === undefined || this.room() < REMEASURE_BELOW) this.otherMappings = this.countMappings() - this.reservationMappings();
    return this.room() >= MAPPINGS_PER_ALIAS;
  }

  private room(): number {
    return this.maxMapCount - HEADROOM_MAPPINGS - this.otherMappings! - this.reservationMappings();
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
