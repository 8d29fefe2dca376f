// One process's user address space: its VAD tree, page tables, working set
// and the commit it has been charged. What the machine has once (frames,
// commit limit, paged pool, control areas, the paging file) is shared.
import {
  ALLOCATION_GRANULARITY, MM_HIGHEST_VAD_ADDRESS, MM_LOWEST_USER_ADDRESS, PAGE_SIZE, type Pfn, type Vpn, vpnOf,
} from './layout.js';
import type { CommitLedger } from './commit.js';
import { PagedPool, defaultPagedPoolBytes } from './paged-pool.js';
import type { PageTables } from './page-tables.js';
import type { PfnDatabase, PhysicalMemory } from './pfn-database.js';
import { Vad, type VadInit } from './vad.js';
import type { ControlArea } from './section.js';
import { VadTree } from './vad-tree.js';
import { captureWriteWatchDirtyBit } from './write-watch.js';
import { WorkingSet } from './working-set.js';
import type { PageFile } from './page-file.js';
import type { MemoryEventSink } from './memory-events.js';
import { memoryThresholds, type MemoryThresholds } from './memory-thresholds.js';
import { repurposeStandbyFrame } from './repurpose.js';
import { makePrototypeTransition } from './section.js';
import { SystemMemory } from './system-memory.js';
import { isSharedUserDataPage } from './fixed-regions.js';
import { STATUS_COMMITMENT_LIMIT, STATUS_CONFLICTING_ADDRESSES, STATUS_SUCCESS, type NtStatus } from '../nt/status.js';

export class AddressSpace {
  readonly vads = new VadTree();
  /** EPROCESS.CommitCharge, in pages. */
  commitCharge = 0;
  /** EPROCESS.CommitChargePeak, in pages (PeakPagefileUsage). */
  peakCommitCharge = 0;
  /** PageFaultCount: page faults taken for this process, the kernel's on its behalf included. */
  pageFaults = 0;
  /**
   * The thread's stack reservation, whose guard page grows the stack instead
   * of raising STATUS_GUARD_PAGE_VIOLATION (Windows finds it through the TEB).
   */
  userStack: Vad | undefined;
  /** An experiment (MmsExperimentRemoveVad) broke the VAD tree on purpose: the invariant checker will say how. */
  damagedByExperiment = false;
  /** Live VADs with write watch (MEM_WRITE_WATCH): none, and a dropped Dirty bit needs no lookup. */
  writeWatchVads = 0;
  /** The process's working set: every valid user PTE's page. */
  readonly workingSet = new WorkingSet();
  /** Trace sink for the working-set manager, the modified page writer and repurposing. */
  events: MemoryEventSink | undefined;
  /**
   * The most user pages that may be valid at once: every valid page holds a
   * host mapping, and the host allows only vm.max_map_count of them.
   */
  residentPageLimit = Infinity;
  /**
   * Measures residentPageLimit again from the host mappings in use (pages on
   * consecutive frames share one): called when the working set reaches the
   * limit, before trimming for it. Absent: the limit is fixed.
   */
  measureResidentPageLimit: (() => number) | undefined;
  /** When the working-set manager acts, from the machine's size (MmPlentyFreePages and friends). */
  readonly thresholds: MemoryThresholds;

  constructor(
    readonly pageTables: PageTables,
    readonly frames: PfnDatabase,
    readonly memory: PhysicalMemory,
    readonly commit: CommitLedger,
    /** System paged pool (prototype PTEs, control areas, handles); system-wide, like commit. */
    readonly pagedPool = new PagedPool(defaultPagedPoolBytes(memory.bytes.length)),
    /** What every process's address space shares (control areas, the paging file, the list of spaces). */
    readonly system = new SystemMemory(),
  ) {
    system.spaces.add(this);
    pageTables.onDirtyBitDropped = (address, oldPte) => captureWriteWatchDirtyBit(this, address, oldPte);
    this.thresholds = memoryThresholds(frames.frameCount);
    // KUSER_SHARED_DATA's user mapping is a system page, in no process's working set (as on Windows).
    pageTables.residency = {
      pageMadeValid: (address) => { if (!isSharedUserDataPage(address)) this.workingSet.insert(vpnOf(address)); },
      pageInvalidated: (address) => { if (!isSharedUserDataPage(address)) this.workingSet.remove(vpnOf(address)); },
    };
    frames.repurposeHandler = (pfn, pteAddress, prototype) => repurposeStandbyFrame(this, pfn, pteAddress, prototype);
    frames.prototypeUnmapped = (pfn, pteAddress) => makePrototypeTransition(this, pfn, pteAddress);
  }

  /** Configures paging to `pageFile` (the frames' page-file copies live there). */
  attachPageFile(pageFile: PageFile): void {
    this.system.pageFile = pageFile;
    this.frames.pageFile = pageFile;
  }

  /** The paging file, when the machine has one (--pagefile): system-wide. */
  get pageFile(): PageFile | undefined { return this.system.pageFile; }

  /** Control areas alive in the system (sections are system-wide objects). */
  get controlAreas(): Set<ControlArea> { return this.system.controlAreas; }

  /** Control areas ever created, system-wide: numbers them for dumps and traces. */
  get controlAreasCreated(): number { return this.system.controlAreasCreated; }
  set controlAreasCreated(count: number) { this.system.controlAreasCreated = count; }

  /** WorkingSetSize as Windows reports it: the pages in the working-set list plus the process's page tables. */
  get workingSetPages(): number { return this.workingSet.size + this.pageTables.userTableCount(); }

  findVad(address: number): Vad | undefined {
    return this.vads.findByVpn(vpnOf(address));
  }

  /**
   * MiFindEmptyAddressRange: the lowest (or, top-down, highest) free run of
   * `pages` pages on a 64 KiB boundary in the layout's allocation region
   * (USER_SPACE_LAYOUT), ending at or below `highest`.
   */
  findEmptyAddressRange(pages: number, topDown = false, highest = MM_HIGHEST_VAD_ADDRESS): Vpn | undefined {
    const granule = ALLOCATION_GRANULARITY / PAGE_SIZE;
    const low = vpnOf(MM_LOWEST_USER_ADDRESS), high = vpnOf(highest);
    return topDown ? this.vads.findEmptyRangeTopDown(pages, granule, low, high) : this.vads.findEmptyRangeBottomUp(pages, granule, low, high);
  }

  /** The bytes of a frame, as a view (no copy). */
  frameBytes(pfn: Pfn): Uint8Array {
    return this.memory.bytes.subarray(pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
  }

  /**
   * Creates a VAD over a fixed, free range. When `init.memCommit` is set the whole
   * range is committed and charged. Returns the VAD or the NTSTATUS Windows gives.
   */
  createVad(init: VadInit): Vad | NtStatus {
    // The fixed regions of the layout (KUSER_SHARED_DATA, the no-access areas) are never allocated.
    if (init.startingVpn < vpnOf(MM_LOWEST_USER_ADDRESS) || init.endingVpn > vpnOf(MM_HIGHEST_VAD_ADDRESS)) return STATUS_CONFLICTING_ADDRESSES;
    if (this.vads.findFirstOverlap(init.startingVpn, init.endingVpn)) return STATUS_CONFLICTING_ADDRESSES;
    const vad = new Vad(init);
    if (init.memCommit) {
      const status = this.chargeCommit(vad, vad.pageCount);
      if (status !== STATUS_SUCCESS) return status;
    }
    this.vads.insert(vad);
    if (vad.writeWatch) this.writeWatchVads++;
    return vad;
  }

  chargeCommit(vad: Vad, pages: number): NtStatus {
    if (!this.commit.tryCharge(pages)) return STATUS_COMMITMENT_LIMIT;
    vad.commitCharge += pages;
    this.commitCharge += pages;
    this.peakCommitCharge = Math.max(this.peakCommitCharge, this.commitCharge);
    return STATUS_SUCCESS;
  }

  releaseCommit(vad: Vad, pages: number): void {
    this.commit.release(pages);
    vad.commitCharge -= pages;
    this.commitCharge -= pages;
  }

  /** Pages of `vad` that have a frame right now. */
  residentPages(vad: Vad): Vpn[] {
    const resident: Vpn[] = [];
    this.pageTables.forEachValidPte(vad.endAddress, (address) => {
      if (vad.containsVpn(vpnOf(address))) resident.push(vpnOf(address));
    });
    return resident;
  }
}
