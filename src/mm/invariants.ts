// The memory manager's invariant checker: tests call it after operations.
// Every broken invariant throws KernelPanic naming what is wrong.
import { POOL_BYTES, POOL_PAGE_SIZE } from './paged-pool.js';
import type { AddressSpace } from './address-space.js';
import { MM_SYSTEM_RANGE_START, hex32, pteAddressOf, vpnOf } from './layout.js';
import { KernelPanic } from './panic.js';
import { PfnState } from './pfn-database.js';
import { isOwnerPte, isPageFilePte, isTransitionPte, isValidPte, pfnOfPte } from './pte.js';
import { slotOfPageFilePte } from './page-file.js';
import { prototypeIndexOf } from './section-view.js';
import { VadType, type Vad } from './vad.js';
import { pageStateOf } from './page-state.js';
import { checkFixedRegions, isSharedUserDataPage } from './fixed-regions.js';

/**
 * Checks `space` and every other process's address space that shares its
 * system (frames, commit, sections, the paging file): per process its VAD
 * tree, working set, commit and PTEs; over all of them the frame totals,
 * shared frames' share counts (valid PTEs over every process), system commit
 * and page-file slots.
 */
export function checkAddressSpaceInvariants(space: AddressSpace): void {
  const spaces = [...space.system.spaces];
  if (!spaces.includes(space)) spaces.unshift(space);
  space.frames.checkInvariants();
  space.pageFile?.checkInvariants();
  for (const each of spaces) {
    each.vads.checkInvariants();
    each.workingSet.checkInvariants();
    checkProcessCommit(each);
    checkWriteWatch(each);
    checkFixedRegions(each);
  }
  checkSystemCommit(space, spaces);
  checkPagedPool(space);
  checkUserPtes(space, spaces);
  checkPageFileOwners(space, spaces);
}

/** Segments' headers and prototype PTE pages are charged to paged pool, at addresses no two share; the rest is handles. */
function checkPagedPool(space: AddressSpace): void {
  let segments = 0;
  const addresses = new Set<number>();
  for (const controlArea of space.controlAreas) {
    const prototypes = controlArea.segment.prototypePtes;
    segments += POOL_BYTES.controlArea + prototypes.poolPages * POOL_PAGE_SIZE;
    prototypes.forEachStored((_, index) => {
      if (index % (POOL_PAGE_SIZE / 4) !== 0) return;
      const address = prototypes.addressOf(index);
      if (addresses.has(address)) throw new KernelPanic(`two prototype PTE pages at ${hex32(address)} in paged pool`);
      addresses.add(address);
    });
  }
  const rest = space.pagedPool.usedBytes - segments;
  if (rest < 0 || rest % POOL_BYTES.handle !== 0) {
    throw new KernelPanic(`paged pool has ${space.pagedPool.usedBytes} bytes charged but segments account for ${segments} and handles for the rest`);
  }
}

function checkProcessCommit(space: AddressSpace): void {
  let sum = 0;
  for (const vad of space.vads.inOrder()) {
    sum += vad.commitCharge;
    if (!vad.privateMemory) continue;
    let committed = 0;
    for (let vpn = vad.startingVpn; vpn <= vad.endingVpn; vpn++) if (pageStateOf(space, vad, vpn).committed) committed++;
    if (committed !== vad.commitCharge) throw new KernelPanic(`VAD ${hex32(vad.startAddress)} has ${committed} committed pages but is charged ${vad.commitCharge}`);
  }
  if (sum !== space.commitCharge) throw new KernelPanic(`VAD commit sums to ${sum} but the process is charged ${space.commitCharge}`);
}

/** System commit is exactly what the processes and the sections are charged, within the limit. */
function checkSystemCommit(space: AddressSpace, spaces: readonly AddressSpace[]): void {
  let sectionCommit = 0;
  for (const controlArea of space.controlAreas) sectionCommit += controlArea.commitPages;
  // Both directions: a charge nobody owns is a leak, as much as an owner nobody charged.
  const owned = spaces.reduce((n, each) => n + each.commitCharge, 0) + sectionCommit;
  if (space.commit.totalPages < owned) throw new KernelPanic(`process and section commit (${owned} pages) exceed system commit (${space.commit.totalPages})`);
  if (space.commit.totalPages > owned) throw new KernelPanic(`system commit (${space.commit.totalPages} pages) exceeds process and section commit (${owned}): ${space.commit.totalPages - owned} leaked`);
  if (space.commit.totalPages > space.commit.limitPages) throw new KernelPanic('system commit exceeds its limit');
}

/** Write-watch bitmaps: only on private VadWriteWatch VADs, one 0/1 byte per page; views' page protections one per page. */
function checkWriteWatch(space: AddressSpace): void {
  for (const vad of space.vads.inOrder()) {
    const bitmap = vad.writeWatch;
    if ((bitmap !== undefined) !== (vad.vadType === VadType.VadWriteWatch)) throw new KernelPanic(`VAD ${hex32(vad.startAddress)}: write-watch bitmap and VadType ${VadType[vad.vadType]} disagree`);
    const viewProtection = vad.view?.pageProtection;
    if (viewProtection && viewProtection.length !== vad.pageCount) throw new KernelPanic(`view ${hex32(vad.startAddress)}: page protections for ${viewProtection.length} pages of ${vad.pageCount}`);
    if (!bitmap) continue;
    if (!vad.privateMemory || bitmap.length !== vad.pageCount) throw new KernelPanic(`VAD ${hex32(vad.startAddress)}: write-watch bitmap of ${bitmap.length} pages for ${vad.pageCount}`);
    if (bitmap.some((bit) => bit > 1)) throw new KernelPanic(`VAD ${hex32(vad.startAddress)}: write-watch bitmap holds a value other than 0 or 1`);
  }
}

/**
 * Each valid or transition user PTE lies in a VAD and names a frame: a valid
 * PTE an active frame, in the working set; a transition PTE an active frame
 * (a no-access or guard page) or a frame on the standby or modified list (a
 * trimmed page). A private frame points back at that PTE; a section's frame
 * points at the prototype PTE the view maps, and its share count is the
 * number of PTEs mapping it. No frame is left without an owner, and the
 * working set holds exactly the valid pages, within the host-mapping budget.
 */
function checkUserPtes(system: AddressSpace, spaces: readonly AddressSpace[]): void {
  const shares = new Map<number, number>();
  let privateFrames = 0, processTables = 0;
  for (const space of spaces) {
    privateFrames += checkProcessPtes(space, shares);
    processTables += space.pageTables.userTableCount() + 1;
  }
  const sectionFrames = checkSegments(system, shares);
  // The kernel's page tables and pages are shared by every process: count them once.
  const kernelFrames = processTables + system.pageTables.kernelTableCount() + system.pageTables.kernelPageCount();
  const counts = system.frames.counts();
  const inUse = counts.active + counts.standby + counts.modified;
  if (inUse !== privateFrames + sectionFrames + kernelFrames) {
    throw new KernelPanic(`${inUse} frames in use but ${privateFrames} private pages, ${sectionFrames} section pages and ${kernelFrames} kernel pages and tables: a frame leaked`);
  }
}

/** One process's user PTEs (see checkUserPtes); adds its shares of section frames to `shares` and returns its private frames. */
function checkProcessPtes(space: AddressSpace, shares: Map<number, number>): number {
  let privateFrames = 0;
  let validPages = 0;
  const strays: string[] = [];
  space.pageTables.forEachPresentOrTransitionPte(MM_SYSTEM_RANGE_START, (address, pte) => {
    if (isSharedUserDataPage(address)) return; // a kernel frame, counted with the kernel's pages (checkFixedRegions)
    const transition = isTransitionPte(pte);
    if (!transition && !isOwnerPte(pte)) throw new KernelPanic(`user PTE for ${hex32(address)} lacks the Owner bit`);
    const vad = space.vads.findByVpn(vpnOf(address));
    const pfn = pfnOfPte(pte);
    const state = space.frames.stateOf(pfn);
    if (!transition) {
      validPages++;
      if (!space.workingSet.has(vpnOf(address))) throw new KernelPanic(`valid PTE for ${hex32(address)} is not in the working set`);
    }
    if (!vad) {
      strays.push(`PFN ${pfn.toString(16)} at ${hex32(address)} (PTE ${hex32(pteAddressOf(address))} = ${hex32(pte)})`);
      return;
    }
    if (state !== PfnState.Active && !(transition && (state === PfnState.Standby || state === PfnState.Modified))) {
      throw new KernelPanic(`${transition ? 'transition' : 'valid'} PTE for ${hex32(address)} names PFN ${pfn} in state ${PfnState[state]}`);
    }
    if (space.frames.isPrototype(pfn)) {
      if (transition) throw new KernelPanic(`transition PTE for ${hex32(address)} names section frame ${pfn}`);
      checkSharedPage(space, vad, address, pfn);
      shares.set(pfn, (shares.get(pfn) ?? 0) + 1);
      return;
    }
    privateFrames++;
    if (space.frames.pteAddressOf(pfn) !== pteAddressOf(address)) {
      throw new KernelPanic(`PFN ${pfn} points at PTE ${hex32(space.frames.pteAddressOf(pfn))}, mapped by ${hex32(pteAddressOf(address))}`);
    }
  });
  if (strays.length) throw new KernelPanic(`frames active with no VAD (valid PTEs outside every VAD): ${strays.join(', ')}`);
  if (validPages !== space.workingSet.size) throw new KernelPanic(`${validPages} valid user PTEs but the working set holds ${space.workingSet.size} pages`);
  if (space.workingSet.size > space.residentPageLimit) throw new KernelPanic(`working set of ${space.workingSet.size} pages exceeds the host-mapping budget of ${space.residentPageLimit}`);
  return privateFrames;
}

/**
 * Every allocated page-file slot has exactly one owner — a page-file PTE, a
 * page-file prototype PTE, or a resident frame's page-file copy — and every
 * page-file PTE names an allocated slot.
 */
function checkPageFileOwners(space: AddressSpace, spaces: readonly AddressSpace[]): void {
  const pageFile = space.pageFile;
  const owners = new Map<number, string>();
  const claim = (slot: number, owner: string): void => {
    if (!pageFile?.isAllocated(slot)) throw new KernelPanic(`${owner} names page-file slot ${slot}, which is not allocated`);
    const previous = owners.get(slot);
    if (previous) throw new KernelPanic(`page-file slot ${slot} is owned by both ${previous} and ${owner}`);
    owners.set(slot, owner);
  };
  for (const each of spaces) {
    each.pageTables.forEachPte(0, MM_SYSTEM_RANGE_START, isPageFilePte, (address, pte) => {
      if (!each.vads.findByVpn(vpnOf(address))) throw new KernelPanic(`page-file PTE for ${hex32(address)} outside every VAD`);
      claim(slotOfPageFilePte(pte), `the PTE of ${hex32(address)}${spaces.length > 1 ? ` in address space ${spaces.indexOf(each)}` : ''}`);
    });
  }
  for (const controlArea of space.controlAreas) {
    controlArea.segment.prototypePtes.forEachStored((prototype, index) => {
      if (isPageFilePte(prototype)) claim(slotOfPageFilePte(prototype), `prototype PTE ${index} of control area ${controlArea.id}`);
    });
  }
  for (let pfn = 0; pfn < space.frames.frameCount; pfn++) {
    const slot = space.frames.pageFileSlotOf(pfn);
    if (slot !== 0) claim(slot, `PFN ${pfn}`);
  }
  if (pageFile && owners.size !== pageFile.usedPages) throw new KernelPanic(`${pageFile.usedPages} page-file slots allocated but ${owners.size} owned`);
}

function checkSharedPage(space: AddressSpace, vad: Vad, address: number, pfn: number): void {
  if (!vad.view) throw new KernelPanic(`${hex32(address)} maps section frame ${pfn} outside a view`);
  const index = prototypeIndexOf(vad, vpnOf(address));
  const prototypeAddress = vad.view.controlArea.segment.prototypePteAddress(index);
  if (space.frames.pteAddressOf(pfn) !== prototypeAddress) {
    throw new KernelPanic(`${hex32(address)} maps PFN ${pfn}, which belongs to prototype PTE ${hex32(space.frames.pteAddressOf(pfn))}, not ${hex32(prototypeAddress)}`);
  }
}

/**
 * Each resident prototype PTE owns its frame, whose share count is the
 * number of PTEs mapping it: a valid prototype PTE's frame is active and
 * mapped by at least one view, a transition one's is on standby or modified
 * and mapped by none (Windows' prototype PTE in transition). Returns the
 * resident pages.
 */
function checkSegments(space: AddressSpace, shares: Map<number, number>): number {
  let resident = 0;
  for (const controlArea of space.controlAreas) {
    const segment = controlArea.segment;
    segment.prototypePtes.forEachStored((prototype, index) => {
      if (!isValidPte(prototype) && !isTransitionPte(prototype)) return;
      resident++;
      const pfn = pfnOfPte(prototype);
      const address = hex32(segment.prototypePteAddress(index));
      if (!space.frames.isPrototype(pfn) || space.frames.pteAddressOf(pfn) !== segment.prototypePteAddress(index)) {
        throw new KernelPanic(`prototype PTE ${address} names PFN ${pfn}, which does not point back at it`);
      }
      if (space.frames.shareCountOf(pfn) !== (shares.get(pfn) ?? 0)) {
        throw new KernelPanic(`PFN ${pfn} has share count ${space.frames.shareCountOf(pfn)} but ${shares.get(pfn) ?? 0} PTEs map it`);
      }
      const state = space.frames.stateOf(pfn);
      const listed = state === PfnState.Standby || state === PfnState.Modified;
      if (isValidPte(prototype) ? state !== PfnState.Active || space.frames.shareCountOf(pfn) === 0 : !listed) {
        throw new KernelPanic(`${isValidPte(prototype) ? 'valid' : 'transition'} prototype PTE ${address} names PFN ${pfn} in state ${PfnState[state]} with share count ${space.frames.shareCountOf(pfn)}`);
      }
    });
    if (controlArea.numberOfSectionReferences === 0 && controlArea.numberOfMappedViews === 0) {
      throw new KernelPanic(`control area ${controlArea.id} has no references and no views but was not deleted`);
    }
  }
  return resident;
}
