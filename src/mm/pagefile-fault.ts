// Hard faults from the page file (Windows Internals 7th ed., ch. 5, "In-paging
// I/O" and "Clustered page faults"). The faulting page is read into a new
// frame; so are its virtual neighbours in the same allocation whose PTEs name
// the following (or preceding) page-file offsets, so that one read of at most
// MmReadClusterSize (7) pages brings in the run around the fault. The extra
// pages go to the standby list with transition PTEs: touching them later is a
// soft fault. Every page read keeps its page-file copy until it is written to.
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, addressOfVpn, pageBase, pteAddressOf, vpnOf, type Pfn, type Vpn } from './layout.js';
import { MM_READ_CLUSTER_SIZE } from './memory-thresholds.js';
import { PagingIoError, locationOf, slotOfPageFilePte, type PageFile } from './page-file.js';
import type { NtStatus } from '../nt/status.js';
import { KernelPanic } from './panic.js';
import type { ProtectionMask } from './protection.js';
import { isPageFilePte, makeTransitionPte, makeValidUserPte, softwareProtection, type PteValue } from './pte.js';
import type { Vad } from './vad.js';
import type { FaultResolution } from './fault-handler.js';

/** A private page (or a view's private copy) whose PTE is a page-file PTE. */
export function resolvePageFileFault(space: AddressSpace, address: number, pte: PteValue, vad: Vad, protection: ProtectionMask): FaultResolution {
  const pageFile = space.pageFile;
  if (!pageFile) throw new KernelPanic(`page-file PTE ${pte.toString(16)} at ${address.toString(16)} without a page file`);
  if (!space.pageTables.ensureTable(address)) return { kind: 'no-memory', pteBefore: pte, vad };
  const pfn = space.frames.allocateFrame(pteAddressOf(pageBase(address)));
  if (pfn === undefined) return { kind: 'no-memory', pteBefore: pte, vad };
  const slot = slotOfPageFilePte(pte);
  const vpn = vpnOf(address);
  const cluster = gatherReadCluster(space, vad, vpn, slot);
  const frames: Pfn[] = [];
  for (const page of cluster.pages) {
    const frame = page === vpn ? pfn : space.frames.allocateFrame(pteAddressOf(addressOfVpn(page)));
    if (frame === undefined) throw new KernelPanic('read cluster frames were counted as available but are not');
    frames.push(frame);
  }
  const bytes = new Uint8Array(cluster.pages.length * PAGE_SIZE);
  const ioStatus = readOrStatus(pageFile, cluster.firstSlot, bytes);
  if (ioStatus !== undefined) {
    // The page stays in the page file; the frames taken for the read go back (MiResolvePageFileFault's failed I/O).
    for (const frame of frames) space.frames.releaseFrame(frame);
    return { kind: 'in-page-error', ioStatus, pteBefore: pte, vad };
  }
  cluster.pages.forEach((page, i) => {
    const frame = frames[i]!;
    space.frameBytes(frame).set(bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
    space.frames.recordPageFileCopy(frame, cluster.firstSlot + i);
    if (page !== vpn) placeOnStandby(space, page, frame);
  });
  space.frames.setProtection(pfn, protection);
  const valid = makeValidUserPte(pfn, protection);
  space.pageTables.writeValidPte(address, valid);
  const { number, offset } = pageFileLocation(slot);
  return {
    kind: 'resolved', how: 'pagefile-read', pfn, pteBefore: pte, pteAfter: valid, vad, fileBytes: 0,
    pageFile: { number, offset, clusterPages: cluster.pages.length },
  };
}

/**
 * Reads page-file pages; a host read error is returned as the I/O's
 * NTSTATUS (the guest gets STATUS_IN_PAGE_ERROR, as Windows raises it for
 * a user page whose in-page I/O failed) instead of thrown.
 */
export function readOrStatus(pageFile: PageFile, slot: number, into: Uint8Array): NtStatus | undefined {
  try {
    pageFile.readPages(slot, into);
    return undefined;
  } catch (error) {
    if (error instanceof PagingIoError) return error.ioStatus;
    throw error;
  }
}

const pageFileLocation = (slot: number): { number: number; offset: number } => {
  const { fileNumber, offset } = locationOf(slot);
  return { number: fileNumber, offset };
};

/**
 * The run of pages around `vpn` (in its VAD and page table) whose PTEs name
 * consecutive page-file slots, at most MmReadClusterSize long and no more
 * than the frames that are available without taking from others' standby pages.
 */
function gatherReadCluster(space: AddressSpace, vad: Vad, vpn: Vpn, slot: number): { pages: Vpn[]; firstSlot: number } {
  const spare = Math.max(0, space.frames.availablePages - space.thresholds.plentyFreePages);
  const limit = Math.min(MM_READ_CLUSTER_SIZE, 1 + spare);
  let first = vpn, last = vpn;
  const follows = (page: Vpn, expectedSlot: number): boolean => {
    if (page < vad.startingVpn || page > vad.endingVpn || page >> 10 !== vpn >> 10) return false;
    const pte = space.pageTables.readPte(addressOfVpn(page));
    return isPageFilePte(pte) && slotOfPageFilePte(pte) === expectedSlot;
  };
  while (last - first + 1 < limit && follows(last + 1, slot + (last + 1 - vpn))) last++;
  while (last - first + 1 < limit && follows(first - 1, slot - (vpn - first + 1))) first--;
  const pages: Vpn[] = [];
  for (let page = first; page <= last; page++) pages.push(page);
  return { pages, firstSlot: slot - (vpn - first) };
}

/** A page read ahead: its PTE becomes a transition PTE and its clean frame waits on the standby list. */
function placeOnStandby(space: AddressSpace, vpn: Vpn, pfn: Pfn): void {
  const address = addressOfVpn(vpn);
  const mask = softwareProtection(space.pageTables.readPte(address));
  space.frames.setProtection(pfn, mask);
  space.pageTables.writeInvalidPte(address, makeTransitionPte(pfn, mask));
  space.frames.moveToTransitionList(pfn);
}
