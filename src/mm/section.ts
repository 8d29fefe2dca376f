// Sections as Windows keeps them: a section object points at a control area
// (one per file, or per page-file-backed section) that counts the section
// objects and the mapped views; the control area's segment holds one
// prototype PTE per page of the section, which is where a page's frame is
// found whichever view touches it.
//
// Prototype PTE states (the segment's words):
//   0                          not committed (a SEC_RESERVE page)
//   software, Prototype clear  committed, demand-zero, with that protection
//   software, Prototype set    the page is in the file (Windows' subsection PTE)
//   valid                      resident in the frame it names; views share it
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, hex32, type Pfn } from './layout.js';
import { KernelPanic } from './panic.js';
import {
  MM_EXECUTE_READWRITE, MM_EXECUTE_WRITECOPY, MM_NOACCESS, MM_READWRITE, MM_WRITECOPY, makeProtectionMask, type ProtectionMask,
} from './protection.js';
import {
  PTE_PROTOTYPE, isPageFilePte, isTransitionPte, isValidPte, makeDemandZeroPte, makeTransitionPte, pfnOfPte, softwareProtection, type PteValue,
} from './pte.js';
import { POOL_BYTES, type PagedPool } from './paged-pool.js';
import { PrototypePtes } from './prototype-ptes.js';
import { slotOfPageFilePte } from './page-file.js';
import {
  STATUS_COMMITMENT_LIMIT, STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_PARAMETER_4,
  STATUS_SECTION_TOO_BIG, type NtStatus,
} from '../nt/status.js';

export const SEC_IMAGE = 0x01000000;
export const SEC_RESERVE = 0x04000000;
export const SEC_COMMIT = 0x08000000;
export const SEC_NOCACHE = 0x10000000;

/**
 * A file behind a section (the control area's FilePointer). One file has one
 * control area, whichever section maps it: `controlArea` is the file's
 * SectionObjectPointers, so every view of the file shares its pages.
 */
export interface BackingFile {
  readonly name: string;
  controlArea: ControlArea | undefined;
  size(): number;
  /** Reads up to `into.length` bytes at `offset`; returns how many were read. */
  read(offset: number, into: Uint8Array): number;
  write(offset: number, bytes: Uint8Array): void;
  /** The control area let go of the file. */
  release(): void;
}

export class Segment {
  /** Sparse: pool pages only where the section has pages (see prototype-ptes.ts). */
  readonly prototypePtes: PrototypePtes;
  /** An image's pages each have their own protection (code, read-only data, copy-on-write data, gaps). */
  pageProtection: Uint8Array | undefined;

  constructor(pool: PagedPool, public pageCount: number) {
    this.prototypePtes = new PrototypePtes(pool, pageCount);
  }

  /** Where prototype PTE `index` is in paged pool, as PFN entries name it (0: never stored). */
  prototypePteAddress(index: number): number { return this.prototypePtes.addressOf(index); }

  /** A larger section of the same file: more prototype PTEs, `initial` for the new pages; false when paged pool is exhausted. */
  grow(pageCount: number, initial: PteValue): boolean {
    if (pageCount <= this.pageCount) return true;
    const from = this.pageCount;
    this.prototypePtes.length = pageCount;
    for (let index = from; index < pageCount; index++) {
      if (!this.prototypePtes.trySet(index, initial)) {
        for (let undo = from; undo < index; undo++) this.prototypePtes.set(undo, 0);
        this.prototypePtes.length = from;
        return false;
      }
    }
    this.pageCount = pageCount;
    return true;
  }
}

export class ControlArea {
  /** A number to show in dumps and traces (Windows shows the structure's address). */
  readonly id: number;
  numberOfSectionReferences = 0;
  numberOfMappedViews = 0;
  /** Pages of system commit the section holds (page-file-backed committed pages). */
  commitPages = 0;
  /** An image section (SEC_IMAGE): its views are image VADs at the image's base. */
  image = false;
  imageBase = 0;
  /** An image that carries base relocations (PE with .reloc): mappable away from imageBase. */
  imageRelocatable = false;

  constructor(space: AddressSpace, readonly segment: Segment, readonly filePointer: BackingFile | undefined, readonly reserveOnly: boolean) {
    this.id = ++space.controlAreasCreated;
  }
}

/** What a section handle refers to. */
export class SectionObject {
  constructor(
    readonly controlArea: ControlArea,
    readonly sizeBytes: number,
    /** The section's page protection (MM_* mask). */
    readonly protection: ProtectionMask,
    readonly allocationAttributes: number,
    readonly name: string | undefined,
    /** An image's preferred (and, for ELF executables, only) base. */
    readonly imageBase = 0,
  ) {}
}

export interface ImageSectionRequest {
  file: BackingFile;
  imageBase: number;
  /** Per page: MM_NOACCESS for a gap between segments. */
  protections: Uint8Array;
  /** Whether the page has bytes in the file (else it is .bss: demand-zero). */
  hasFileBytes(pageIndex: number): boolean;
  /** A PE image with base relocations: a view may go elsewhere when its base is taken (STATUS_IMAGE_NOT_AT_BASE). */
  relocatable?: boolean;
}

/** Another section object for a live image control area (the same file mapped again). */
export function referenceImageSection(controlArea: ControlArea): SectionObject {
  controlArea.numberOfSectionReferences++;
  return new SectionObject(controlArea, controlArea.segment.pageCount * PAGE_SIZE, MM_EXECUTE_WRITECOPY, SEC_IMAGE, undefined, controlArea.imageBase);
}

/** An image section: prototype PTEs in the file for code and data, demand-zero for .bss, none for gaps. */
export function createImageSection(space: AddressSpace, request: ImageSectionRequest): SectionObject | NtStatus {
  const pages = request.protections.length;
  const segment = newSegment(space, pages);
  if (!segment) return STATUS_INSUFFICIENT_RESOURCES;
  for (let index = 0; index < pages; index++) {
    const mask = request.protections[index]!;
    const prototype = mask === MM_NOACCESS ? 0 : request.hasFileBytes(index) ? inFilePrototype(mask) : makeDemandZeroPte(mask);
    if (!segment.prototypePtes.trySet(index, prototype)) {
      releaseSegment(space, segment);
      return STATUS_INSUFFICIENT_RESOURCES;
    }
  }
  const controlArea = new ControlArea(space, segment, request.file, false);
  controlArea.image = true;
  controlArea.imageBase = request.imageBase;
  controlArea.imageRelocatable = request.relocatable ?? false;
  controlArea.segment.pageProtection = request.protections;
  controlArea.numberOfSectionReferences = 1;
  space.controlAreas.add(controlArea);
  return new SectionObject(controlArea, pages * PAGE_SIZE, MM_EXECUTE_WRITECOPY, SEC_IMAGE, undefined, request.imageBase);
}

export interface CreateSectionRequest {
  sizeBytes: number;
  /** Win32 PAGE_* value. */
  protect: number;
  allocationAttributes: number;
  file?: BackingFile;
  name?: string;
}

const SECTION_PROTECTIONS = new Set([0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80]);

/** The page protections a section may have (no PAGE_NOACCESS, no modifiers). */
export const isSectionProtection = (protect: number): boolean => SECTION_PROTECTIONS.has(protect);
const MAX_SECTION_BYTES = 0x80000000;

/** NtCreateSection for a page-file-backed or data-file section (images come from the loader). */
export function createSection(space: AddressSpace, request: CreateSectionRequest): SectionObject | NtStatus {
  const mask = isSectionProtection(request.protect) ? makeProtectionMask(request.protect) : undefined;
  if (mask === undefined) return STATUS_INVALID_PAGE_PROTECTION;
  const kind = request.allocationAttributes & (SEC_COMMIT | SEC_RESERVE); // the service checked the attributes (CREATE_SECTION_CHECKS)
  if (request.sizeBytes > MAX_SECTION_BYTES) return STATUS_SECTION_TOO_BIG;
  if (!request.file && request.sizeBytes === 0) return STATUS_INVALID_PARAMETER_4;
  const pages = Math.ceil(request.sizeBytes / PAGE_SIZE);
  const initial = request.file ? inFilePrototype(mask) : kind === SEC_COMMIT ? makeDemandZeroPte(mask) : 0;
  const shared = request.file?.controlArea;
  if (shared) {
    if (!shared.segment.grow(pages, initial)) return STATUS_INSUFFICIENT_RESOURCES;
    shared.numberOfSectionReferences++;
    return new SectionObject(shared, request.sizeBytes, mask, request.allocationAttributes, request.name);
  }
  const commitPages = !request.file && kind === SEC_COMMIT ? pages : 0;
  if (!space.commit.tryCharge(commitPages)) return STATUS_COMMITMENT_LIMIT;
  const segment = newSegment(space, pages);
  if (!segment || !segment.prototypePtes.tryFill(initial)) {
    if (segment) releaseSegment(space, segment);
    space.commit.release(commitPages);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  const controlArea = new ControlArea(space, segment, request.file, kind === SEC_RESERVE && !request.file);
  controlArea.commitPages = commitPages;
  if (request.file) request.file.controlArea = controlArea;
  controlArea.numberOfSectionReferences = 1;
  space.controlAreas.add(controlArea);
  return new SectionObject(controlArea, request.sizeBytes, mask, request.allocationAttributes, request.name);
}

/** A segment of `pages` prototype PTEs (none stored yet), its header charged to paged pool; undefined when the pool is exhausted. */
function newSegment(space: AddressSpace, pages: number): Segment | undefined {
  if (!space.pagedPool.tryCharge(POOL_BYTES.controlArea)) return undefined;
  return new Segment(space.pagedPool, pages);
}

/** Gives a segment's prototype PTE pages and its header back to paged pool. */
function releaseSegment(space: AddressSpace, segment: Segment): void {
  segment.prototypePtes.release();
  space.pagedPool.release(POOL_BYTES.controlArea);
}

/** The control area and index of the prototype PTE at `address` (a frame's PteAddress), if a live segment holds it. */
export function findPrototypeOwner(space: AddressSpace, address: number): { controlArea: ControlArea; index: number } | undefined {
  for (const controlArea of space.controlAreas) {
    const index = controlArea.segment.prototypePtes.indexOfAddress(address);
    if (index !== undefined) return { controlArea, index };
  }
  return undefined;
}

/**
 * The frame a prototype PTE names while the page is resident: valid (some
 * view maps it) or transition (no view does; the frame waits on standby or
 * modified). Undefined for a page in its file, the page file or demand-zero.
 */
export const residentPrototypeFrame = (prototype: PteValue): Pfn | undefined =>
  isValidPte(prototype) || isTransitionPte(prototype) ? pfnOfPte(prototype) : undefined;

/**
 * The last view of a prototype frame let it go: its prototype PTE becomes a
 * transition PTE naming the frame, with the segment's protection (the page's
 * OriginalPte), as Windows' MiDecrementShareCount leaves it.
 */
export function makePrototypeTransition(space: AddressSpace, pfn: Pfn, prototypePteAddress: number): void {
  const owner = findPrototypeOwner(space, prototypePteAddress);
  if (!owner) throw new KernelPanic(`PFN ${pfn} names prototype PTE ${hex32(prototypePteAddress)}, which no segment holds`);
  const prototypes = owner.controlArea.segment.prototypePtes;
  if (residentPrototypeFrame(prototypes.get(owner.index)) !== pfn) throw new KernelPanic(`prototype PTE ${hex32(prototypePteAddress)} does not name PFN ${pfn}`);
  prototypes.set(owner.index, makeTransitionPte(pfn, softwareProtection(space.frames.originalPteOf(pfn))));
}

/** A prototype PTE saying "the page is in the file" (Windows' subsection format). */
export const inFilePrototype = (mask: ProtectionMask): PteValue => (makeDemandZeroPte(mask) | PTE_PROTOTYPE) >>> 0;
export const isInFilePrototype = (pte: PteValue): boolean => !isValidPte(pte) && (pte & PTE_PROTOTYPE) !== 0;

/** The protection a copy-on-write page has once it has its own copy. */
export function writableCounterpart(mask: ProtectionMask): ProtectionMask {
  const access = mask & 7;
  if (access === MM_WRITECOPY) return (mask & ~7) | MM_READWRITE;
  if (access === MM_EXECUTE_WRITECOPY) return (mask & ~7) | MM_EXECUTE_READWRITE;
  return mask;
}

/** A section object was closed: the control area loses a reference and may go away. */
export function dereferenceSection(space: AddressSpace, section: SectionObject): void {
  section.controlArea.numberOfSectionReferences--;
  deleteControlAreaIfUnused(space, section.controlArea);
}

/**
 * With no section object and no view left, the section's pages go: dirty
 * pages of a file-backed section are written to the file first, resident
 * frames return to the free list and the commit goes back to the system.
 */
export function deleteControlAreaIfUnused(space: AddressSpace, controlArea: ControlArea): void {
  if (controlArea.numberOfSectionReferences > 0 || controlArea.numberOfMappedViews > 0) return;
  if (!space.controlAreas.has(controlArea)) return;
  writeModifiedPages(space, controlArea, 0, controlArea.segment.pageCount);
  controlArea.segment.prototypePtes.forEachStored((prototype) => {
    const resident = residentPrototypeFrame(prototype);
    if (resident !== undefined) space.frames.releasePrototypeFrame(resident);
    else if (isPageFilePte(prototype)) space.pageFile!.release(slotOfPageFilePte(prototype));
  });
  releaseSegment(space, controlArea.segment);
  space.commit.release(controlArea.commitPages);
  controlArea.commitPages = 0;
  space.controlAreas.delete(controlArea);
  if (controlArea.filePointer) {
    controlArea.filePointer.controlArea = undefined;
    controlArea.filePointer.release();
  }
}

/** Writes the modified resident pages among [first, first + count) back to the section's file. */
export function writeModifiedPages(space: AddressSpace, controlArea: ControlArea, first: number, count: number): number {
  const file = controlArea.filePointer;
  if (!file) return 0;
  let written = 0;
  const size = file.size();
  for (let i = first; i < Math.min(first + count, controlArea.segment.pageCount); i++) {
    const pfn = residentPrototypeFrame(controlArea.segment.prototypePtes.get(i));
    if (pfn === undefined || !space.frames.isModified(pfn)) continue;
    const offset = i * PAGE_SIZE;
    const length = Math.max(0, Math.min(PAGE_SIZE, size - offset));
    if (length > 0) file.write(offset, space.frameBytes(pfn).subarray(0, length));
    space.frames.setModified(pfn, false);
    written++;
  }
  return written;
}
