// How many user pages may be valid at once, from the host's mapping limit.
//
// Every valid page reaches its frame through a host mapping of the RAM memfd
// (cpu/host-memory.ts), and Linux bounds a process's mappings by
// vm.max_map_count (65,530 by default): past it mmap fails, and so would
// Node's own allocations. Pages at consecutive addresses on consecutive
// frames share one mapping; a page alone takes two at worst (its own, and
// the anonymous filler before the next). So the working set's limit
// (AddressSpace.residentPageLimit) starts at the worst case, a third of
// what the host allows less what it keeps for itself, and when the working
// set reaches it the limit is measured again from the mappings in use: a
// program whose pages merge (a sequential touch) keeps many more pages
// valid, one that scatters them is trimmed ('host-mappings') as before.
// Trimming only releases host mappings (no host call); the next measure
// drops the released and unclaimed speculative ones in one call per run.
import { ERRNO_ENOMEM, HostMemoryError, readMaxMapCount, type GuestSpaceReservation } from '../cpu/host-memory.js';
import type { AddressSpace } from '../mm/address-space.js';
import { MM_SYSTEM_RANGE_START, addressOfVpn, type Pfn } from '../mm/layout.js';
import { MINIMUM_TRIM_BATCH } from '../mm/memory-thresholds.js';
import { pfnOfPte } from '../mm/pte.js';
import { trimWorkingSet } from '../mm/working-set-manager.js';

/** Host mappings left for Node, V8, Unicorn and the libraries: the guest's valid pages get the rest, two mappings each at worst. */
const HOST_MAPPINGS_KEPT_FOR_THE_HOST = 8192;
/** A valid page with no neighbour on the next frame: its own mapping and the anonymous filler after it. */
const MAPPINGS_PER_SCATTERED_PAGE = 2;
/**
 * Host mappings of the guest reservation allowed per page of the worst-case
 * budget before unclaimed speculative and released aliases are dropped:
 * valid pages need at most two each, so this leaves room above them and
 * below vm.max_map_count.
 */
const SPECULATIVE_MAPPING_ALLOWANCE = 2.4;

/**
 * The most guest pages that may be valid at once when every one needs two
 * host mappings; a third of what the host allows (less what it keeps)
 * leaves room for speculative aliases (see HostMappingLimit.aliasFrame).
 */
export function hostMappingBudget(maxMapCount = readMaxMapCount()): number {
  return Math.max(1024, Math.floor((maxMapCount - HOST_MAPPINGS_KEPT_FOR_THE_HOST) / 3));
}

/** The working sets' limit from the host mappings of one guest reservation (shared by every process: only the running one is mapped). */
export class HostMappingLimit {
  /** The worst-case budget in pages (hostMappingBudget), lowered if the host ever refuses a mapping. */
  private worstCasePages: number;

  constructor(private readonly guestSpace: GuestSpaceReservation, maxMapCount = readMaxMapCount()) {
    this.worstCasePages = hostMappingBudget(maxMapCount);
  }

  /** A new working set's limit, before anything is measured (pages). */
  get initialPageLimit(): number { return this.worstCasePages; }

  /**
   * The residentPageLimit for `space`, the running process's address space,
   * from the mappings in use now: first every alias no valid PTE needs is
   * dropped (one host call per run of them), then the mappings left to the
   * guest (two per page of the worst-case budget, less those in use) are
   * shared out at two per new page. Never below the worst-case budget.
   */
  measure(space: AddressSpace): number {
    this.guestSpace.dropSpeculativeAliases();
    const room = Math.floor((this.worstCasePages * MAPPINGS_PER_SCATTERED_PAGE - this.guestSpace.mappingCount) / MAPPINGS_PER_SCATTERED_PAGE);
    return Math.max(this.worstCasePages, space.workingSet.size + room);
  }

  /**
   * Maps a frame under a guest page. When the host refuses (ENOMEM: its
   * mapping limit), the working set is trimmed by an eighth and the budget
   * lowered to match, all user-space aliases are dropped in one call (the
   * speculative ones too, which no working set accounts for) and the pages
   * still valid aliased again (page tables live above 2 GiB, in the self-map,
   * and keep theirs); then the mapping is tried once more.
   */
  aliasFrame(space: AddressSpace | undefined, page: number, pfn: Pfn): void {
    const guestSpace = this.guestSpace;
    try {
      guestSpace.aliasFrame(page, pfn);
      // Speculative and released aliases are not bounded by the working set: drop them before they crowd the host.
      if (guestSpace.mappingCount > this.worstCasePages * SPECULATIVE_MAPPING_ALLOWANCE) guestSpace.dropSpeculativeAliases();
    } catch (error) {
      if (!(error instanceof HostMemoryError) || error.errno !== ERRNO_ENOMEM || !space) throw error;
      trimWorkingSet(space, Math.max(MINIMUM_TRIM_BATCH, space.workingSet.size >> 3), 'host-mappings', 0);
      this.worstCasePages = Math.max(1024, Math.min(this.worstCasePages, space.workingSet.size));
      space.residentPageLimit = Math.max(1024, Math.min(space.residentPageLimit, space.workingSet.size));
      guestSpace.dropRange(0, MM_SYSTEM_RANGE_START);
      for (const vpn of space.workingSet.pages()) {
        const address = addressOfVpn(vpn);
        guestSpace.aliasFrame(address, pfnOfPte(space.pageTables.readPte(address)));
      }
      guestSpace.aliasFrame(page, pfn);
    }
  }
}
