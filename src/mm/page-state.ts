// What a page of a VAD is right now — committed or not, with which
// protection — read from its PTE, with the VAD as the fallback for a zero
// PTE, exactly as the fault handler decides.
import type { AddressSpace } from './address-space.js';
import { addressOfVpn, type Pfn, type Vpn } from './layout.js';
import type { ProtectionMask } from './protection.js';
import { MM_ZERO_ACCESS } from './protection.js';
import { ZERO_PTE, isDecommittedPte, isTransitionPte, isValidPte, pfnOfPte, softwareProtection } from './pte.js';
import type { Vad } from './vad.js';
import { prototypeIndexOf, viewPageProtection } from './section-view.js';
import { residentPrototypeFrame } from './section.js';

export interface PageState {
  committed: boolean;
  /** The page's protection mask; MM_ZERO_ACCESS when not committed. */
  protection: ProtectionMask;
  /** The frame holding the page, if it has one (valid or transition). */
  pfn?: Pfn;
}

const NOT_COMMITTED: PageState = { committed: false, protection: MM_ZERO_ACCESS };

export function pageStateOf(space: AddressSpace, vad: Vad, vpn: Vpn): PageState {
  const pte = space.pageTables.readPte(addressOfVpn(vpn));
  if (vad.view) return viewPageState(space, vad, vpn, pte);
  if (isValidPte(pte)) return { committed: true, protection: space.frames.protectionOf(pfnOfPte(pte)), pfn: pfnOfPte(pte) };
  if (isTransitionPte(pte)) return { committed: true, protection: softwareProtection(pte), pfn: pfnOfPte(pte) };
  if (isDecommittedPte(pte)) return NOT_COMMITTED;
  if (pte !== ZERO_PTE) return { committed: true, protection: softwareProtection(pte) };
  if (!vad.memCommit) return NOT_COMMITTED;
  return { committed: true, protection: vad.protection };
}

/** A view page: a private copy-on-write copy, else what its prototype PTE says, with the view's protection. */
function viewPageState(space: AddressSpace, vad: Vad, vpn: Vpn, pte: number): PageState {
  if (isValidPte(pte)) {
    const pfn = pfnOfPte(pte);
    return { committed: true, protection: space.frames.isPrototype(pfn) ? viewPageProtection(vad, vpn) : space.frames.protectionOf(pfn), pfn };
  }
  // A private copy-on-write copy made no-access or guarded keeps its frame in a transition PTE.
  if (isTransitionPte(pte)) return { committed: true, protection: softwareProtection(pte), pfn: pfnOfPte(pte) };
  const prototype = vad.view!.controlArea.segment.prototypePtes.get(prototypeIndexOf(vad, vpn));
  if (prototype === 0) return NOT_COMMITTED;
  const resident = residentPrototypeFrame(prototype);
  return { committed: true, protection: viewPageProtection(vad, vpn), ...(resident !== undefined ? { pfn: resident } : {}) };
}
