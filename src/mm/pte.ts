// PTE words as Windows x86 (non-PAE) lays them out. All bit work on PTEs
// happens here; callers use the named accessors and builders.
//
// Valid (hardware) PTE, MMPTE_HARDWARE:
//   bit 0 Valid · 1 Write · 2 Owner (user) · 3 WriteThrough · 4 CacheDisable
//   5 Accessed · 6 Dirty · 7 LargePage · 8 Global · 9 CopyOnWrite (software)
//   10 Prototype · 12-31 PageFrameNumber
// Not-present PTE, MMPTE_SOFTWARE:
//   bit 0 Valid = 0 · 1-4 PageFileLow · 5-9 Protection (MM_* mask)
//   10 Prototype · 11 Transition · 12-31 PageFileHigh
// States encoded in a not-present PTE:
//   0                         no PTE state: the VAD decides
//   Protection = mask         demand-zero page with that protection (page-file offset 0)
//   PageFileHigh ≠ 0          the page is in page file PageFileLow at offset
//                             PageFileHigh (pages); offset 0 is never used, so a
//                             demand-zero PTE is a page-file PTE with no page
//                             file space, and 0xFFFFF is never used either
//                             (MI_PTE_LOOKUP_NEEDED in WRK's mi386.h)
//   Protection = MM_DECOMMIT  decommitted (0x10 · MM_GUARDPAGE with no access)
//   mask with MM_GUARDPAGE    guard page; the access bits are kept beside it
// Transition PTE, MMPTE_TRANSITION (bit 11 set, bit 10 clear): the page still
// has its frame (PageFrameNumber in 12-31) but is not valid: either its
// protection (bits 5-9) is PAGE_NOACCESS or has PAGE_GUARD (the frame stays
// active), or the working-set manager trimmed it (the frame is on the standby
// or modified list). The next allowed access makes it valid again with the
// same frame (a soft fault).
import type { Pfn } from './layout.js';
import { MM_DECOMMIT, MM_GUARDPAGE, MM_NOCACHE, MM_WRITECOMBINE, isCopyOnWrite, isWritable, type ProtectionMask } from './protection.js';

export type PteValue = number;

export const PTE_VALID = 1 << 0;
export const PTE_WRITE = 1 << 1;
export const PTE_OWNER = 1 << 2;
export const PTE_WRITE_THROUGH = 1 << 3;
export const PTE_CACHE_DISABLE = 1 << 4;
export const PTE_ACCESSED = 1 << 5;
export const PTE_DIRTY = 1 << 6;
export const PTE_LARGE_PAGE = 1 << 7;
export const PTE_GLOBAL = 1 << 8;
export const PTE_COPY_ON_WRITE = 1 << 9;
export const PTE_PROTOTYPE = 1 << 10;
export const PTE_TRANSITION = 1 << 11;
const PFN_SHIFT = 12;
const PROTECTION_SHIFT = 5;
const PROTECTION_BITS = 0x1f;

export const ZERO_PTE: PteValue = 0;

export const isValidPte = (pte: PteValue): boolean => (pte & PTE_VALID) !== 0;
export const isZeroPte = (pte: PteValue): boolean => pte === 0;
export const pfnOfPte = (pte: PteValue): Pfn => pte >>> PFN_SHIFT;
export const isWritePte = (pte: PteValue): boolean => (pte & PTE_WRITE) !== 0;
export const isOwnerPte = (pte: PteValue): boolean => (pte & PTE_OWNER) !== 0;
export const isAccessedPte = (pte: PteValue): boolean => (pte & PTE_ACCESSED) !== 0;
export const isDirtyPte = (pte: PteValue): boolean => (pte & PTE_DIRTY) !== 0;
export const isCopyOnWritePte = (pte: PteValue): boolean => (pte & PTE_COPY_ON_WRITE) !== 0;

/** Protection field of a not-present software PTE. */
export const softwareProtection = (pte: PteValue): ProtectionMask => (pte >>> PROTECTION_SHIFT) & PROTECTION_BITS;
export const isDemandZeroPte = (pte: PteValue): boolean =>
  !isValidPte(pte) && (pte & ~(PROTECTION_BITS << PROTECTION_SHIFT)) === 0 && softwareProtection(pte) !== 0
  && softwareProtection(pte) !== MM_DECOMMIT;
export const isDecommittedPte = (pte: PteValue): boolean => !isValidPte(pte) && pte === MM_DECOMMIT << PROTECTION_SHIFT;
export const isTransitionPte = (pte: PteValue): boolean =>
  !isValidPte(pte) && (pte & PTE_TRANSITION) !== 0 && (pte & PTE_PROTOTYPE) === 0;
/** A page-file PTE: not valid, neither prototype nor transition, with page-file space (offset ≠ 0). */
export const isPageFilePte = (pte: PteValue): boolean =>
  !isValidPte(pte) && (pte & (PTE_PROTOTYPE | PTE_TRANSITION)) === 0 && pte >>> PFN_SHIFT !== 0;
/** MMPTE_SOFTWARE.PageFileLow: which page file (0-15). */
export const pageFileNumberOf = (pte: PteValue): number => (pte >>> 1) & 0xf;
/** MMPTE_SOFTWARE.PageFileHigh: the page's offset in its page file, in pages. */
export const pageFileOffsetOf = (pte: PteValue): number => pte >>> PFN_SHIFT;
/** A page-file PTE for page `offset` of page file `fileNumber`, keeping the page's protection. */
export function makePageFilePte(fileNumber: number, offset: number, mask: ProtectionMask): PteValue {
  if (offset <= 0 || offset >= 0xfffff || fileNumber < 0 || fileNumber > 15) throw new RangeError(`page-file location ${fileNumber}:${offset} cannot be encoded`);
  return ((offset << PFN_SHIFT) | ((mask & PROTECTION_BITS) << PROTECTION_SHIFT) | (fileNumber << 1)) >>> 0;
}
export const hasGuardProtection = (pte: PteValue): boolean =>
  !isValidPte(pte) && (softwareProtection(pte) & MM_WRITECOMBINE) === MM_GUARDPAGE;

/** A valid user PTE for `pfn` carrying the hardware rights of `mask`. */
export function makeValidUserPte(pfn: Pfn, mask: ProtectionMask): PteValue {
  let pte = (pfn << PFN_SHIFT) | PTE_VALID | PTE_OWNER;
  if (isCopyOnWrite(mask)) pte |= PTE_COPY_ON_WRITE; // read-only in hardware until the first write
  else if (isWritable(mask)) pte |= PTE_WRITE;
  const special = mask & MM_WRITECOMBINE;
  if (special === MM_NOCACHE) pte |= PTE_CACHE_DISABLE;
  if (special === MM_WRITECOMBINE) pte |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
  return pte >>> 0;
}

/** A valid supervisor-only PTE (kernel pages, page tables). */
export const makeValidKernelPte = (pfn: Pfn, writable: boolean): PteValue =>
  ((pfn << PFN_SHIFT) | PTE_VALID | (writable ? PTE_WRITE : 0)) >>> 0;

/** A PDE as the CPU walks it: `tableFrame` is where the table is found in Unicorn's flat space. */
export const makePde = (tableFrame: number, user: boolean): PteValue =>
  ((tableFrame << PFN_SHIFT) | PTE_VALID | PTE_WRITE | (user ? PTE_OWNER : 0)) >>> 0;

export const makeDemandZeroPte = (mask: ProtectionMask): PteValue => (mask & PROTECTION_BITS) << PROTECTION_SHIFT;
export const makeDecommittedPte = (): PteValue => MM_DECOMMIT << PROTECTION_SHIFT;
export const makeGuardPte = (mask: ProtectionMask): PteValue => ((mask | MM_GUARDPAGE) & PROTECTION_BITS) << PROTECTION_SHIFT;
export const makeTransitionPte = (pfn: Pfn, mask: ProtectionMask): PteValue =>
  ((pfn << PFN_SHIFT) | PTE_TRANSITION | ((mask & PROTECTION_BITS) << PROTECTION_SHIFT)) >>> 0;
/** The same not-present PTE with a different protection field. */
export const withSoftwareProtection = (pte: PteValue, mask: ProtectionMask): PteValue =>
  ((pte & ~(PROTECTION_BITS << PROTECTION_SHIFT)) | ((mask & PROTECTION_BITS) << PROTECTION_SHIFT)) >>> 0;

/** Decoded flags, in the words WinDbg's !pte prints. */
export function describeValidPte(pte: PteValue): string[] {
  const flags: string[] = ['Valid'];
  flags.push(isWritePte(pte) ? 'Write' : 'ReadOnly');
  flags.push(isOwnerPte(pte) ? 'Owner' : 'Kernel');
  if (pte & PTE_WRITE_THROUGH) flags.push('WriteThrough');
  if (pte & PTE_CACHE_DISABLE) flags.push('CacheDisable');
  if (isAccessedPte(pte)) flags.push('Accessed');
  if (isDirtyPte(pte)) flags.push('Dirty');
  if (pte & PTE_GLOBAL) flags.push('Global');
  if (isCopyOnWritePte(pte)) flags.push('CopyOnWrite');
  return flags;
}
