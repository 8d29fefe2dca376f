// Write watch (MEM_WRITE_WATCH, NtGetWriteWatch, NtResetWriteWatch) for
// private memory, as Windows keeps it: the hardware Dirty bit records a
// write to a valid page; whenever a writer is about to drop that bit (the
// PTE made clean or invalidated: protection changes, decommit, trimming)
// the VAD's bitmap keeps it (MiCaptureWriteWatchDirtyBit), so a page that
// was written, then trimmed or decommitted, still counts. A reset clears
// both; the Dirty bit it clears moves to the frame's Modified bit first
// (MI_CAPTURE_DIRTY_BIT_TO_PFN), so the page is not mistaken for clean.
import type { AddressSpace } from './address-space.js';
import { MM_HIGHEST_VAD_ADDRESS, PAGE_SIZE, addressOfVpn, vpnOf, type Vpn } from './layout.js';
import { isDirtyPte, isValidPte, pfnOfPte, PTE_DIRTY, type PteValue } from './pte.js';
import type { Vad } from './vad.js';
import {
  STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_4,
  STATUS_SUCCESS, type NtStatus,
} from '../nt/status.js';

export const WRITE_WATCH_FLAG_RESET = 0x01;

/**
 * The one function for every path that drops a Dirty bit the MMU set
 * (PageTables calls it through onDirtyBitDropped for invalidatePte and
 * updateValidPte; a pager that rewrites PTEs some other way calls it
 * itself): if `address` lies in a write-watch VAD, its page counts as written.
 */
export function captureWriteWatchDirtyBit(space: AddressSpace, address: number, oldPte: PteValue): void {
  if (!isDirtyPte(oldPte) || space.writeWatchVads === 0) return;
  const vad = space.findVad(address);
  if (vad?.writeWatch) vad.writeWatch[vpnOf(address) - vad.startingVpn] = 1;
}

function isWritten(space: AddressSpace, vad: Vad, vpn: Vpn): boolean {
  if (vad.writeWatch![vpn - vad.startingVpn]) return true;
  const pte = space.pageTables.readPte(addressOfVpn(vpn));
  return isValidPte(pte) && isDirtyPte(pte);
}

/** Clears the page's write-watch state; a valid dirty PTE gives its Dirty bit to the frame's Modified bit. */
function resetPage(space: AddressSpace, vad: Vad, vpn: Vpn): void {
  const address = addressOfVpn(vpn);
  const pte = space.pageTables.readPte(address);
  if (isValidPte(pte) && isDirtyPte(pte)) {
    space.frames.setModified(pfnOfPte(pte), true);
    space.pageTables.updateValidPte(address, (pte & ~PTE_DIRTY) >>> 0);
  }
  vad.writeWatch![vpn - vad.startingVpn] = 0;
}

type RangeResult = { vad: Vad; first: Vpn; last: Vpn } | { status: NtStatus };

/**
 * The write-watch VAD holding all of [base, base + size), pages rounded as
 * the services round them; STATUS_INVALID_PARAMETER when the range is empty,
 * leaves user space, or is not inside one write-watch allocation (Wine's
 * test_write_watch: ERROR_INVALID_PARAMETER for each).
 */
function writeWatchRange(space: AddressSpace, base: number, size: number): RangeResult {
  if (base > MM_HIGHEST_VAD_ADDRESS) return { status: STATUS_INVALID_PARAMETER_3 };
  if (size === 0 || size > MM_HIGHEST_VAD_ADDRESS + 1 - base) return { status: STATUS_INVALID_PARAMETER_4 };
  const first = vpnOf(base), last = vpnOf(base + size - 1);
  const vad = space.vads.findByVpn(first);
  if (!vad?.writeWatch || last > vad.endingVpn) return { status: STATUS_INVALID_PARAMETER };
  return { vad, first, last };
}

export interface GetWriteWatchRequest {
  flags: number;
  base: number;
  size: number;
  /** How many addresses the caller's array holds (at least 1; the service checks). */
  capacity: number;
}

export type GetWriteWatchResult = { status: typeof STATUS_SUCCESS; addresses: number[] } | { status: NtStatus; addresses?: undefined };

/**
 * NtGetWriteWatch: the pages of the range written since the allocation or
 * the last reset, in address order, at most `capacity` of them. With
 * WRITE_WATCH_FLAG_RESET the pages up to the last one reported are reset
 * (all of the range when every written page fit), as Windows does when the
 * array is too small. The granularity is PAGE_SIZE.
 */
export function getWriteWatch(space: AddressSpace, request: GetWriteWatchRequest): GetWriteWatchResult {
  if (request.flags & ~WRITE_WATCH_FLAG_RESET) return { status: STATUS_INVALID_PARAMETER_2 };
  const range = writeWatchRange(space, request.base, request.size);
  if ('status' in range) return { status: range.status };
  const { vad, first, last } = range;
  const addresses: number[] = [];
  let resetThrough = last;
  for (let vpn = first; vpn <= last; vpn++) {
    if (!isWritten(space, vad, vpn)) continue;
    if (addresses.length === request.capacity) { resetThrough = vpn - 1; break; }
    addresses.push(addressOfVpn(vpn));
  }
  if (request.flags & WRITE_WATCH_FLAG_RESET) for (let vpn = first; vpn <= resetThrough; vpn++) resetPage(space, vad, vpn);
  return { status: STATUS_SUCCESS, addresses };
}

/** NtResetWriteWatch: forgets the writes to every page of the range. */
export function resetWriteWatch(space: AddressSpace, base: number, size: number): NtStatus {
  const range = writeWatchRange(space, base, size);
  if ('status' in range) return range.status;
  for (let vpn = range.first; vpn <= range.last; vpn++) resetPage(space, range.vad, vpn);
  return STATUS_SUCCESS;
}

/** Bytes per write-watch granule, the Granularity NtGetWriteWatch returns. */
export const WRITE_WATCH_GRANULARITY = PAGE_SIZE;
