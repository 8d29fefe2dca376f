// The modified page writer and the mapped page writer (Windows Internals 7th
// ed., ch. 5, "Modified page writer and mapped page writer"; WRK modwrite.c).
// Pages leave the modified list oldest first. A private page (or a
// page-file-backed section page) is written to the page file together with
// its virtual neighbours that are also on the modified list, up to
// MM_MAXIMUM_WRITE_CLUSTER (16) pages in consecutive page-file slots and one
// write; a page of a mapped file goes back to its own file, never to the page
// file. Written pages are clean and move to the standby list.
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, addressOfVpn, hex32, pteAddressOf, virtualAddressOfPte, vpnOf, type Pfn, type Vpn } from './layout.js';
import { MM_MAXIMUM_WRITE_CLUSTER } from './memory-thresholds.js';
import { locationOf } from './page-file.js';
import { KernelPanic } from './panic.js';
import { PfnState } from './pfn-database.js';
import { isTransitionPte, pfnOfPte } from './pte.js';
import { findPrototypeOwner } from './section.js';

/**
 * Writes at least `wanted` pages from the modified list (whole clusters),
 * or as many as can be written. Returns the number written. Private pages
 * stay modified when there is no page file or it is full.
 */
export function writeModifiedPages(space: AddressSpace, wanted: number): number {
  let written = 0;
  // One walk over a snapshot of the list, oldest first: a frame written as part of an earlier cluster is skipped.
  for (const pfn of space.frames.modifiedFrames()) {
    if (written >= wanted) break;
    if (space.frames.stateOf(pfn) !== PfnState.Modified) continue;
    written += writeModifiedFrame(space, pfn);
  }
  return written;
}

/** Writes one modified frame (with its cluster); returns pages written, 0 if it cannot be written now. */
function writeModifiedFrame(space: AddressSpace, pfn: Pfn): number {
  if (!space.frames.isPrototype(pfn)) return writePrivateCluster(space, pfn);
  const owner = findPrototypeOwner(space, space.frames.pteAddressOf(pfn));
  if (!owner) throw new KernelPanic(`modified PFN ${pfn} names prototype PTE ${hex32(space.frames.pteAddressOf(pfn))}, which no segment holds`);
  const file = owner.controlArea.filePointer;
  if (!file) return writeToPageFile(space, [pfn]);
  // The mapped page writer: the page goes back to its file (the part of it inside the file).
  const offset = owner.index * PAGE_SIZE;
  const length = Math.max(0, Math.min(PAGE_SIZE, file.size() - offset));
  if (length > 0) file.write(offset, space.frameBytes(pfn).subarray(0, length));
  space.frames.setModified(pfn, false);
  space.events?.pageWrite({ pages: 1, file: { name: file.name, offsets: [offset] } });
  return 1;
}

/** A trimmed private page and its virtual neighbours on the modified list, written in one cluster. */
function writePrivateCluster(system: AddressSpace, pfn: Pfn): number {
  // The cluster is made of the owning process's neighbours (PteAddress is the same self-map address in every process).
  const space = system.system.ownerOfPrivateFrame(pfn, system.frames.pteAddressOf(pfn)) ?? system;
  const vpn = vpnOf(virtualAddressOfPte(space.frames.pteAddressOf(pfn)));
  let first = vpn, last = vpn;
  while (last - first + 1 < MM_MAXIMUM_WRITE_CLUSTER && modifiedPrivateFrameOf(space, last + 1) !== undefined) last++;
  while (last - first + 1 < MM_MAXIMUM_WRITE_CLUSTER && modifiedPrivateFrameOf(space, first - 1) !== undefined) first--;
  const cluster: Pfn[] = [];
  for (let page = first; page <= last; page++) cluster.push(page === vpn ? pfn : modifiedPrivateFrameOf(space, page)!);
  return writeToPageFile(space, cluster);
}

/** The frame of a trimmed private page still waiting on the modified list, if `vpn` is one. */
function modifiedPrivateFrameOf(space: AddressSpace, vpn: Vpn): Pfn | undefined {
  if (vpn < 0) return undefined;
  const address = addressOfVpn(vpn);
  const pte = space.pageTables.readPte(address);
  if (!isTransitionPte(pte)) return undefined;
  const pfn = pfnOfPte(pte);
  const frames = space.frames;
  if (frames.stateOf(pfn) !== PfnState.Modified || frames.isPrototype(pfn) || frames.pteAddressOf(pfn) !== pteAddressOf(address)) return undefined;
  return pfn;
}

/** Writes `cluster` to consecutive page-file slots (as many as one free run holds); returns pages written. */
function writeToPageFile(space: AddressSpace, cluster: Pfn[]): number {
  const pageFile = space.pageFile;
  const run = pageFile?.allocateRun(cluster.length);
  if (!pageFile || !run) return 0;
  const pages = cluster.slice(0, run.length);
  const bytes = new Uint8Array(pages.length * PAGE_SIZE);
  pages.forEach((pfn, i) => bytes.set(space.frameBytes(pfn), i * PAGE_SIZE));
  try {
    pageFile.writePages(run.slot, bytes);
  } catch (error) {
    // The pages stay modified (their only copy is the frame); the slots go back, as MiWriteComplete does for a failed write.
    for (let i = 0; i < run.length; i++) pageFile.release(run.slot + i);
    throw error;
  }
  const addresses = pages.map((pfn) => space.frames.isPrototype(pfn) ? undefined : virtualAddressOfPte(space.frames.pteAddressOf(pfn)));
  pages.forEach((pfn, i) => space.frames.recordPageFileCopy(pfn, run.slot + i));
  const { fileNumber } = locationOf(run.slot);
  space.events?.pageWrite({
    pages: pages.length, pageFile: { number: fileNumber, offsets: pages.map((_, i) => locationOf(run.slot + i).offset) },
    ...(addresses.every((a) => a !== undefined) ? { virtualAddresses: addresses as number[] } : {}),
  });
  return pages.length;
}
