// The fixed regions at the top of user space (USER_SPACE_LAYOUT): the
// KUSER_SHARED_DATA page, mapped into every process read-only at
// MM_SHARED_USER_DATA_VA and writable for the kernel at KI_USER_SHARED_DATA
// (one frame, two PTEs, as on Windows x86), and the reservations around it
// that hold no VAD and no page.
import type { AddressSpace } from './address-space.js';
import { KI_USER_SHARED_DATA, MM_SHARED_USER_DATA_VA, PAGE_SIZE, fixedAllocations, hex32, pteAddressOf, type Pfn } from './layout.js';
import { OutOfFramesError } from './page-tables.js';
import { KernelPanic } from './panic.js';
import { MM_READONLY } from './protection.js';
import { isOwnerPte, isValidPte, isWritePte, makeValidUserPte, pfnOfPte } from './pte.js';

/**
 * Maps the KUSER_SHARED_DATA frame at both its addresses and returns it (the
 * kernel writes the clock and the version there). Throws OutOfFramesError
 * when RAM cannot hold one more kernel page.
 */
export function mapSharedUserDataPage(space: AddressSpace): Pfn {
  const pfn = space.frames.allocateZeroedFrame(pteAddressOf(KI_USER_SHARED_DATA));
  if (pfn === undefined) throw new OutOfFramesError();
  space.pageTables.mapKernelPage(KI_USER_SHARED_DATA, pfn, true);
  space.frames.setProtection(pfn, MM_READONLY);
  mapSharedUserDataIntoProcess(space, pfn);
  return pfn;
}

/**
 * Maps the KUSER_SHARED_DATA frame `pfn` read-only at MM_SHARED_USER_DATA_VA
 * in another process (the kernel's mapping is in the shared kernel page
 * tables already). Throws OutOfFramesError when no page table can be had.
 */
export function mapSharedUserDataIntoProcess(space: AddressSpace, pfn: Pfn): void {
  if (!space.pageTables.ensureTable(MM_SHARED_USER_DATA_VA)) throw new OutOfFramesError();
  space.pageTables.writeValidPte(MM_SHARED_USER_DATA_VA, makeValidUserPte(pfn, MM_READONLY));
}

/** Whether `address` is on the KUSER_SHARED_DATA page (a kernel frame, not a process's page). */
export const isSharedUserDataPage = (address: number): boolean => (address & ~(PAGE_SIZE - 1)) >>> 0 === MM_SHARED_USER_DATA_VA;

/**
 * No VAD covers a fixed region, and the shared page's user PTE, when mapped,
 * is valid, user, read-only and names the kernel's KUSER_SHARED_DATA frame.
 * A valid PTE elsewhere in the fixed regions (an experiment put it there) is
 * a frame outside every VAD, which the PTE check reports with the others.
 */
export function checkFixedRegions(space: AddressSpace): void {
  for (const region of fixedAllocations()) {
    if (space.vads.findFirstOverlap(region.start >>> 12, region.end >>> 12)) throw new KernelPanic(`a VAD overlaps the fixed region ${region.name}`);
  }
  const pte = space.pageTables.readPte(MM_SHARED_USER_DATA_VA);
  if (!isValidPte(pte)) return;
  const kernelPte = space.pageTables.readPte(KI_USER_SHARED_DATA);
  if (!isOwnerPte(pte) || isWritePte(pte) || !isValidPte(kernelPte) || pfnOfPte(kernelPte) !== pfnOfPte(pte)) {
    throw new KernelPanic(`KUSER_SHARED_DATA at ${hex32(MM_SHARED_USER_DATA_VA)} is not the kernel's page mapped read-only (PTE ${hex32(pte)})`);
  }
}
