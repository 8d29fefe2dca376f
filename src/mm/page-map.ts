// Every page of a VAD classified the way VMMap and !pte show it: not
// committed, committed but not yet real (demand-zero, in the file), resident
// (clean or dirty), guard, transition, copy-on-write; plus the working-set
// sums VMMap's summary table needs. Read-only: nothing here touches a PTE.
import type { AddressSpace } from './address-space.js';
import { addressOfVpn, type Vpn } from './layout.js';
import { pageStateOf } from './page-state.js';
import { MM_GUARDPAGE, MM_PROTECT_ACCESS, MM_EXECUTE_WRITECOPY, MM_WRITECOPY } from './protection.js';
import { isDirtyPte, isValidPte, pfnOfPte } from './pte.js';
import { isInFilePrototype } from './section.js';
import { prototypeIndexOf } from './section-view.js';
import type { Vad } from './vad.js';

/**
 * A page's kind. `transition`: it has a frame but no valid PTE here (a
 * private page on the standby/modified list, or a view page whose prototype
 * PTE is resident: a soft fault maps it). `copy-on-write`: a copy-on-write
 * view page not yet copied. `in-file`: its prototype PTE points into the file.
 */
export const PAGE_KINDS = ['reserved', 'demand-zero', 'in-file', 'valid-clean', 'valid-dirty', 'guard', 'transition', 'copy-on-write'] as const;
export type PageKind = (typeof PAGE_KINDS)[number];

export interface RegionPages {
  startingVpn: Vpn;
  /** One entry per page of the VAD: an index into PAGE_KINDS. */
  kinds: Uint8Array;
  /** Pages committed (charged for private memory; backed by the section for views). */
  committedPages: number;
  /** Committed pages only this process can use: private memory, and copied copy-on-write pages of views. */
  privatePages: number;
  /** Pages with a valid PTE: the working set (until working sets exist). */
  residentPages: number;
  /** Resident pages on frames of this process alone. */
  privateResidentPages: number;
  /** Resident pages on section frames (shareable). */
  shareableResidentPages: number;
  /** Resident section frames another view maps too (share count above 1). */
  sharedResidentPages: number;
}

const KIND = Object.fromEntries(PAGE_KINDS.map((kind, i) => [kind, i])) as Record<PageKind, number>;

/** The pages of `vad`, in address order (Windows Internals, ch. 5, "Page states"; VMMap's page legend). */
export function describeRegionPages(space: AddressSpace, vad: Vad): RegionPages {
  const count = vad.endingVpn - vad.startingVpn + 1;
  const region: RegionPages = {
    startingVpn: vad.startingVpn, kinds: new Uint8Array(count), committedPages: 0, privatePages: 0,
    residentPages: 0, privateResidentPages: 0, shareableResidentPages: 0, sharedResidentPages: 0,
  };
  for (let i = 0; i < count; i++) region.kinds[i] = classifyPage(space, vad, vad.startingVpn + i, region);
  return region;
}

function classifyPage(space: AddressSpace, vad: Vad, vpn: Vpn, region: RegionPages): number {
  const state = pageStateOf(space, vad, vpn);
  if (!state.committed) return KIND.reserved;
  region.committedPages++;
  const pte = space.pageTables.readPte(addressOfVpn(vpn));
  const sectionFrame = state.pfn !== undefined && space.frames.isPrototype(state.pfn);
  if (!vad.view || (isValidPte(pte) && !sectionFrame)) region.privatePages++;
  if (isValidPte(pte)) {
    countResident(space, pfnOfPte(pte), region);
    if (vad.view && sectionFrame && isWriteCopy(state.protection)) return KIND['copy-on-write'];
    return isDirtyPte(pte) ? KIND['valid-dirty'] : KIND['valid-clean'];
  }
  if (state.protection & MM_GUARDPAGE) return KIND.guard;
  if (state.pfn !== undefined) return KIND.transition;
  if (vad.view) {
    const prototype = vad.view.controlArea.segment.prototypePtes.get(prototypeIndexOf(vad, vpn));
    if (isInFilePrototype(prototype)) return isWriteCopy(state.protection) ? KIND['copy-on-write'] : KIND['in-file'];
  }
  return KIND['demand-zero'];
}

function countResident(space: AddressSpace, pfn: number, region: RegionPages): void {
  region.residentPages++;
  if (!space.frames.isPrototype(pfn)) { region.privateResidentPages++; return; }
  region.shareableResidentPages++;
  if (space.frames.shareCountOf(pfn) > 1) region.sharedResidentPages++;
}

const isWriteCopy = (mask: number): boolean => {
  const access = mask & MM_PROTECT_ACCESS;
  return access === MM_WRITECOPY || access === MM_EXECUTE_WRITECOPY;
};
