// The virtual-memory services' semantics — what NtAllocateVirtualMemory,
// NtFreeVirtualMemory, NtProtectVirtualMemory and NtQueryVirtualMemory do to
// an address space — on plain values, so they are testable without a CPU.
// The system-call layer captures the guest's arguments and writes results back.
import type { AddressSpace } from './address-space.js';
import {
  ALLOCATION_GRANULARITY, MM_HIGHEST_USER_ADDRESS, MM_HIGHEST_VAD_ADDRESS, MM_LOWEST_USER_ADDRESS, MM_SYSTEM_RANGE_START, PAGE_MASK, PAGE_SIZE,
  addressOfVpn, layoutRegionOf, pageBase, vpnOf, type LayoutRegion, type Vpn,
} from './layout.js';
import { pageStateOf, type PageState } from './page-state.js';
import {
  MM_NOACCESS, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_READWRITE, PAGE_WRITECOPY, isAccessible, isCompatibleProtection, isCopyOnWrite, isGuard, makeProtectionMask, protectionFromMask, type ProtectionMask,
} from './protection.js';
import {
  ZERO_PTE, isDirtyPte, isPageFilePte, isTransitionPte, isValidPte, makeDecommittedPte, makeDemandZeroPte, makeTransitionPte, makeValidUserPte,
  pfnOfPte, withSoftwareProtection, PTE_ACCESSED, PTE_DIRTY,
} from './pte.js';
import { PfnState } from './pfn-database.js';
import { releaseNotPresentPage } from './page-release.js';
import { resetVirtualMemory, undoResetVirtualMemory } from './working-set-services.js';
import { OutOfFramesError } from './page-tables.js';
import { VadType, type Vad } from './vad.js';
import { commitInView, setViewPageProtection } from './section-view.js';
import { writableCounterpart } from './section.js';
import { KernelPanic } from './panic.js';
import { runArgumentChecks, type ArgumentCheck } from './argument-checks.js';
import {
  STATUS_COMMITMENT_LIMIT, STATUS_CONFLICTING_ADDRESSES, STATUS_FREE_VM_NOT_AT_BASE, STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_MEMORY_NOT_ALLOCATED, STATUS_NOT_COMMITTED, STATUS_NOT_SUPPORTED, STATUS_NO_MEMORY, STATUS_SECTION_PROTECTION,
  STATUS_SUCCESS, STATUS_UNABLE_TO_DELETE_SECTION, STATUS_UNABLE_TO_FREE_VM, type NtStatus,
} from '../nt/status.js';

export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_DECOMMIT = 0x4000;
export const MEM_RELEASE = 0x8000;
export const MEM_FREE = 0x10000;
export const MEM_PRIVATE = 0x20000;
export const MEM_MAPPED = 0x40000;
export const MEM_RESET = 0x80000;
export const MEM_TOP_DOWN = 0x100000;
export const MEM_WRITE_WATCH = 0x200000;
export const MEM_PHYSICAL = 0x400000;
export const MEM_IMAGE = 0x1000000;
export const MEM_LARGE_PAGES = 0x20000000;
/** Windows 8's MEM_RESET_UNDO (the same value as MEM_IMAGE, which is never an allocation type). */
export const MEM_RESET_UNDO = 0x1000000;


/** A range as the services report it back: base and size in bytes. */
export interface Region { base: number; size: number }
export type RegionResult = { status: typeof STATUS_SUCCESS; region: Region } | { status: NtStatus; region?: undefined };

const fail = (status: NtStatus): RegionResult => ({ status });
const ok = (base: number, size: number): RegionResult => ({ status: STATUS_SUCCESS, region: { base: base >>> 0, size } });

/**
 * A service's arguments as its check table reads them. `capture` is the
 * service's probe of the caller's pointers, which fills in base and size
 * (direct callers pass the values and no capture); `processStatus` is why the
 * process handle cannot be used (not a process handle, not granted the right
 * the service needs, a process that has ended), undefined when it can.
 */
interface ServiceArguments { base: number; size: number; capture?: () => void; processStatus?: NtStatus }

export interface AllocateRequest extends ServiceArguments { zeroBits: number; allocationType: number; protect: number }

/** MM_MAXIMUM_ZERO_BITS on x86. */
export const MAXIMUM_ZERO_BITS = 21;
const KNOWN_ALLOCATION_TYPES = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO | MEM_TOP_DOWN | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_LARGE_PAGES;
// Stryker disable StringLiteral: a check's name and a capture's description document the order; no code reads them (equivalent mutants)
const captureRow = <C extends ServiceArguments>(what: string): ArgumentCheck<C> => ({ capture: what, run: (c) => c.capture?.() });
const processRow = <C extends ServiceArguments>(): ArgumentCheck<C> => ({
  check: 'ProcessHandle', fails: (c) => c.processStatus !== undefined, status: STATUS_INVALID_HANDLE, statusOf: (c) => c.processStatus ?? STATUS_INVALID_HANDLE,
});

/** NtAllocateVirtualMemory's checks in Windows' order (WRK NtAllocateVirtualMemory; ReactOS ARM3 virtual.c). */
export const ALLOCATE_CHECKS: readonly ArgumentCheck<AllocateRequest>[] = [
  { check: 'ZeroBits above 21', fails: (c) => c.zeroBits > MAXIMUM_ZERO_BITS, status: STATUS_INVALID_PARAMETER_3 },
  { check: 'unknown AllocationType bits', fails: (c) => (c.allocationType & ~KNOWN_ALLOCATION_TYPES) !== 0, status: STATUS_INVALID_PARAMETER_5 },
  { check: 'none of MEM_COMMIT, MEM_RESERVE, MEM_RESET, MEM_RESET_UNDO', fails: (c) => (c.allocationType & (MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_RESET_UNDO)) === 0, status: STATUS_INVALID_PARAMETER_5 },
  {
    check: 'MEM_RESET or MEM_RESET_UNDO with another flag',
    fails: (c) => (c.allocationType & (MEM_RESET | MEM_RESET_UNDO)) !== 0 && c.allocationType !== MEM_RESET && c.allocationType !== MEM_RESET_UNDO,
    status: STATUS_INVALID_PARAMETER_5,
  },
  {
    check: 'MEM_LARGE_PAGES without MEM_COMMIT or with other flags',
    fails: (c) => (c.allocationType & MEM_LARGE_PAGES) !== 0 && (!(c.allocationType & MEM_COMMIT) || (c.allocationType & ~(MEM_LARGE_PAGES | MEM_COMMIT | MEM_RESERVE | MEM_TOP_DOWN)) !== 0),
    status: STATUS_INVALID_PARAMETER_5,
  },
  { check: 'MEM_WRITE_WATCH without MEM_RESERVE', fails: (c) => (c.allocationType & MEM_WRITE_WATCH) !== 0 && !(c.allocationType & MEM_RESERVE), status: STATUS_INVALID_PARAMETER_5 },
  {
    check: 'MEM_PHYSICAL without MEM_RESERVE or with other flags',
    fails: (c) => (c.allocationType & MEM_PHYSICAL) !== 0 && (!(c.allocationType & MEM_RESERVE) || (c.allocationType & ~(MEM_PHYSICAL | MEM_RESERVE | MEM_TOP_DOWN)) !== 0),
    status: STATUS_INVALID_PARAMETER_5,
  },
  { check: 'MEM_PHYSICAL not PAGE_READWRITE', fails: (c) => (c.allocationType & MEM_PHYSICAL) !== 0 && c.protect !== PAGE_READWRITE, status: STATUS_INVALID_PAGE_PROTECTION },
  { check: 'Protect not a protection', fails: (c) => makeProtectionMask(c.protect) === undefined, status: STATUS_INVALID_PAGE_PROTECTION },
  captureRow('probe and read *BaseAddress and *RegionSize'),
  { check: 'BaseAddress above MM_HIGHEST_VAD_ADDRESS', fails: (c) => c.base > MM_HIGHEST_VAD_ADDRESS, status: STATUS_INVALID_PARAMETER_2 },
  { check: 'RegionSize past MM_HIGHEST_VAD_ADDRESS', fails: (c) => MM_HIGHEST_VAD_ADDRESS + 1 - c.base < c.size, status: STATUS_INVALID_PARAMETER_4 },
  { check: 'RegionSize 0', fails: (c) => c.size === 0, status: STATUS_INVALID_PARAMETER_4 },
  processRow(),
];
// Stryker restore StringLiteral

/**
 * NtAllocateVirtualMemory: reserve, commit, or both, once ALLOCATE_CHECKS
 * passed; write-copy is for views only, MEM_PHYSICAL and MEM_LARGE_PAGES are
 * not modelled (STATUS_NOT_SUPPORTED).
 */
export function allocateVirtualMemory(space: AddressSpace, request: AllocateRequest): RegionResult {
  const refused = runArgumentChecks(ALLOCATE_CHECKS, request);
  if (refused !== undefined) return fail(refused);
  const { base, size, zeroBits, allocationType, protect } = request;
  if (allocationType & (MEM_RESET | MEM_RESET_UNDO)) return resetOrUndo(space, request);
  if (allocationType & (MEM_PHYSICAL | MEM_LARGE_PAGES)) return fail(STATUS_NOT_SUPPORTED);
  const mask = makeProtectionMask(protect)!; // ALLOCATE_CHECKS refused anything else
  if (isCopyOnWrite(mask)) return fail(STATUS_INVALID_PAGE_PROTECTION); // write-copy is for views only
  const commit = (allocationType & MEM_COMMIT) !== 0;
  // Committing at no particular address reserves too, as VirtualAlloc(NULL, n, MEM_COMMIT) does.
  if (allocationType & MEM_RESERVE || base === 0) {
    return reserveRange(space, base, size, mask, commit, allocationType, zeroBits);
  }
  return commitInReservation(space, base, size, protect, mask);
}

/** MEM_RESET and MEM_RESET_UNDO, each on its own (ALLOCATE_CHECKS refused any other flag with them), over committed pages of one private allocation. */
function resetOrUndo(space: AddressSpace, request: AllocateRequest): RegionResult {
  const { base, size, allocationType } = request;
  const result = allocationType === MEM_RESET ? resetVirtualMemory(space, base, size) : undoResetVirtualMemory(space, base, size);
  return result.status === STATUS_SUCCESS ? ok(result.base!, result.size!) : fail(result.status);
}

function reserveRange(space: AddressSpace, base: number, size: number, mask: ProtectionMask, commit: boolean, allocationType: number, zeroBits: number): RegionResult {
  const topDown = (allocationType & MEM_TOP_DOWN) !== 0;
  let startingVpn: Vpn;
  let pages: number;
  if (base === 0) {
    pages = Math.ceil(size / PAGE_SIZE);
    const highest = zeroBits ? Math.min(MM_HIGHEST_VAD_ADDRESS, 2 ** (32 - zeroBits) - 1) : MM_HIGHEST_VAD_ADDRESS;
    const found = space.findEmptyAddressRange(pages, topDown, highest);
    if (found === undefined) return fail(STATUS_NO_MEMORY);
    startingVpn = found;
  } else {
    const start = base - (base % ALLOCATION_GRANULARITY);
    const end = ((base + size - 1) | PAGE_MASK) >>> 0;
    if (start < MM_LOWEST_USER_ADDRESS) return fail(STATUS_INVALID_PARAMETER_2);
    startingVpn = vpnOf(start);
    pages = vpnOf(end) - startingVpn + 1;
  }
  const vad = space.createVad({
    startingVpn, endingVpn: startingVpn + pages - 1, protection: mask, privateMemory: true, memCommit: commit,
    writeWatch: (allocationType & MEM_WRITE_WATCH) !== 0,
  });
  if (typeof vad === 'number') return fail(vad);
  return ok(vad.startAddress, pages * PAGE_SIZE);
}

function commitInReservation(space: AddressSpace, base: number, size: number, protect: number, mask: ProtectionMask): RegionResult {
  const range = pageRange(base, size);
  const vad = space.vads.findByVpn(range.first);
  if (vad?.view && range.last <= vad.endingVpn) {
    const status = commitInView(space, vad, range.first, range.last, protect, mask);
    return status === STATUS_SUCCESS ? ok(addressOfVpn(range.first), (range.last - range.first + 1) * PAGE_SIZE) : fail(status);
  }
  if (!vad || range.last > vad.endingVpn || !vad.privateMemory) return fail(STATUS_CONFLICTING_ADDRESSES);
  let uncommitted = 0;
  for (let vpn = range.first; vpn <= range.last; vpn++) if (!pageStateOf(space, vad, vpn).committed) uncommitted++;
  if (uncommitted && space.chargeCommit(vad, uncommitted) !== STATUS_SUCCESS) return fail(STATUS_COMMITMENT_LIMIT);
  // A committed page takes the new protection, keeping its frame; an uncommitted one (no frame) gets a demand-zero PTE with it.
  for (let vpn = range.first; vpn <= range.last; vpn++) setPageProtection(space, vpn, pageStateOf(space, vad, vpn), mask);
  return ok(addressOfVpn(range.first), range.pages * PAGE_SIZE);
}

export interface FreeRequest extends ServiceArguments { freeType: number }

/** NtFreeVirtualMemory's checks (WRK NtFreeVirtualMemory): FreeType, the probes, the range against MM_HIGHEST_USER_ADDRESS, the process. */
// Stryker disable StringLiteral: a check's name and a capture's description document the order; no code reads them (equivalent mutants)
export const FREE_CHECKS: readonly ArgumentCheck<FreeRequest>[] = [
  { check: 'FreeType not exactly one of MEM_DECOMMIT, MEM_RELEASE', fails: (c) => c.freeType !== MEM_DECOMMIT && c.freeType !== MEM_RELEASE, status: STATUS_INVALID_PARAMETER_4 },
  captureRow('probe and read *BaseAddress and *RegionSize'),
  { check: 'BaseAddress above MM_HIGHEST_USER_ADDRESS', fails: (c) => c.base > MM_HIGHEST_USER_ADDRESS, status: STATUS_INVALID_PARAMETER_2 },
  { check: 'RegionSize past MM_HIGHEST_USER_ADDRESS', fails: (c) => MM_HIGHEST_USER_ADDRESS + 1 - c.base < c.size, status: STATUS_INVALID_PARAMETER_3 },
  processRow(),
];
// Stryker restore StringLiteral

/** NtFreeVirtualMemory: decommit pages or release a whole allocation (the service checked the arguments: FREE_CHECKS). */
export function freeVirtualMemory(space: AddressSpace, request: FreeRequest): RegionResult {
  const refused = runArgumentChecks(FREE_CHECKS, request);
  if (refused !== undefined) return fail(refused);
  const { base, size, freeType } = request;
  const vad = space.findVad(base);
  if (!vad) return fail(STATUS_MEMORY_NOT_ALLOCATED);
  if (!vad.privateMemory) return fail(STATUS_UNABLE_TO_DELETE_SECTION);
  const range = size === 0 ? { first: vpnOf(base), last: vad.endingVpn } : pageRange(base, size);
  if (range.last > vad.endingVpn) return fail(STATUS_UNABLE_TO_FREE_VM);
  if (freeType === MEM_RELEASE) {
    if (range.first !== vad.startingVpn) return fail(STATUS_FREE_VM_NOT_AT_BASE);
    if (range.last !== vad.endingVpn) return fail(STATUS_UNABLE_TO_FREE_VM);
    releaseVad(space, vad);
    return ok(vad.startAddress, vad.pageCount * PAGE_SIZE);
  }
  decommitPages(space, vad, range.first, range.last);
  return ok(addressOfVpn(range.first), (range.last - range.first + 1) * PAGE_SIZE);
}

/** Frees every page of the VAD, gives its commit back and removes it from the tree. */
export function releaseVad(space: AddressSpace, vad: Vad): void {
  for (let vpn = vad.startingVpn; vpn <= vad.endingVpn; vpn++) discardPage(space, vpn, ZERO_PTE);
  space.releaseCommit(vad, vad.commitCharge);
  space.vads.remove(vad);
  if (vad.writeWatch) space.writeWatchVads--;
}

function decommitPages(space: AddressSpace, vad: Vad, first: Vpn, last: Vpn): void {
  let released = 0;
  // With MemCommit set a zero PTE would read as committed, so mark decommitted pages explicitly.
  const replacement = vad.memCommit ? makeDecommittedPte() : ZERO_PTE;
  for (let vpn = first; vpn <= last; vpn++) {
    if (pageStateOf(space, vad, vpn).committed) released++;
    discardPage(space, vpn, replacement);
  }
  space.releaseCommit(vad, released);
}

/** Drops the page's frame if it has one and leaves `replacement` in its PTE. */
function discardPage(space: AddressSpace, vpn: Vpn, replacement: number): void {
  const address = addressOfVpn(vpn);
  const tables = space.pageTables;
  const pte = tables.readPte(address); // ZERO_PTE where no page table exists: nothing to give back
  if (isValidPte(pte)) {
    tables.invalidatePte(address, replacement);
    space.frames.releaseFrame(pfnOfPte(pte));
  } else {
    releaseNotPresentPage(space, pte);
    writeSoftwarePte(space, vpn, replacement); // a zero PTE where no table exists creates none
  }
}

export interface ProtectRequest extends ServiceArguments {
  protect: number;
  /** The service's probe of *OldAccessProtection for writing. */
  captureOldProtect?: () => void;
}

/** NtProtectVirtualMemory's checks (WRK NtProtectVirtualMemory): the protection, the probes, the range, the process. */
// Stryker disable StringLiteral: a check's name and a capture's description document the order; no code reads them (equivalent mutants)
export const PROTECT_CHECKS: readonly ArgumentCheck<ProtectRequest>[] = [
  { check: 'NewAccessProtection not a protection', fails: (c) => makeProtectionMask(c.protect) === undefined, status: STATUS_INVALID_PAGE_PROTECTION },
  captureRow('probe and read *BaseAddress and *NumberOfBytesToProtect'),
  { capture: 'probe *OldAccessProtection for writing', run: (c) => c.captureOldProtect?.() },
  { check: 'BaseAddress above MM_HIGHEST_USER_ADDRESS', fails: (c) => c.base > MM_HIGHEST_USER_ADDRESS, status: STATUS_INVALID_PARAMETER_2 },
  { check: 'size 0 or past MM_HIGHEST_USER_ADDRESS', fails: (c) => c.size === 0 || MM_HIGHEST_USER_ADDRESS + 1 - c.base < c.size, status: STATUS_INVALID_PARAMETER_3 },
  processRow(),
];
// Stryker restore StringLiteral
export type ProtectResult = { status: typeof STATUS_SUCCESS; region: Region; oldProtect: number } | { status: NtStatus; region?: undefined; oldProtect?: undefined };

/** NtProtectVirtualMemory: every page of the range must be committed, inside one allocation (the service checked the arguments: PROTECT_CHECKS). */
export function protectVirtualMemory(space: AddressSpace, request: ProtectRequest): ProtectResult {
  const refused = runArgumentChecks(PROTECT_CHECKS, request);
  if (refused !== undefined) return { status: refused };
  const { base, size, protect } = request;
  const mask = makeProtectionMask(protect)!;
  const range = pageRange(base, size);
  const vad = space.vads.findByVpn(range.first);
  if (!vad) return { status: STATUS_MEMORY_NOT_ALLOCATED };
  if (range.last > vad.endingVpn) return { status: STATUS_CONFLICTING_ADDRESSES };
  if (vad.privateMemory && isCopyOnWrite(mask)) return { status: STATUS_INVALID_PAGE_PROTECTION };
  if (vad.vadType === VadType.VadImageMap) return protectImagePages(space, vad, range, protect);
  if (vad.view) return protectViewPages(space, vad, range, protect, mask);
  const states: PageState[] = [];
  for (let vpn = range.first; vpn <= range.last; vpn++) states.push(pageStateOf(space, vad, vpn));
  if (states.some((s) => !s.committed)) return { status: STATUS_NOT_COMMITTED };
  states.forEach((state, i) => setPageProtection(space, range.first + i, state, mask));
  return { status: STATUS_SUCCESS, region: { base: addressOfVpn(range.first), size: range.pages * PAGE_SIZE }, oldProtect: protectionFromMask(states[0]!.protection) };
}

/**
 * VirtualProtect inside an image view: a writable protection becomes its
 * copy-on-write counterpart (PAGE_READWRITE → PAGE_WRITECOPY,
 * PAGE_EXECUTE_READWRITE → PAGE_EXECUTE_WRITECOPY), since an image's pages
 * are shared with the file and every process mapping it (WRK
 * MiProtectVirtualMemory: an image VAD is copy-on-write, so a write
 * protection gets MM_PROTECTION_COPY_MASK; Windows Internals 7th ed., ch. 5
 * "Copy-on-write"). The first write then takes a private copy, as
 * mingw's pseudo-relocation code relies on when it patches .text/.rdata.
 */
function protectImagePages(space: AddressSpace, vad: Vad, range: { first: Vpn; last: Vpn; pages: number }, protect: number): ProtectResult {
  const base = protect & 0xff;
  const copyOnWrite = base === PAGE_READWRITE ? PAGE_WRITECOPY : base === PAGE_EXECUTE_READWRITE ? PAGE_EXECUTE_WRITECOPY : base;
  const converted = (protect & ~0xff) | copyOnWrite;
  return protectViewPages(space, vad, range, converted, makeProtectionMask(converted)!);
}

/**
 * VirtualProtect inside a view of a data section: allowed within what the
 * view's protection permits (WRK MiProtectVirtualMemory:
 * MiIsPteProtectionCompatible against the VAD's protection, else
 * STATUS_SECTION_PROTECTION), on committed pages only (a SEC_RESERVE
 * section's uncommitted pages: STATUS_NOT_COMMITTED). The pages take the
 * protection in this view only; a shared frame's PTE changes its rights in
 * place, or is dropped (one share less) for PAGE_NOACCESS or PAGE_GUARD; a
 * private copy-on-write copy changes like a private page.
 */
function protectViewPages(space: AddressSpace, vad: Vad, range: { first: Vpn; last: Vpn; pages: number }, protect: number, mask: ProtectionMask): ProtectResult {
  if (!isCompatibleProtection(vad.protection, protect)) return { status: STATUS_SECTION_PROTECTION };
  const states: PageState[] = [];
  for (let vpn = range.first; vpn <= range.last; vpn++) states.push(pageStateOf(space, vad, vpn));
  if (states.some((s) => !s.committed)) return { status: STATUS_NOT_COMMITTED };
  // Pages made copy-on-write may each get a private copy: charged now, as a copy-on-write view is when mapped.
  // A view never needs more copies than it has pages: a page made copy-on-write again (after going back) is not charged twice.
  const newlyCopyOnWrite = isCopyOnWrite(mask)
    ? Math.min(states.filter((state) => !isCopyOnWrite(state.protection)).length, vad.pageCount - vad.commitCharge)
    : 0;
  if (newlyCopyOnWrite && space.chargeCommit(vad, newlyCopyOnWrite) !== STATUS_SUCCESS) return { status: STATUS_COMMITMENT_LIMIT };
  states.forEach((state, i) => protectViewPage(space, range.first + i, state, mask));
  setViewPageProtection(vad, range.first, range.last, mask);
  return { status: STATUS_SUCCESS, region: { base: addressOfVpn(range.first), size: range.pages * PAGE_SIZE }, oldProtect: protectionFromMask(states[0]!.protection) };
}

function protectViewPage(space: AddressSpace, vpn: Vpn, state: PageState, mask: ProtectionMask): void {
  const address = addressOfVpn(vpn);
  const pte = space.pageTables.readPte(address);
  if (!isValidPte(pte) && !isTransitionPte(pte)) return; // not resident here: the next fault reads the view's protection
  const pfn = pfnOfPte(pte);
  if (!space.frames.isPrototype(pfn)) {
    setPageProtection(space, vpn, state, writableCounterpart(mask)); // a private copy is past copy-on-write
    return;
  }
  if (isAccessible(mask) && !isGuard(mask)) {
    space.pageTables.updateValidPte(address, (makeValidUserPte(pfn, mask) | (pte & (PTE_ACCESSED | PTE_DIRTY))) >>> 0);
    return;
  }
  const old = space.pageTables.invalidatePte(address, ZERO_PTE);
  if (isDirtyPte(old)) space.frames.setModified(pfn, true);
  space.frames.releaseFrame(pfn);
}

/** Gives a committed page a new protection, keeping its frame if it has one. */
function setPageProtection(space: AddressSpace, vpn: Vpn, state: PageState, mask: ProtectionMask): void {
  const address = addressOfVpn(vpn);
  if (state.pfn === undefined) {
    const pte = space.pageTables.readPte(address);
    writeSoftwarePte(space, vpn, isPageFilePte(pte) ? withSoftwareProtection(pte, mask) : makeDemandZeroPte(mask));
    return;
  }
  const tables = space.pageTables;
  const old = tables.readPte(address);
  const keepsFrameVisible = isAccessible(mask) && !isGuard(mask);
  space.frames.setProtection(state.pfn, mask);
  if (isTransitionPte(old) && space.frames.stateOf(state.pfn) !== PfnState.Active) {
    // A trimmed page: it stays out of the working set, its transition PTE takes the new protection.
    tables.writeInvalidPte(address, makeTransitionPte(state.pfn, mask));
    return;
  }
  if (!keepsFrameVisible) {
    if (isValidPte(old)) tables.invalidatePte(address, makeTransitionPte(state.pfn, mask));
    else tables.writeInvalidPte(address, makeTransitionPte(state.pfn, mask));
    return;
  }
  const valid = (makeValidUserPte(state.pfn, mask) | (isValidPte(old) ? old & (PTE_ACCESSED | PTE_DIRTY) : 0)) >>> 0;
  if (isValidPte(old)) tables.updateValidPte(address, valid);
  else tables.writeValidPte(address, valid);
}

function writeSoftwarePte(space: AddressSpace, vpn: Vpn, pte: number): void {
  try {
    space.pageTables.writeInvalidPte(addressOfVpn(vpn), pte);
  } catch (error) {
    // Page tables come from frames kept out of the commit limit; running out of them is a kernel bug.
    // Stryker disable next-line ConditionalExpression: the writer's only other error, a valid PTE, never meets this path (callers write where no frame is)
    if (error instanceof OutOfFramesError) throw new KernelPanic('out of frames for page tables');
    throw error;
  }
}

export interface MemoryBasicInformation {
  baseAddress: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  state: number;
  protect: number;
  type: number;
}

/** NtQueryVirtualMemory(MemoryBasicInformation): the run of pages like the one at `address`. */
export function queryVirtualMemory(space: AddressSpace, address: number): MemoryBasicInformation | NtStatus {
  if (address >>> 0 >= MM_SYSTEM_RANGE_START) return STATUS_INVALID_PARAMETER;
  const region = layoutRegionOf(address)!;
  if (region.kind !== 'vads' && region.kind !== 'free') return describeFixedRegion(region, address);
  const vpn = vpnOf(address);
  const vad = space.vads.findByVpn(vpn);
  if (!vad) return describeFreeRegion(space, vpn);
  const first = pageStateOf(space, vad, vpn);
  let last = vpn;
  while (last < vad.endingVpn && sameState(first, pageStateOf(space, vad, last + 1))) last++;
  return {
    baseAddress: addressOfVpn(vpn),
    allocationBase: vad.startAddress,
    allocationProtect: protectionFromMask(vad.protection),
    regionSize: (last - vpn + 1) * PAGE_SIZE,
    state: first.committed ? MEM_COMMIT : MEM_RESERVE,
    protect: first.committed ? protectionFromMask(first.protection) : 0,
    type: vad.vadType === VadType.VadImageMap ? MEM_IMAGE : vad.privateMemory ? MEM_PRIVATE : MEM_MAPPED,
  };
}

/** A fixed region of the layout: KUSER_SHARED_DATA (committed, read-only) or a reservation nobody can commit. */
function describeFixedRegion(region: LayoutRegion, address: number): MemoryBasicInformation {
  const committed = region.kind === 'shared-user-data';
  return {
    baseAddress: pageBase(address), allocationBase: region.allocationBase!, allocationProtect: region.allocationProtect!,
    regionSize: region.end + 1 - pageBase(address), state: committed ? MEM_COMMIT : MEM_RESERVE,
    protect: committed ? region.allocationProtect! : protectionFromMask(MM_NOACCESS), type: MEM_PRIVATE,
  };
}

function describeFreeRegion(space: AddressSpace, vpn: Vpn): MemoryBasicInformation {
  const lowest = vpnOf(MM_LOWEST_USER_ADDRESS);
  const next = space.vads.findNextAtOrAfter(vpn);
  const end = vpn < lowest ? lowest : Math.min(next ? next.startingVpn : Infinity, vpnOf(MM_HIGHEST_VAD_ADDRESS) + 1);
  return {
    baseAddress: addressOfVpn(vpn), allocationBase: 0, allocationProtect: 0,
    regionSize: (end - vpn) * PAGE_SIZE, state: MEM_FREE, protect: protectionFromMask(MM_NOACCESS), type: 0,
  };
}

// Stryker disable next-line ConditionalExpression: an uncommitted page's protection is MM_ZERO_ACCESS, which no committed page has, so `committed` never decides alone
const sameState = (a: PageState, b: PageState): boolean => a.committed === b.committed && a.protection === b.protection;

/** Pages covering [base, base + size), as the services round them. */
function pageRange(base: number, size: number): { first: Vpn; last: Vpn; pages: number } {
  const first = vpnOf(base);
  const last = vpnOf(base + Math.max(size, 1) - 1);
  return { first, last, pages: last - first + 1 };
}

