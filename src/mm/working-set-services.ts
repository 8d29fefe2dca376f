// What the working-set system services do to an address space, on plain
// values (tested without a CPU): NtLockVirtualMemory / NtUnlockVirtualMemory
// (VirtualLock), the working-set limits (SetProcessWorkingSetSizeEx through
// NtSetInformationProcess(ProcessQuotaLimits)), MEM_RESET / MEM_RESET_UNDO,
// and the working-set queries behind QueryWorkingSet and QueryWorkingSetEx.
import type { AddressSpace } from './address-space.js';
import { MM_HIGHEST_USER_ADDRESS, PAGE_SIZE, addressOfVpn, vpnOf, type Vpn } from './layout.js';
import { pageStateOf } from './page-state.js';
import { isAccessible, isGuard, protectionFromMask, type ProtectionMask } from './protection.js';
import { resolvePageFault } from './fault-handler.js';
import { slotOfPageFilePte } from './page-file.js';
import { PfnState } from './pfn-database.js';
import {
  PTE_DIRTY, isDirtyPte, isPageFilePte, isTransitionPte, isValidPte, makeDemandZeroPte, pfnOfPte, softwareProtection,
} from './pte.js';
import { viewPageProtection } from './section-view.js';
import { emptyWorkingSet, trimWorkingSet } from './working-set-manager.js';
import type { Vad } from './vad.js';
import {
  STATUS_ACCESS_VIOLATION, STATUS_BAD_WORKING_SET_LIMIT, STATUS_CONFLICTING_ADDRESSES, STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_MEMORY_NOT_ALLOCATED, STATUS_NOT_LOCKED, STATUS_SUCCESS,
  STATUS_WORKING_SET_QUOTA, type NtStatus,
} from '../nt/status.js';

/** WRK MM_FLUID_WORKING_SET: pages of the minimum working set that cannot be locked (VirtualLock's "small overhead"). */
export const MM_FLUID_WORKING_SET = 8;
/** WRK MmMinimumWorkingSetSize: the smallest working-set minimum a process may set, in pages. */
export const MM_MINIMUM_WORKING_SET_SIZE = 20;
export const QUOTA_LIMITS_HARDWS_MIN_ENABLE = 0x1;
export const QUOTA_LIMITS_HARDWS_MIN_DISABLE = 0x2;
export const QUOTA_LIMITS_HARDWS_MAX_ENABLE = 0x4;
export const QUOTA_LIMITS_HARDWS_MAX_DISABLE = 0x8;

export type RangeResult = { status: NtStatus; base?: number; size?: number };

/** Pages covering [base, base + size) when they lie in user space, else undefined. */
function userPages(base: number, size: number): { first: Vpn; last: Vpn } | undefined {
  // (A base past MM_HIGHEST_USER_ADDRESS leaves no room: the last test refuses it.)
  if (size === 0 || size > MM_HIGHEST_USER_ADDRESS + 1 - base) return undefined;
  return { first: vpnOf(base), last: vpnOf(base + size - 1) };
}

const regionOf = (first: Vpn, last: Vpn) => ({ base: addressOfVpn(first), size: (last - first + 1) * PAGE_SIZE });

/**
 * NtLockVirtualMemory(MAP_PROCESS): every page must be committed and
 * accessible (else STATUS_ACCESS_VIOLATION, as touching it would be); the
 * pages are brought in and locked in the working set. A process may lock
 * its working-set minimum less MM_FLUID_WORKING_SET pages: past that,
 * STATUS_WORKING_SET_QUOTA (ERROR_WORKING_SET_QUOTA).
 */
export function lockVirtualMemory(space: AddressSpace, base: number, size: number): RangeResult {
  const pages = userPages(base, size);
  if (!pages) return { status: STATUS_INVALID_PARAMETER_2 };
  const ws = space.workingSet;
  let newlyLocked = 0;
  for (let vpn = pages.first; vpn <= pages.last; vpn++) {
    const vad = space.vads.findByVpn(vpn);
    if (!vad) return { status: STATUS_ACCESS_VIOLATION };
    const state = pageStateOf(space, vad, vpn);
    if (!state.committed || !isAccessible(state.protection) || isGuard(state.protection)) return { status: STATUS_ACCESS_VIOLATION };
    if (!ws.isLocked(vpn)) newlyLocked++;
  }
  if (ws.lockedPages + newlyLocked > ws.minimumPages - MM_FLUID_WORKING_SET) return { status: STATUS_WORKING_SET_QUOTA };
  for (let vpn = pages.first; vpn <= pages.last; vpn++) {
    // A read brings the page in; on a valid page it is a stale translation that changes nothing.
    const resolution = resolvePageFault(space, {
      address: addressOfVpn(vpn), write: false,
      // Stryker disable next-line BooleanLiteral: equivalent — the fault handler does not read `user` (the kernel probes on the caller's behalf).
      user: false,
    });
    if (resolution.kind !== 'resolved') return { status: STATUS_ACCESS_VIOLATION };
    ws.lock(vpn);
  }
  return { status: STATUS_SUCCESS, ...regionOf(pages.first, pages.last) };
}

/** NtUnlockVirtualMemory: every page must be locked (else STATUS_NOT_LOCKED, nothing unlocked). */
export function unlockVirtualMemory(space: AddressSpace, base: number, size: number): RangeResult {
  const pages = userPages(base, size);
  if (!pages) return { status: STATUS_INVALID_PARAMETER_2 };
  for (let vpn = pages.first; vpn <= pages.last; vpn++) if (!space.workingSet.isLocked(vpn)) return { status: STATUS_NOT_LOCKED };
  for (let vpn = pages.first; vpn <= pages.last; vpn++) space.workingSet.unlock(vpn);
  return { status: STATUS_SUCCESS, ...regionOf(pages.first, pages.last) };
}

export interface WorkingSetLimits { minimumBytes: number; maximumBytes: number; flags: number }

/** The limits as GetProcessWorkingSetSizeEx reports them (bytes, QUOTA_LIMITS_HARDWS_* flags). */
export function workingSetLimits(space: AddressSpace): WorkingSetLimits {
  const ws = space.workingSet;
  return {
    minimumBytes: ws.minimumPages * PAGE_SIZE,
    maximumBytes: ws.maximumPages * PAGE_SIZE,
    flags: (ws.hardMinimum ? QUOTA_LIMITS_HARDWS_MIN_ENABLE : QUOTA_LIMITS_HARDWS_MIN_DISABLE)
      | (ws.hardMaximum ? QUOTA_LIMITS_HARDWS_MAX_ENABLE : QUOTA_LIMITS_HARDWS_MAX_DISABLE),
  };
}

/**
 * SetProcessWorkingSetSizeEx: (SIZE_T)-1 for both sizes empties the working
 * set; otherwise the minimum may not exceed the maximum
 * (STATUS_BAD_WORKING_SET_LIMIT), a minimum below 20 pages is raised to 20,
 * the minimum cannot drop below the locked pages plus MM_FLUID_WORKING_SET,
 * and a maximum below the current size trims the working set to it.
 * `flags` sets hard or soft limits; ENABLE with DISABLE is STATUS_INVALID_PARAMETER.
 */
export function setWorkingSetLimits(space: AddressSpace, minimumBytes: number, maximumBytes: number, flags: number): NtStatus {
  if (flags & ~0xf) return STATUS_INVALID_PARAMETER;
  if ((flags & 3) === 3 || (flags & 12) === 12) return STATUS_INVALID_PARAMETER;
  const ws = space.workingSet;
  if (minimumBytes === 0xffffffff && maximumBytes === 0xffffffff) {
    emptyWorkingSet(space);
    return STATUS_SUCCESS;
  }
  const minimum = Math.max(MM_MINIMUM_WORKING_SET_SIZE, Math.floor(minimumBytes / PAGE_SIZE));
  const maximum = Math.floor(maximumBytes / PAGE_SIZE);
  if (minimum > maximum || maximum > space.frames.frameCount) return STATUS_BAD_WORKING_SET_LIMIT;
  if (minimum < ws.lockedPages + MM_FLUID_WORKING_SET) return STATUS_BAD_WORKING_SET_LIMIT;
  ws.minimumPages = minimum;
  ws.maximumPages = maximum;
  if (flags & QUOTA_LIMITS_HARDWS_MIN_ENABLE) ws.hardMinimum = true;
  if (flags & QUOTA_LIMITS_HARDWS_MIN_DISABLE) ws.hardMinimum = false;
  if (flags & QUOTA_LIMITS_HARDWS_MAX_ENABLE) ws.hardMaximum = true;
  if (flags & QUOTA_LIMITS_HARDWS_MAX_DISABLE) ws.hardMaximum = false;
  trimWorkingSet(space, ws.size - maximum, 'new-maximum', 0); // nothing when the working set fits
  return STATUS_SUCCESS;
}

/**
 * MEM_RESET: the range stays committed but its contents no longer matter:
 * valid pages lose their Dirty bit and their frames' Modified bit, trimmed
 * pages on the modified list move to standby, and page-file copies are
 * released (a paged-out page becomes demand-zero). So none of them is ever
 * written to the page file, and a frame taken back gives zeros.
 */
export function resetVirtualMemory(space: AddressSpace, base: number, size: number): RangeResult {
  const found = resetRange(space, base, size);
  if ('status' in found) return found;
  const { first, last } = found;
  // An uncommitted page's PTE (zero or decommitted) holds nothing to reset.
  for (let vpn = first; vpn <= last; vpn++) resetPage(space, vpn);
  return { status: STATUS_SUCCESS, ...regionOf(first, last) };
}

/**
 * MEM_RESET_UNDO: pages still in memory are marked modified again, so they
 * will be kept; if any page of the range was already given up (it reads as
 * zeros now), STATUS_CONFLICTING_ADDRESSES (ERROR_INVALID_ADDRESS), as
 * Windows fails the call when the data could not all be kept.
 */
export function undoResetVirtualMemory(space: AddressSpace, base: number, size: number): RangeResult {
  const found = resetRange(space, base, size);
  if ('status' in found) return found;
  const { vad, first, last } = found;
  let lost = false;
  for (let vpn = first; vpn <= last; vpn++) {
    const state = pageStateOf(space, vad, vpn);
    if (!state.committed) continue;
    if (state.pfn === undefined) { lost = true; continue; }
    space.frames.setModified(state.pfn, true);
  }
  return lost ? { status: STATUS_CONFLICTING_ADDRESSES } : { status: STATUS_SUCCESS, ...regionOf(first, last) };
}

/** MEM_RESET works on one private allocation (or a view of a page-file-backed section is refused). */
function resetRange(space: AddressSpace, base: number, size: number): { vad: Vad; first: Vpn; last: Vpn } | RangeResult {
  if (base > MM_HIGHEST_USER_ADDRESS) return { status: STATUS_INVALID_PARAMETER_2 };
  const pages = userPages(base, size);
  if (!pages) return { status: STATUS_INVALID_PARAMETER_3 };
  const vad = space.vads.findByVpn(pages.first);
  if (!vad) return { status: STATUS_MEMORY_NOT_ALLOCATED };
  if (pages.last > vad.endingVpn || !vad.privateMemory) return { status: STATUS_CONFLICTING_ADDRESSES };
  return { vad, first: pages.first, last: pages.last };
}

function resetPage(space: AddressSpace, vpn: Vpn): void {
  const address = addressOfVpn(vpn);
  const pte = space.pageTables.readPte(address);
  if (isValidPte(pte)) {
    // Stryker disable next-line ConditionalExpression: equivalent — rewriting a clean PTE unchanged only costs a TLB flush.
    if (isDirtyPte(pte)) space.pageTables.updateValidPte(address, (pte & ~PTE_DIRTY) >>> 0);
    space.frames.setModified(pfnOfPte(pte), false);
    space.frames.releasePageFileCopy(pfnOfPte(pte));
  } else if (isTransitionPte(pte)) {
    const pfn = pfnOfPte(pte);
    if (space.frames.stateOf(pfn) !== PfnState.Active) space.frames.setModified(pfn, false);
    space.frames.releasePageFileCopy(pfn);
  } else if (isPageFilePte(pte)) {
    space.pageFile!.release(slotOfPageFilePte(pte));
    space.pageTables.writeInvalidPte(address, makeDemandZeroPte(softwareProtection(pte)));
  }
}

/** PSAPI_WORKING_SET_EX_BLOCK for the page at `address` (QueryWorkingSetEx; Windows' documented bit layout). */
export function workingSetExBlock(space: AddressSpace, address: number): number {
  const vpn = vpnOf(address);
  // (A kernel address has no VAD: 0 below.)
  const pte = space.pageTables.readPte(address);
  const vad = space.vads.findByVpn(vpn);
  if (!isValidPte(pte) || !vad) return vad?.view ? 1 << 15 : 0; // Invalid.Shared for a view's page
  const pfn = pfnOfPte(pte);
  const shared = space.frames.isPrototype(pfn);
  const protection = pageProtection(space, vad, vpn, pfn);
  let block = 1; // Valid
  block |= Math.min(7, shared ? space.frames.shareCountOf(pfn) : 1) << 1; // ShareCount: 3 bits
  block |= (protectionFromMask(protection) & 0x7ff) << 4; // Win32Protection: 11 bits
  if (shared) block |= 1 << 15; // Shared
  if (space.workingSet.isLocked(vpn)) block |= 1 << 22; // Locked
  return block >>> 0;
}

/**
 * PSAPI_WORKING_SET_BLOCK for every page of the working set (QueryWorkingSet):
 * Protection (the MM_* mask, 5 bits), ShareCount (3), Shared (1), VirtualPage (20).
 */
export function workingSetBlocks(space: AddressSpace): number[] {
  return space.workingSet.pages().sort((a, b) => a - b).map((vpn) => {
    const pfn = pfnOfPte(space.pageTables.readPte(addressOfVpn(vpn)));
    const vad = space.vads.findByVpn(vpn);
    const shared = space.frames.isPrototype(pfn);
    const protection = vad ? pageProtection(space, vad, vpn, pfn) : space.frames.protectionOf(pfn);
    const shareCount = Math.min(7, shared ? space.frames.shareCountOf(pfn) : 1);
    return ((protection & 0x1f) | (shareCount << 5) | ((shared ? 1 : 0) << 8) | (vpn << 12)) >>> 0;
  });
}

function pageProtection(space: AddressSpace, vad: Vad, vpn: Vpn, pfn: number): ProtectionMask {
  return vad.view && space.frames.isPrototype(pfn) ? viewPageProtection(vad, vpn) : space.frames.protectionOf(pfn);
}
