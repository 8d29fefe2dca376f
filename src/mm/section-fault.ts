// Faults in views of sections, through the segment's prototype PTEs:
// a resident page is shared (one more share on its frame), a committed
// page-file-backed page is zero-filled, a file-backed page is read from the
// file (a hard fault), and a write to a copy-on-write page gets a private
// copy that the other views never see.
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, pageBase, pteAddressOf, vpnOf, type Pfn } from './layout.js';
import { isCopyOnWrite, isExecutable, type ProtectionMask } from './protection.js';
import { MM_CODE_CLUSTER_SIZE, MM_DATA_CLUSTER_SIZE, MM_READ_CLUSTER_SIZE } from './memory-thresholds.js';
import { isPageFilePte, isTransitionPte, isValidPte, makeDemandZeroPte, makeValidUserPte, pfnOfPte, softwareProtection, type PteValue } from './pte.js';
import { PfnState } from './pfn-database.js';
import { locationOf, slotOfPageFilePte } from './page-file.js';
import { readOrStatus } from './pagefile-fault.js';
import { isInFilePrototype, writableCounterpart, type ControlArea } from './section.js';
import { prototypeIndexOf } from './section-view.js';
import type { Vad } from './vad.js';

export type SectionResolvedHow = 'section-shared' | 'section-zero' | 'section-file' | 'copy-on-write' | 'demand-zero' | 'transition' | 'pagefile-read';

/** Which prototype PTE a view fault went through, for the trace. */
export interface SectionFaultInfo {
  controlArea: number;
  prototypePte: number;
  /** Hard faults: the file and the offset read. */
  file?: string;
  fileOffset?: number;
  /** section-file: the pages the one read brought in (the faulting page and its neighbours, which went to standby). */
  clusterPages?: number;
  /** Hard faults of a page-file-backed section page: the page file and offset (pages) read. */
  pageFile?: { number: number; offset: number; clusterPages: number };
}

export type SectionFaultResolution =
  | { kind: 'resolved'; how: SectionResolvedHow; pfn: Pfn; pteBefore: PteValue; pteAfter: PteValue; vad: Vad; fileBytes: number; section: SectionFaultInfo }
  | { kind: 'access-violation'; why: 'not-committed'; pteBefore: PteValue; vad: Vad }
  | { kind: 'no-memory'; pteBefore: PteValue; vad: Vad }
  | { kind: 'in-page-error'; ioStatus: number; pteBefore: PteValue; vad: Vad };

/** A not-present view page with protection `protection` (already checked against the access). */
export function resolveSectionFault(space: AddressSpace, address: number, write: boolean, pte: PteValue, vad: Vad, protection: ProtectionMask): SectionFaultResolution {
  const controlArea = vad.view!.controlArea;
  const index = prototypeIndexOf(vad, vpnOf(address));
  const prototype = controlArea.segment.prototypePtes.get(index);
  if (prototype === 0) return { kind: 'access-violation', why: 'not-committed', pteBefore: pte, vad };
  if (!space.pageTables.ensureTable(address)) return { kind: 'no-memory', pteBefore: pte, vad };
  const info: SectionFaultInfo = { controlArea: controlArea.id, prototypePte: controlArea.segment.prototypePteAddress(index) };
  if (write && isCopyOnWrite(protection) && !isValidPte(prototype) && !isTransitionPte(prototype) && !isInFilePrototype(prototype) && !isPageFilePte(prototype)) {
    return privateZeroPage(space, address, pte, vad, protection, info); // .bss: nothing to share, nothing to copy
  }
  let how: SectionResolvedHow = 'section-shared';
  let fileBytes = 0;
  let pfn: Pfn;
  if (isValidPte(prototype)) {
    pfn = pfnOfPte(prototype);
    space.frames.addShare(pfn);
  } else if (isTransitionPte(prototype)) {
    // A frame no view mapped waited on standby or modified: a soft fault, and the prototype PTE is valid again.
    pfn = pfnOfPte(prototype);
    space.frames.addShare(pfn);
    controlArea.segment.prototypePtes.set(index, makeValidUserPte(pfn, protection));
    how = 'transition';
  } else {
    const fresh = isPageFilePte(prototype) ? space.frames.allocateFrame(info.prototypePte) : space.frames.allocateZeroedFrame(info.prototypePte);
    if (fresh === undefined) return { kind: 'no-memory', pteBefore: pte, vad };
    pfn = fresh;
    if (isPageFilePte(prototype)) {
      const ioStatus = readOrStatus(space.pageFile!, slotOfPageFilePte(prototype), space.frameBytes(pfn));
      if (ioStatus !== undefined) {
        space.frames.releaseFrame(pfn);
        return { kind: 'in-page-error', ioStatus, pteBefore: pte, vad };
      }
    }
    space.frames.makePrototype(pfn, info.prototypePte, isPageFilePte(prototype) ? makeDemandZeroPte(softwareProtection(prototype)) : prototype);
    if (isPageFilePte(prototype)) {
      const slot = slotOfPageFilePte(prototype);
      space.frames.recordPageFileCopy(pfn, slot);
      const { fileNumber, offset } = locationOf(slot);
      info.pageFile = { number: fileNumber, offset, clusterPages: 1 };
      how = 'pagefile-read';
    } else if (isInFilePrototype(prototype)) {
      fileBytes = readFromFile(space, controlArea, index, pfn);
      const cluster = readAheadFromFile(space, controlArea, index, prototype);
      fileBytes += cluster.fileBytes;
      Object.assign(info, { file: controlArea.filePointer!.name, fileOffset: index * PAGE_SIZE, clusterPages: 1 + cluster.pages });
      how = 'section-file';
    } else {
      how = 'section-zero';
    }
    controlArea.segment.prototypePtes.set(index, makeValidUserPte(pfn, protection));
  }
  if (write && isCopyOnWrite(protection)) {
    const copied = copyOnWrite(space, address, pte, vad, pfn, protection, info, fileBytes);
    // No frame for the copy: the share taken for this fault goes back, since no PTE maps the page.
    if (copied.kind === 'no-memory') space.frames.releaseFrame(pfn);
    return copied;
  }
  const valid = makeValidUserPte(pfn, protection);
  space.pageTables.writeValidPte(address, valid);
  return { kind: 'resolved', how, pfn, pteBefore: pte, pteAfter: valid, vad, fileBytes, section: info };
}

/** A write to a copy-on-write page whose prototype is demand-zero: the process's own zeroed page. */
function privateZeroPage(space: AddressSpace, address: number, pte: PteValue, vad: Vad, protection: ProtectionMask, info: SectionFaultInfo): SectionFaultResolution {
  const pfn = space.frames.allocateZeroedFrame(pteAddressOf(pageBase(address)));
  if (pfn === undefined) return { kind: 'no-memory', pteBefore: pte, vad };
  const mask = writableCounterpart(protection);
  space.frames.setProtection(pfn, mask);
  const valid = makeValidUserPte(pfn, mask);
  space.pageTables.writeValidPte(address, valid);
  return { kind: 'resolved', how: 'demand-zero', pfn, pteBefore: pte, pteAfter: valid, vad, fileBytes: 0, section: info };
}

function readFromFile(space: AddressSpace, controlArea: ControlArea, index: number, pfn: Pfn): number {
  return controlArea.filePointer!.read(index * PAGE_SIZE, space.frameBytes(pfn));
}

/**
 * Clustered reads of file-backed pages (WRK MiResolveMappedFileFault): the
 * read that brings the faulting page in also brings its neighbours in the
 * segment whose prototype PTEs still say "in the file" with the same
 * protection — after it first, then before — up to MmCodeClusterSize (7)
 * pages in all for an image's executable pages, MmDataClusterSize (3) for
 * its data, MmReadClusterSize (7) for a mapped data file, and no more than
 * the frames available beyond MmPlentyFreePages. The extra pages are
 * resident but in no working set: their frames wait on the standby list,
 * so touching them is a soft fault.
 */
function readAheadFromFile(space: AddressSpace, controlArea: ControlArea, index: number, prototype: PteValue): { pages: number; fileBytes: number } {
  const ptes = controlArea.segment.prototypePtes;
  const spare = Math.max(0, space.frames.availablePages - space.thresholds.plentyFreePages);
  const size = controlArea.image ? (isExecutable(softwareProtection(prototype)) ? MM_CODE_CLUSTER_SIZE : MM_DATA_CLUSTER_SIZE) : MM_READ_CLUSTER_SIZE;
  const limit = Math.min(size, 1 + spare);
  const sameKind = (i: number): boolean => i >= 0 && i < controlArea.segment.pageCount && ptes.get(i) === prototype;
  let first = index, last = index;
  while (last - first + 1 < limit && sameKind(last + 1)) last++;
  while (last - first + 1 < limit && sameKind(first - 1)) first--;
  let pages = 0, fileBytes = 0;
  for (let i = first; i <= last; i++) {
    if (i === index) continue;
    const prototypePte = controlArea.segment.prototypePteAddress(i);
    // Zeroed: the file may end inside the page.
    const pfn = space.frames.allocateZeroedFrame(prototypePte);
    if (pfn === undefined) break;
    fileBytes += readFromFile(space, controlArea, i, pfn);
    space.frames.makePrototype(pfn, prototypePte, prototype);
    ptes.set(i, makeValidUserPte(pfn, softwareProtection(prototype)));
    // No view maps it: the frame goes straight to standby (its one share, the reader's, ends) and its prototype PTE into transition.
    space.frames.releaseFrame(pfn);
    pages++;
  }
  return { pages, fileBytes };
}

/**
 * The first write to a copy-on-write page: a private frame with a copy of
 * the shared one, writable, owned by this PTE; the shared frame loses the
 * share this view held. With no frame for the copy, no-memory, and the
 * share stays (a valid PTE still maps the shared frame).
 */
export function copyOnWrite(
  space: AddressSpace, address: number, pteBefore: PteValue, vad: Vad, sharedPfn: Pfn, protection: ProtectionMask,
  info: SectionFaultInfo, fileBytes = 0,
): SectionFaultResolution {
  const pfn = space.frames.allocateFrame(pteAddressOf(pageBase(address)));
  if (pfn === undefined) return { kind: 'no-memory', pteBefore, vad };
  space.frameBytes(pfn).set(space.frameBytes(sharedPfn));
  const mask = writableCounterpart(protection);
  space.frames.setProtection(pfn, mask);
  const valid = makeValidUserPte(pfn, mask);
  if (isValidPte(space.pageTables.readPte(address))) space.pageTables.invalidatePte(address, 0);
  space.pageTables.writeValidPte(address, valid);
  space.frames.releaseFrame(sharedPfn);
  return { kind: 'resolved', how: 'copy-on-write', pfn, pteBefore, pteAfter: valid, vad, fileBytes, section: info };
}

/** A write to a valid copy-on-write PTE of a view. */
export function resolveCopyOnWriteFault(space: AddressSpace, address: number, pte: PteValue, vad: Vad, protection: ProtectionMask): SectionFaultResolution {
  const index = prototypeIndexOf(vad, vpnOf(address));
  const controlArea = vad.view!.controlArea;
  const info: SectionFaultInfo = { controlArea: controlArea.id, prototypePte: controlArea.segment.prototypePteAddress(index) };
  return copyOnWrite(space, address, pte, vad, pfnOfPte(pte), protection, info);
}
