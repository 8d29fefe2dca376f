// Giving back what a page that is not valid still holds, when it is
// decommitted, released or unmapped.
import type { AddressSpace } from './address-space.js';
import { slotOfPageFilePte } from './page-file.js';
import { PfnState } from './pfn-database.js';
import { isPageFilePte, isTransitionPte, pfnOfPte } from './pte.js';

/**
 * What a not-valid private page still holds goes back: a transition page's
 * frame (active if it was made no-access, else on the standby or modified
 * list after a trim) and a paged-out page's page-file slot.
 */
export function releaseNotPresentPage(space: AddressSpace, pte: number): void {
  if (isTransitionPte(pte)) {
    const pfn = pfnOfPte(pte);
    if (space.frames.stateOf(pfn) === PfnState.Active) space.frames.releaseFrame(pfn);
    else space.frames.freeListedFrame(pfn);
  } else if (isPageFilePte(pte)) {
    space.pageFile!.release(slotOfPageFilePte(pte));
  }
}

