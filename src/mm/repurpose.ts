// Repurposing: when no zeroed or free frame is left, the frame allocator
// takes the oldest standby page (Windows Internals 7th ed., ch. 5, "Page
// list dynamics"). The PTE that still names it in transition falls back to
// where the page's contents live: its page-file copy (a page-file PTE), or,
// with none, demand-zero (the page was MEM_RESET). A section page's
// prototype PTE goes back to what it held before the page was read (the
// file, for a mapped file or an image; demand-zero for a page-file-backed
// page never written) or to its page-file copy.
import type { AddressSpace } from './address-space.js';
import { hex32, virtualAddressOfPte, type Pfn } from './layout.js';
import { makePageFilePteForSlot } from './page-file.js';
import { KernelPanic } from './panic.js';
import { isTransitionPte, makeDemandZeroPte, pfnOfPte, softwareProtection } from './pte.js';
import { findPrototypeOwner } from './section.js';

/** The frame allocator's RepurposeHandler: unhooks standby frame `pfn` from the PTE at `pteAddress`. */
export function repurposeStandbyFrame(space: AddressSpace, pfn: Pfn, pteAddress: number, prototype: boolean): void {
  const slot = space.frames.pageFileSlotOf(pfn);
  let pteAfter: number;
  if (prototype) {
    const owner = findPrototypeOwner(space, pteAddress);
    if (!owner) throw new KernelPanic(`standby PFN ${pfn} names prototype PTE ${hex32(pteAddress)}, which no segment holds`);
    const current = owner.controlArea.segment.prototypePtes.get(owner.index);
    if (!isTransitionPte(current) || pfnOfPte(current) !== pfn) throw new KernelPanic(`standby PFN ${pfn}: prototype PTE ${hex32(pteAddress)} is ${hex32(current)}, not a transition PTE naming it`);
    const original = space.frames.originalPteOf(pfn);
    pteAfter = slot ? makePageFilePteForSlot(slot, softwareProtection(original)) : original;
    owner.controlArea.segment.prototypePtes.set(owner.index, pteAfter);
  } else {
    // The PTE lies in whichever process's page tables name the frame (PteAddress is the same self-map address in each).
    const owner = space.system.ownerOfPrivateFrame(pfn, pteAddress) ?? space;
    const address = virtualAddressOfPte(pteAddress);
    const pte = owner.pageTables.readPte(address);
    if (!isTransitionPte(pte) || pfnOfPte(pte) !== pfn) throw new KernelPanic(`standby PFN ${pfn}: PTE for ${hex32(address)} is ${hex32(pte)}, not a transition PTE naming it`);
    const mask = softwareProtection(pte);
    pteAfter = slot ? makePageFilePteForSlot(slot, mask) : makeDemandZeroPte(mask);
    owner.pageTables.writeInvalidPte(address, pteAfter);
  }
  space.events?.repurpose({ pfn, pteAddress, prototype, pteAfter });
}
