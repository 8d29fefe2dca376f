// Views of sections (NtMapViewOfSection, NtUnmapViewOfSection,
// NtFlushVirtualMemory): a view is a VAD with PrivateMemory clear that
// links to its control area; its pages are found through the segment's
// prototype PTEs by the fault handler (section-fault.ts).
import type { AddressSpace } from './address-space.js';
import {
  ALLOCATION_GRANULARITY, PAGE_SIZE, addressOfVpn, vpnOf, type Vpn,
} from './layout.js';
import { isCompatibleProtection, isCopyOnWrite, isWritable, makeProtectionMask, type ProtectionMask } from './protection.js';
import { ZERO_PTE, isDirtyPte, isTransitionPte, isValidPte, makeDemandZeroPte, pfnOfPte, PTE_DIRTY } from './pte.js';
import { deleteControlAreaIfUnused, residentPrototypeFrame, writeModifiedPages, type ControlArea, type SectionObject } from './section.js';
import { VadType, type Vad } from './vad.js';
import { releaseNotPresentPage } from './page-release.js';
import {
  STATUS_COMMITMENT_LIMIT, STATUS_CONFLICTING_ADDRESSES, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_VIEW_SIZE,
  STATUS_IMAGE_NOT_AT_BASE, STATUS_INVALID_PARAMETER_9, STATUS_MAPPED_ALIGNMENT, STATUS_NO_MEMORY, STATUS_NOT_MAPPED_VIEW, STATUS_SECTION_PROTECTION, STATUS_SUCCESS, type NtStatus,
} from '../nt/status.js';

const MEM_TOP_DOWN = 0x100000;
const MEM_RESERVE = 0x2000;

export interface MapViewRequest {
  /** 0: the system chooses. */
  base: number;
  /** Offset into the section, a multiple of 64 KiB. */
  offset: number;
  /** 0: from the offset to the end of the section. */
  viewSize: number;
  allocationType: number;
  /** Win32 PAGE_* value for the view. */
  protect: number;
}

/** A view was made: STATUS_SUCCESS, or STATUS_IMAGE_NOT_AT_BASE for an image mapped away from its preferred base. */
export type MapViewResult = { status: typeof STATUS_SUCCESS | typeof STATUS_IMAGE_NOT_AT_BASE; base: number; size: number; vad: Vad } | { status: NtStatus };

/** Access each section protection allows a view to have (MmCompatibleProtectionMask). */
function compatible(section: ProtectionMask, view: ProtectionMask): boolean {
  const sectionWrites = isWritable(section) && !isCopyOnWrite(section);
  if (isWritable(view) && !isCopyOnWrite(view)) return sectionWrites;
  if (isCopyOnWrite(view)) return isWritable(section);
  return true;
}

/**
 * NtMapViewOfSection once the service's checks passed (MAP_VIEW_CHECKS in
 * section-services.ts): what depends on the section and the address space.
 * The view must lie inside the section counting bytes, not pages (WRK:
 * SectionOffset + ViewSize > SizeOfSection is STATUS_INVALID_VIEW_SIZE).
 */
export function mapViewOfSection(space: AddressSpace, section: SectionObject, request: MapViewRequest): MapViewResult {
  // MEM_RESERVE views exist only for SEC_RESERVE page-file-backed sections.
  if (request.allocationType & MEM_RESERVE && !section.controlArea.reserveOnly) return { status: STATUS_INVALID_PARAMETER_9 };
  if (section.controlArea.image) return mapImageView(space, section, request.base);
  const mask = makeProtectionMask(request.protect);
  if (mask === undefined || (mask & 0x18) !== 0 || mask === 0) return { status: STATUS_INVALID_PAGE_PROTECTION };
  if (!compatible(section.protection, mask)) return { status: STATUS_SECTION_PROTECTION };
  if (request.offset % ALLOCATION_GRANULARITY !== 0 || request.base % ALLOCATION_GRANULARITY !== 0) return { status: STATUS_MAPPED_ALIGNMENT };
  const firstPage = request.offset / PAGE_SIZE;
  if (request.offset >= section.sizeBytes) return { status: STATUS_INVALID_VIEW_SIZE };
  const bytes = request.viewSize || section.sizeBytes - request.offset;
  if (request.offset + bytes > section.sizeBytes) return { status: STATUS_INVALID_VIEW_SIZE };
  const pages = Math.ceil(((request.offset % PAGE_SIZE) + bytes) / PAGE_SIZE);
  const startingVpn = request.base ? vpnOf(request.base) : space.findEmptyAddressRange(pages, (request.allocationType & MEM_TOP_DOWN) !== 0);
  if (startingVpn === undefined) return { status: STATUS_NO_MEMORY };
  const endingVpn = startingVpn + pages - 1;
  const controlArea = section.controlArea;
  // createVad refuses a range outside the VAD region or over another VAD (STATUS_CONFLICTING_ADDRESSES).
  const vad = space.createVad({
    startingVpn, endingVpn, protection: mask, privateMemory: false, memCommit: false,
    view: { controlArea, firstPrototypePte: firstPage, sectionProtection: section.protection },
  });
  if (typeof vad === 'number') return { status: vad };
  // A copy-on-write view may come to own a private copy of every page: Windows charges for them up front.
  if (isCopyOnWrite(mask) && space.chargeCommit(vad, pages) !== STATUS_SUCCESS) {
    space.vads.remove(vad);
    return { status: STATUS_COMMITMENT_LIMIT };
  }
  controlArea.numberOfMappedViews++;
  return { status: STATUS_SUCCESS, base: addressOfVpn(startingVpn), size: pages * PAGE_SIZE, vad };
}

/**
 * Where an image view goes: its preferred base when free; else, for an
 * image with relocations and no base asked for, the first free range (the
 * caller gets STATUS_IMAGE_NOT_AT_BASE and applies the relocations, as
 * Windows' MiMapViewOfImageSection and LdrpMapDll do). An ELF executable
 * or a PE without relocations cannot move.
 */
function imageViewPlacement(space: AddressSpace, controlArea: ControlArea, requested: number): { startingVpn: number; moved: boolean } | NtStatus {
  const pages = controlArea.segment.pageCount;
  const preferred = vpnOf(controlArea.imageBase);
  const free = (vpn: number): boolean => !space.vads.findFirstOverlap(vpn, vpn + pages - 1);
  if (requested === 0 || requested === controlArea.imageBase) {
    if (free(preferred)) return { startingVpn: preferred, moved: false };
    if (requested !== 0 || !controlArea.imageRelocatable) return STATUS_CONFLICTING_ADDRESSES;
    const elsewhere = space.findEmptyAddressRange(pages);
    return elsewhere === undefined ? STATUS_NO_MEMORY : { startingVpn: elsewhere, moved: true };
  }
  if (!controlArea.imageRelocatable) return STATUS_CONFLICTING_ADDRESSES;
  if (requested % ALLOCATION_GRANULARITY !== 0) return STATUS_MAPPED_ALIGNMENT;
  // A base asked for: createVad refuses it when it is taken or runs past the VAD region.
  return { startingVpn: vpnOf(requested), moved: true };
}

/**
 * An image view: the whole image, an image VAD; commit is charged for the
 * copy-on-write pages, each of which may get a private copy.
 */
function mapImageView(space: AddressSpace, section: SectionObject, requested: number): MapViewResult {
  const controlArea = section.controlArea;
  const placement = imageViewPlacement(space, controlArea, requested);
  if (typeof placement === 'number') return { status: placement };
  const startingVpn = placement.startingVpn, endingVpn = startingVpn + controlArea.segment.pageCount - 1;
  const base = addressOfVpn(startingVpn);
  const vad = space.createVad({
    startingVpn, endingVpn, protection: section.protection, privateMemory: false, memCommit: false,
    vadType: VadType.VadImageMap, view: { controlArea, firstPrototypePte: 0 },
  });
  if (typeof vad === 'number') return { status: vad };
  const copyOnWritePages = [...controlArea.segment.pageProtection!].filter((mask) => isCopyOnWrite(mask)).length;
  if (space.chargeCommit(vad, copyOnWritePages) !== STATUS_SUCCESS) {
    space.vads.remove(vad);
    return { status: STATUS_COMMITMENT_LIMIT };
  }
  controlArea.numberOfMappedViews++;
  return { status: placement.moved ? STATUS_IMAGE_NOT_AT_BASE : STATUS_SUCCESS, base, size: controlArea.segment.pageCount * PAGE_SIZE, vad };
}

/** A view page's protection: one a commit or VirtualProtect gave it, else the image page's own, else the view's. */
export function viewPageProtection(vad: Vad, vpn: Vpn): ProtectionMask {
  const view = vad.view!;
  return view.pageProtection?.[vpn - vad.startingVpn] || (view.controlArea.segment.pageProtection?.[prototypeIndexOf(vad, vpn)] ?? vad.protection);
}

/** Gives pages [first, last] of a view their own protection (they keep it until the view goes). */
export function setViewPageProtection(vad: Vad, first: Vpn, last: Vpn, mask: ProtectionMask): void {
  const view = vad.view!;
  view.pageProtection ??= new Uint8Array(vad.pageCount);
  view.pageProtection.fill(mask, first - vad.startingVpn, last - vad.startingVpn + 1);
}

/** NtUnmapViewOfSection: `address` anywhere in the view. */
export function unmapViewOfSection(space: AddressSpace, address: number): NtStatus {
  const vad = space.findVad(address);
  if (!vad?.view) return STATUS_NOT_MAPPED_VIEW;
  for (let vpn = vad.startingVpn; vpn <= vad.endingVpn; vpn++) dropViewPage(space, vad, vpn);
  space.releaseCommit(vad, vad.commitCharge);
  space.vads.remove(vad);
  const controlArea = vad.view.controlArea;
  // The last view of a file-backed section takes the file's dirty pages back to it.
  if (--controlArea.numberOfMappedViews === 0) writeModifiedPages(space, controlArea, 0, controlArea.segment.pageCount);
  deleteControlAreaIfUnused(space, controlArea);
  return STATUS_SUCCESS;
}

/** Takes a view page's PTE down: a shared frame loses a share (keeping what it learned from Dirty), a private copy is freed. */
function dropViewPage(space: AddressSpace, vad: Vad, vpn: Vpn): void {
  const address = addressOfVpn(vpn);
  if (!space.pageTables.hasTable(address)) return;
  const pte = space.pageTables.readPte(address);
  if (isValidPte(pte)) {
    space.pageTables.invalidatePte(address, ZERO_PTE);
    const pfn = pfnOfPte(pte);
    if (space.frames.isPrototype(pfn) && isDirtyPte(pte)) space.frames.setModified(pfn, true);
    space.frames.releaseFrame(pfn);
  } else if (pte !== ZERO_PTE) {
    releaseNotPresentPage(space, pte);
    space.pageTables.writeInvalidPte(address, ZERO_PTE);
  }
}

/** The prototype PTE index a view page maps. */
export const prototypeIndexOf = (vad: Vad, vpn: Vpn): number => vad.view!.firstPrototypePte + (vpn - vad.startingVpn);

/**
 * Moves the Dirty bits of every view's PTEs (in every process) over [first, first + count) of
 * the section into the frames' Modified bits (clearing them in the PTEs),
 * so a flush sees writes made through any view.
 */
function collectDirtyBits(system: AddressSpace, controlArea: ControlArea, first: number, count: number): void {
  // Every process's views: a section is shared across address spaces.
  for (const space of system.system.spaces) collectDirtyBitsOfSpace(space, controlArea, first, count);
}

function collectDirtyBitsOfSpace(space: AddressSpace, controlArea: ControlArea, first: number, count: number): void {
  for (const vad of space.vads.inOrder()) {
    if (vad.view?.controlArea !== controlArea) continue;
    for (let vpn = vad.startingVpn; vpn <= vad.endingVpn; vpn++) {
      const index = prototypeIndexOf(vad, vpn);
      if (index < first || index >= first + count) continue;
      const address = addressOfVpn(vpn);
      if (!space.pageTables.hasTable(address)) continue;
      const pte = space.pageTables.readPte(address);
      if (!isValidPte(pte) || !isDirtyPte(pte) || !space.frames.isPrototype(pfnOfPte(pte))) continue;
      space.frames.setModified(pfnOfPte(pte), true);
      space.pageTables.updateValidPte(address, (pte & ~PTE_DIRTY) >>> 0);
    }
  }
}

/** NtFlushVirtualMemory over a view: writes its modified pages to the file; returns the bytes flushed. */
export function flushViewOfSection(space: AddressSpace, address: number, size: number): { status: NtStatus; region?: { base: number; size: number } } {
  const vad = space.findVad(address);
  if (!vad?.view) return { status: STATUS_NOT_MAPPED_VIEW };
  const firstVpn = vpnOf(address);
  const lastVpn = size === 0 ? vad.endingVpn : Math.min(vad.endingVpn, vpnOf(address + size - 1));
  const first = prototypeIndexOf(vad, firstVpn), count = lastVpn - firstVpn + 1;
  collectDirtyBits(space, vad.view.controlArea, first, count);
  writeModifiedPages(space, vad.view.controlArea, first, count);
  return { status: STATUS_SUCCESS, region: { base: addressOfVpn(firstVpn), size: count * PAGE_SIZE } };
}

/**
 * MEM_COMMIT inside a view of a SEC_RESERVE section: the prototype PTEs
 * become demand-zero with the section's protection, charged to the system,
 * and this view's pages take the protection the commit asked for (other
 * views keep theirs: Wine's test_MapViewOfFile). The protection must be one
 * the section allows (WRK: MiIsPteProtectionCompatible against the
 * segment's template), else STATUS_SECTION_PROTECTION.
 */
export function commitInView(space: AddressSpace, vad: Vad, firstVpn: Vpn, lastVpn: Vpn, protect: number, mask: ProtectionMask): NtStatus {
  const controlArea = vad.view!.controlArea;
  if (!controlArea.reserveOnly) return STATUS_SUCCESS; // every page of the view is committed already
  if (!isCompatibleProtection(vad.view!.sectionProtection ?? vad.protection, protect)) return STATUS_SECTION_PROTECTION;
  const prototypes = controlArea.segment.prototypePtes;
  const sectionMask = vad.view!.sectionProtection ?? vad.protection;
  const fresh: number[] = [];
  for (let vpn = firstVpn; vpn <= lastVpn; vpn++) if (prototypes.get(prototypeIndexOf(vad, vpn)) === 0) fresh.push(prototypeIndexOf(vad, vpn));
  if (fresh.length > 0 && !space.commit.tryCharge(fresh.length)) return STATUS_COMMITMENT_LIMIT;
  // The prototype PTEs' pool pages come now: paged pool may be exhausted (nothing changes then).
  for (let i = 0; i < fresh.length; i++) {
    if (prototypes.trySet(fresh[i]!, makeDemandZeroPte(sectionMask))) continue;
    for (let undo = 0; undo < i; undo++) prototypes.set(fresh[undo]!, 0);
    space.commit.release(fresh.length);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  controlArea.commitPages += fresh.length;
  setViewPageProtection(vad, firstVpn, lastVpn, mask);
  return STATUS_SUCCESS;
}

/** Writes a file-backed section's modified pages among [first, first + count) back to its file. */
export function flushSectionPages(space: AddressSpace, controlArea: ControlArea, first = 0, count = controlArea.segment.pageCount): void {
  collectDirtyBits(space, controlArea, first, count);
  writeModifiedPages(space, controlArea, first, count);
}

/** Writes every modified page of every file-backed section back (the lazy writer, at process exit). */
export function flushAllSections(space: AddressSpace): void {
  for (const controlArea of space.controlAreas) if (controlArea.filePointer) flushSectionPages(space, controlArea);
}

/**
 * The file changed under a section (NtWriteFile): resident pages of the
 * range take the new bytes, so views and file agree, as they do on Windows,
 * where file I/O and views share the same pages.
 */
export function updateResidentPages(space: AddressSpace, controlArea: ControlArea, offset: number, bytes: Uint8Array): void {
  const prototypes = controlArea.segment.prototypePtes;
  for (let page = Math.floor(offset / PAGE_SIZE); page * PAGE_SIZE < offset + bytes.length && page < prototypes.length; page++) {
    const pfn = residentPrototypeFrame(prototypes.get(page));
    if (pfn === undefined) continue;
    const frame = space.frameBytes(pfn);
    const from = Math.max(offset, page * PAGE_SIZE), to = Math.min(offset + bytes.length, (page + 1) * PAGE_SIZE);
    frame.set(bytes.subarray(from - offset, to - offset), from - page * PAGE_SIZE);
  }
}
