// MiCheckForUserStackOverflow: a thread's stack is a reservation whose top
// pages are committed, with a PAGE_GUARD page below them. When the thread
// touches the guard page, the kernel commits the page below it as the new
// guard and the access goes on, without the thread seeing an exception.
// When the next guard would leave fewer than one reserved page above the
// bottom of the reservation, the thread gets STATUS_STACK_OVERFLOW instead.
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, addressOfVpn, vpnOf } from './layout.js';
import type { PteValue } from './pte.js';
import type { Vad } from './vad.js';
import { MEM_COMMIT, allocateVirtualMemory } from './virtual-memory.js';
import { PAGE_GUARD, PAGE_READWRITE } from './protection.js';
import { STATUS_SUCCESS } from '../nt/status.js';

export type StackGuardOutcome =
  /** The guard moved down a page; StackLimit is now `stackLimit`; retry the access. */
  | { kind: 'stack-growth'; pteBefore: PteValue; pteAfter: PteValue; vad: Vad; stackLimit: number }
  /** No room (or no commit) for another guard page: raise STATUS_STACK_OVERFLOW. */
  | { kind: 'stack-overflow'; pteBefore: PteValue; pteAfter: PteValue; vad: Vad; stackLimit: number };

/** Called once the guard on `address`'s page (in the stack reservation `vad`) has been cleared. */
export function checkForUserStackOverflow(space: AddressSpace, address: number, pteBefore: PteValue, pteAfter: PteValue, vad: Vad): StackGuardOutcome {
  const guardVpn = vpnOf(address);
  const stackLimit = addressOfVpn(guardVpn);
  const nextGuardVpn = guardVpn - 1;
  const outcome = { pteBefore, pteAfter, vad, stackLimit };
  if (nextGuardVpn - 1 <= vad.startingVpn) return { kind: 'stack-overflow', ...outcome };
  const committed = allocateVirtualMemory(space, {
    base: addressOfVpn(nextGuardVpn), size: PAGE_SIZE, zeroBits: 0, allocationType: MEM_COMMIT, protect: PAGE_READWRITE | PAGE_GUARD,
  });
  return { kind: committed.status === STATUS_SUCCESS ? 'stack-growth' : 'stack-overflow', ...outcome };
}
