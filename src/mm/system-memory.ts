// What the memory manager keeps once for the whole machine, shared by every
// process's address space (Windows Internals 7th ed., ch. 5): the PFN
// database, commit and paged pool are passed to each AddressSpace; this holds
// the rest — the control areas (sections are system-wide objects), the paging
// file, and the list of address spaces, through which a frame's owner is found
// (Windows reaches it through the PFN's PteFrame; mmscope's PteAddress is a
// self-map address, the same in every process, so the owner is the space
// whose PTE there names the frame).
import type { AddressSpace } from './address-space.js';
import type { Pfn } from './layout.js';
import { virtualAddressOfPte } from './layout.js';
import type { PageFile } from './page-file.js';
import { isTransitionPte, isValidPte, pfnOfPte } from './pte.js';
import type { ControlArea } from './section.js';

export class SystemMemory {
  /** Every live process address space, in creation order. */
  readonly spaces = new Set<AddressSpace>();
  /** Control areas alive in the system. */
  readonly controlAreas = new Set<ControlArea>();
  /** Control areas ever created, which numbers them for dumps and traces. */
  controlAreasCreated = 0;
  /** The paging file, when the machine has one (--pagefile). */
  pageFile: PageFile | undefined;

  /**
   * The address space whose PTE at `pteAddress` (a self-map address) names
   * private frame `pfn`, valid or in transition; undefined when none does.
   * Costs one PTE read per process.
   */
  ownerOfPrivateFrame(pfn: Pfn, pteAddress: number): AddressSpace | undefined {
    const address = virtualAddressOfPte(pteAddress);
    for (const space of this.spaces) {
      const pte = space.pageTables.readPte(address);
      if ((isValidPte(pte) || isTransitionPte(pte)) && pfnOfPte(pte) === pfn) return space;
    }
    return undefined;
  }
}
