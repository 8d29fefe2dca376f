// The memory manager's invariant checker: tests call it after operations.
// Every broken invariant throws KernelPanic naming what is wrong.
import type { AddressSpace } from './address-space.js';
import { MM_SYSTEM_RANGE_START, hex32, pteAddressOf, vpnOf } from './layout.js';
import { KernelPanic } from './panic.js';
import { PfnState } from './pfn-database.js';
import { isOwnerPte, isTransitionPte, pfnOfPte } from './pte.js';
import { pageStateOf } from './page-state.js';

export function checkAddressSpaceInvariants(space: AddressSpace): void {
  space.vads.checkInvariants();
  space.frames.checkInvariants();
  checkCommit(space);
  checkUserPtes(space);
}

function checkCommit(space: AddressSpace): void {
  let sum = 0;
  for (const vad of space.vads.inOrder()) {
    sum += vad.commitCharge;
    if (!vad.privateMemory) continue;
    let committed = 0;
    for (let vpn = vad.startingVpn; vpn <= vad.endingVpn; vpn++) if (pageStateOf(space, vad, vpn).committed) committed++;
    if (committed !== vad.commitCharge) throw new KernelPanic(`VAD ${hex32(vad.startAddress)} has ${committed} committed pages but is charged ${vad.commitCharge}`);
  }
  if (sum !== space.commitCharge) throw new KernelPanic(`VAD commit sums to ${sum} but the process is charged ${space.commitCharge}`);
  if (space.commit.totalPages < space.commitCharge) throw new KernelPanic('process commit exceeds system commit');
  if (space.commit.totalPages > space.commit.limitPages) throw new KernelPanic('system commit exceeds its limit');
}

/**
 * Each valid or transition user PTE lies in a VAD and names an active frame
 * that points back at it; no active frame is left without an owner.
 */
function checkUserPtes(space: AddressSpace): void {
  let userFrames = 0;
  space.pageTables.forEachPresentOrTransitionPte(MM_SYSTEM_RANGE_START, (address, pte) => {
    userFrames++;
    if (!isTransitionPte(pte) && !isOwnerPte(pte)) throw new KernelPanic(`user PTE for ${hex32(address)} lacks the Owner bit`);
    if (!space.vads.findByVpn(vpnOf(address))) throw new KernelPanic(`valid PTE for ${hex32(address)} outside every VAD`);
    const pfn = pfnOfPte(pte);
    if (space.frames.stateOf(pfn) !== PfnState.Active) throw new KernelPanic(`PTE for ${hex32(address)} names inactive PFN ${pfn}`);
    if (space.frames.pteAddressOf(pfn) !== pteAddressOf(address)) {
      throw new KernelPanic(`PFN ${pfn} points at PTE ${hex32(space.frames.pteAddressOf(pfn))}, mapped by ${hex32(pteAddressOf(address))}`);
    }
  });
  const kernelFrames = space.pageTables.tableCount() + space.pageTables.kernelPageCount();
  const active = space.frames.counts().active;
  if (active !== userFrames + kernelFrames) throw new KernelPanic(`${active} active frames but ${userFrames} user pages and ${kernelFrames} kernel pages and tables: a frame leaked`);
}
