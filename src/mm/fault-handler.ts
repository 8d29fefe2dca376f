// The page-fault handler: classify the fault, then one small resolver per
// kind. Every outcome is a value the trap layer turns into guest behaviour
// and a trace event; nothing here knows about the CPU.
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, pageBase, pteAddressOf, vpnOf, isKernelAddress, isUserAddress, type Pfn } from './layout.js';
import { PfnState } from './pfn-database.js';
import { balanceWorkingSets } from './working-set-manager.js';
import { resolvePageFileFault } from './pagefile-fault.js';
import { MM_GUARDPAGE, isAccessible, isGuard, isWritable, type ProtectionMask } from './protection.js';
import {
  ZERO_PTE, isCopyOnWritePte, isDecommittedPte, isPageFilePte, isTransitionPte, isValidPte, isWritePte, makeValidUserPte, pfnOfPte,
  softwareProtection, withSoftwareProtection, type PteValue,
} from './pte.js';
import type { Vad } from './vad.js';
import type { NtStatus } from '../nt/status.js';
import { checkForUserStackOverflow, type StackGuardOutcome } from './stack-growth.js';
import { resolveCopyOnWriteFault, resolveSectionFault, type SectionFaultInfo, type SectionResolvedHow } from './section-fault.js';
import { setViewPageProtection, viewPageProtection } from './section-view.js';

export interface FaultInput {
  address: number;
  write: boolean;
  /** The access came from ring 3 (error code U/S bit). */
  user: boolean;
}

export type ResolvedHow = 'demand-zero' | 'transition' | 'already-valid' | 'pagefile-read' | SectionResolvedHow;

/** A hard fault from the page file: where the page was and how many pages the one read brought in. */
export interface PageFileReadInfo { number: number; offset: number; clusterPages: number }
export type RefusedWhy =
  | 'kernel-address'      // user access to 0x80000000 and above
  | 'no-vad'              // no allocation covers the address
  | 'not-committed'       // reserved but not committed
  | 'decommitted'
  | 'no-access'           // PAGE_NOACCESS or a gap in an image
  | 'write-to-read-only';

export type FaultResolution =
  | { kind: 'resolved'; how: ResolvedHow; pfn: Pfn; pteBefore: PteValue; pteAfter: PteValue; vad: Vad | undefined; fileBytes: number; section?: SectionFaultInfo; pageFile?: PageFileReadInfo }
  /** First touch of a guard page: the guard is gone, the guest gets STATUS_GUARD_PAGE_VIOLATION. */
  | { kind: 'guard-page'; pteBefore: PteValue; pteAfter: PteValue; vad: Vad }
  /** The guard page of the thread's stack: the stack grew (retry) or overflowed. */
  | StackGuardOutcome
  | { kind: 'access-violation'; why: RefusedWhy; pteBefore: PteValue; vad: Vad | undefined }
  | { kind: 'no-memory'; pteBefore: PteValue; vad: Vad | undefined }
  /** The page could not be read from the page file (a host I/O error, `ioStatus`): the guest gets STATUS_IN_PAGE_ERROR. */
  | { kind: 'in-page-error'; ioStatus: NtStatus; pteBefore: PteValue; vad: Vad | undefined };

/** Resolves a fault at `input.address`, making the page valid when the access is allowed. */
export function resolvePageFault(space: AddressSpace, input: FaultInput): FaultResolution {
  const { address } = input;
  if (!isUserAddress(address)) return refuse(isKernelAddress(address) ? 'kernel-address' : 'no-vad', ZERO_PTE, undefined);
  if (!isValidPte(space.pageTables.readPte(address))) balanceWorkingSets(space);
  const pte = space.pageTables.readPte(address);
  const vad = space.findVad(address);
  // The host has no mapping left for another page: what Windows does when a resource the fault needs runs out.
  if (!space.pageTables.canMapMorePages() && !(isValidPte(pte) && !input.write)) return { kind: 'no-memory', pteBefore: pte, vad };
  if (isValidPte(pte)) {
    if (input.write && vad?.view && isCopyOnWritePte(pte)) return resolveCopyOnWriteFault(space, address, pte, vad, viewPageProtection(vad, vpnOf(address)));
    return resolveValidPteFault(pte, input, vad);
  }
  if (!vad) return refuse('no-vad', pte, vad);
  if (vad.view && pte === ZERO_PTE) {
    // A view page the process has not touched: the view (or the image page) gives the protection, the prototype PTE the page.
    const protection = viewPageProtection(vad, vpnOf(address));
    if (isGuard(protection)) return resolveViewGuardPageFault(vad, vpnOf(address), pte, protection);
    if (!isAccessible(protection)) return refuse('no-access', pte, vad);
    if (input.write && !isWritable(protection)) return refuse('write-to-read-only', pte, vad);
    return resolveSectionFault(space, address, input.write, pte, vad, protection);
  }
  const protection = protectionForNotPresent(pte, vad);
  if (typeof protection === 'string') return refuse(protection, pte, vad);
  if (isGuard(protection)) return resolveGuardPageFault(space, input, pte, vad, protection);
  if (!isAccessible(protection)) return refuse('no-access', pte, vad);
  if (input.write && !isWritable(protection)) return refuse('write-to-read-only', pte, vad);
  if (isTransitionPte(pte)) return resolveTransitionFault(space, input, pte, vad, protection);
  if (isPageFilePte(pte)) return resolvePageFileFault(space, input.address, pte, vad, protection);
  return resolveDemandZeroFault(space, input, pte, vad, protection);
}

function resolveValidPteFault(pte: PteValue, input: FaultInput, vad: Vad | undefined): FaultResolution {
  if (input.write && !isWritePte(pte)) return refuse('write-to-read-only', pte, vad);
  // The PTE is already valid and allows the access: a stale translation; retry.
  return { kind: 'resolved', how: 'already-valid', pfn: pfnOfPte(pte), pteBefore: pte, pteAfter: pte, vad, fileBytes: 0 };
}

/** The protection a not-present page has: from its software PTE, else from the VAD. */
function protectionForNotPresent(pte: PteValue, vad: Vad): ProtectionMask | RefusedWhy {
  if (isDecommittedPte(pte)) return 'decommitted';
  if (pte !== ZERO_PTE) return softwareProtection(pte);
  if (!vad.memCommit) return 'not-committed';
  return vad.protection;
}

/** The guard is a one-shot alarm: clear it and report; the retried access then faults normally. */
function resolveGuardPageFault(space: AddressSpace, input: FaultInput, pte: PteValue, vad: Vad, protection: ProtectionMask): FaultResolution {
  const unguarded = protection & ~MM_GUARDPAGE;
  // A zero PTE (the VAD's protection) becomes the demand-zero PTE of the unguarded protection; any other keeps its other bits (a transition PTE its frame).
  const after = withSoftwareProtection(pte, unguarded);
  space.pageTables.writeInvalidPte(input.address, after);
  if (vad === space.userStack) return checkForUserStackOverflow(space, input.address, pte, after, vad);
  return { kind: 'guard-page', pteBefore: pte, pteAfter: after, vad };
}

/** A guarded view page (VirtualProtect gave it PAGE_GUARD): the view's page protection drops the guard, then the access is retried. */
function resolveViewGuardPageFault(vad: Vad, vpn: number, pte: PteValue, protection: ProtectionMask): FaultResolution {
  setViewPageProtection(vad, vpn, vpn, protection & ~MM_GUARDPAGE);
  return { kind: 'guard-page', pteBefore: pte, pteAfter: pte, vad };
}

/**
 * A soft fault: the page kept its frame, either while it was no-access or
 * guarded (the frame stayed active) or after it was trimmed (the frame is on
 * the standby or modified list and comes back without I/O).
 */
function resolveTransitionFault(space: AddressSpace, input: FaultInput, pte: PteValue, vad: Vad, protection: ProtectionMask): FaultResolution {
  const pfn = pfnOfPte(pte);
  const state = space.frames.stateOf(pfn);
  if (state === PfnState.Standby || state === PfnState.Modified) space.frames.reclaimFromList(pfn);
  return mapFrame(space, input, pte, vad, protection, pfn, 'transition', 0);
}

function resolveDemandZeroFault(space: AddressSpace, input: FaultInput, pte: PteValue, vad: Vad, protection: ProtectionMask): FaultResolution {
  const pfn = takeZeroedFrame(space, input.address);
  if (pfn === undefined) return { kind: 'no-memory', pteBefore: pte, vad };
  return mapFrame(space, input, pte, vad, protection, pfn, 'demand-zero', 0);
}

export function mapFrame(space: AddressSpace, input: FaultInput, pte: PteValue, vad: Vad, protection: ProtectionMask, pfn: Pfn, how: ResolvedHow, fileBytes: number): FaultResolution {
  const valid = makeValidUserPte(pfn, protection);
  space.pageTables.writeValidPte(input.address, valid);
  space.frames.setProtection(pfn, protection);
  return { kind: 'resolved', how, pfn, pteBefore: pte, pteAfter: valid, vad, fileBytes };
}

function takeZeroedFrame(space: AddressSpace, address: number): Pfn | undefined {
  if (!space.pageTables.ensureTable(address)) return undefined;
  return space.frames.allocateZeroedFrame(pteAddressOf(pageBase(address)), neighbourColour(space, address));
}

/**
 * Page colouring: the frame after the previous page's (or before the next
 * page's), so consecutive pages sit in consecutive frames and their host
 * mappings merge into one.
 */
export function neighbourColour(space: AddressSpace, address: number): Pfn | undefined {
  const page = pageBase(address);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent for user pages (none below 64 KiB); the test only keeps page 0 from reading the PTE of 0xFFFFF000.
  const before = page >= PAGE_SIZE ? space.pageTables.readPte(page - PAGE_SIZE) : ZERO_PTE;
  if (isValidPte(before)) return pfnOfPte(before) + 1;
  const after = space.pageTables.readPte(page + PAGE_SIZE);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: for frame 0 the hint would be -1, which allocateZeroedFrame ignores (no frame has number -1) as it ignores no hint.
  if (isValidPte(after) && pfnOfPte(after) > 0) return pfnOfPte(after) - 1;
  return undefined;
}

const refuse = (why: RefusedWhy, pte: PteValue, vad: Vad | undefined): FaultResolution =>
  ({ kind: 'access-violation', why, pteBefore: pte, vad });
