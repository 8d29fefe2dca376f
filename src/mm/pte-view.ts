// The PDE and PTE of an address, decoded the way WinDbg's !pte shows them.
import type { AddressSpace } from './address-space.js';
import { hex32 } from './layout.js';
import { describeMask } from './protection.js';
import {
  describeValidPte, isDecommittedPte, isPageFilePte, isTransitionPte, pageFileNumberOf, pageFileOffsetOf, isValidPte, pfnOfPte, softwareProtection, ZERO_PTE, type PteValue,
} from './pte.js';
import { MM_GUARDPAGE } from './protection.js';
import { vpnOf } from './layout.js';
import { PfnState } from './pfn-database.js';
import { isInFilePrototype } from './section.js';
import { prototypeIndexOf } from './section-view.js';

export type PteState = 'valid' | 'transition' | 'pagefile' | 'demand-zero' | 'guard' | 'decommitted' | 'zero' | 'no-page-table';

export interface PteView {
  address: number;
  pdeAddress: number;
  pde: PteValue;
  pteAddress: number;
  pte: PteValue;
  state: PteState;
  /** Real frame of the page when valid or in transition. */
  pfn?: number;
  /** Transition: the list the frame is on (Active for a no-access page, Standby or Modified after a trim). */
  list?: 'Active' | 'Standby' | 'Modified';
  /** A page-file PTE (or a page-file prototype PTE): which page file and the offset in it, in pages. */
  pageFile?: { number: number; offset: number };
  /** Real frame of the page table. */
  tablePfn?: number;
  flags: string[];
  /** Software protection of a not-present PTE (MM_* names). */
  protection?: string;
  /** In a view: the prototype PTE behind the page, decoded, and the frame's share count when resident. */
  prototype?: {
    address: number; value: PteValue;
    /** resident: valid, some view maps it; transition: resident, no view maps it (the frame is on standby or modified). */
    state: 'resident' | 'transition' | 'demand-zero' | 'in-file' | 'pagefile' | 'not-committed';
    shareCount?: number; pageFile?: { number: number; offset: number };
  };
}

export function decodePte(space: AddressSpace, address: number): PteView {
  const view = decodeHardwarePte(space, address);
  const vad = space.findVad(address);
  if (!vad?.view) return view;
  const index = prototypeIndexOf(vad, vpnOf(address));
  const segment = vad.view.controlArea.segment;
  const value = segment.prototypePtes.get(index);
  const state = isValidPte(value) ? 'resident' : isTransitionPte(value) ? 'transition' : value === 0 ? 'not-committed'
    : isInFilePrototype(value) ? 'in-file' : isPageFilePte(value) ? 'pagefile' : 'demand-zero';
  return {
    ...view,
    prototype: {
      address: segment.prototypePteAddress(index), value, state,
      ...(isValidPte(value) || isTransitionPte(value) ? { shareCount: space.frames.shareCountOf(pfnOfPte(value)) } : {}),
      ...(isPageFilePte(value) ? { pageFile: pageFileLocationOf(value) } : {}),
    },
  };
}

function decodeHardwarePte(space: AddressSpace, address: number): PteView {
  const walk = space.pageTables.walk(address);
  const base = { address: address >>> 0, pdeAddress: walk.pdeAddress, pde: walk.pde, pteAddress: walk.pteAddress, pte: walk.pte };
  if (walk.tablePfn === undefined) return { ...base, state: 'no-page-table', flags: [] };
  const pte = walk.pte;
  if (isValidPte(pte)) return { ...base, tablePfn: walk.tablePfn, state: 'valid', pfn: pfnOfPte(pte), flags: describeValidPte(pte) };
  if (pte === ZERO_PTE) return { ...base, tablePfn: walk.tablePfn, state: 'zero', flags: [] };
  if (isDecommittedPte(pte)) return { ...base, tablePfn: walk.tablePfn, state: 'decommitted', flags: [] };
  const mask = softwareProtection(pte);
  if (isTransitionPte(pte)) {
    const list = PfnState[space.frames.stateOf(pfnOfPte(pte))] as 'Active' | 'Standby' | 'Modified';
    return { ...base, tablePfn: walk.tablePfn, state: 'transition', pfn: pfnOfPte(pte), list, flags: [], protection: describeMask(mask) };
  }
  if (isPageFilePte(pte)) return { ...base, tablePfn: walk.tablePfn, state: 'pagefile', pageFile: pageFileLocationOf(pte), flags: [], protection: describeMask(mask) };
  const state: PteState = (mask & 0x18) === MM_GUARDPAGE ? 'guard' : 'demand-zero';
  return { ...base, tablePfn: walk.tablePfn, state, flags: [], protection: describeMask(mask) };
}

const pageFileLocationOf = (pte: PteValue): { number: number; offset: number } => ({ number: pageFileNumberOf(pte), offset: pageFileOffsetOf(pte) });

const PROTOTYPE_TEXT = {
  resident: 'resident',
  transition: 'Transition: resident, no view maps it (standby or modified list)',
  pagefile: 'in the page file',
  'demand-zero': 'committed, demand-zero (page-file-backed)',
  'in-file': 'in the file (read on first touch)',
  'not-committed': 'not committed (SEC_RESERVE)',
} as const;

const STATE_TEXT: Record<PteState, string> = {
  valid: '',
  transition: 'not valid, Transition (the frame is kept)',
  pagefile: 'not valid, in the page file',
  'demand-zero': 'not valid, DemandZero',
  guard: 'not valid, DemandZero, guard page',
  decommitted: 'not valid, Decommitted',
  zero: 'not valid, zero PTE (the VAD decides)',
  'no-page-table': 'no page table (the VAD decides)',
};

/** WinDbg's words for a page-file PTE: "PageFile: 0, Offset: 1a2" (offset in pages, hex). */
const formatPageFileLocation = (location: { number: number; offset: number }): string => `PageFile: ${location.number}, Offset: ${location.offset.toString(16)}`;

/** Text in the spirit of WinDbg's !pte. */
export function formatPteView(view: PteView): string {
  const lines = [
    `VA ${hex32(view.address)}`,
    `PDE at ${hex32(view.pdeAddress)}    contains ${hex32(view.pde)}${view.tablePfn !== undefined ? `    page table pfn ${view.tablePfn.toString(16)}` : ''}`,
    `PTE at ${hex32(view.pteAddress)}    contains ${hex32(view.pte)}`,
  ];
  if (view.state === 'valid') lines.push(`pfn ${view.pfn!.toString(16)}    ${view.flags.join(' ')}`);
  else {
    lines.push(STATE_TEXT[view.state] + (view.pfn !== undefined ? `    pfn ${view.pfn.toString(16)}` : '') + (view.list && view.list !== 'Active' ? ` (${view.list} list)` : '')
      + (view.pageFile ? `    ${formatPageFileLocation(view.pageFile)}` : '') + (view.protection ? `    Protect: ${view.protection}` : ''));
  }
  if (view.prototype) {
    const prototype = view.prototype;
    lines.push(`Prototype PTE at ${hex32(prototype.address)}    contains ${hex32(prototype.value)}    ${PROTOTYPE_TEXT[prototype.state]}`
      + (prototype.pageFile ? ` (${formatPageFileLocation(prototype.pageFile)})` : '') + (prototype.shareCount !== undefined ? `, share count ${prototype.shareCount}` : ''));
  }
  return lines.join('\n');
}
