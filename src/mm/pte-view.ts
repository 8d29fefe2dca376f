// The PDE and PTE of an address, decoded the way WinDbg's !pte shows them.
import type { AddressSpace } from './address-space.js';
import { hex32 } from './layout.js';
import { describeMask } from './protection.js';
import {
  describeValidPte, isDecommittedPte, isTransitionPte, isValidPte, pfnOfPte, softwareProtection, ZERO_PTE, type PteValue,
} from './pte.js';
import { MM_GUARDPAGE } from './protection.js';
import { vpnOf } from './layout.js';
import { isInFilePrototype } from './section.js';
import { prototypeIndexOf } from './section-view.js';

export type PteState = 'valid' | 'transition' | 'demand-zero' | 'guard' | 'decommitted' | 'zero' | 'no-page-table';

export interface PteView {
  address: number;
  pdeAddress: number;
  pde: PteValue;
  pteAddress: number;
  pte: PteValue;
  state: PteState;
  /** Real frame of the page when valid. */
  pfn?: number;
  /** Real frame of the page table. */
  tablePfn?: number;
  flags: string[];
  /** Software protection of a not-present PTE (MM_* names). */
  protection?: string;
  /** In a view: the prototype PTE behind the page, decoded, and the frame's share count when resident. */
  prototype?: { address: number; value: PteValue; state: 'resident' | 'demand-zero' | 'in-file' | 'not-committed'; shareCount?: number };
}

export function decodePte(space: AddressSpace, address: number): PteView {
  const view = decodeHardwarePte(space, address);
  const vad = space.findVad(address);
  if (!vad?.view) return view;
  const index = prototypeIndexOf(vad, vpnOf(address));
  const segment = vad.view.controlArea.segment;
  const value = segment.prototypePtes.get(index);
  const state = isValidPte(value) ? 'resident' : value === 0 ? 'not-committed' : isInFilePrototype(value) ? 'in-file' : 'demand-zero';
  return {
    ...view,
    prototype: {
      address: segment.prototypePteAddress(index), value, state,
      ...(isValidPte(value) ? { shareCount: space.frames.shareCountOf(pfnOfPte(value)) } : {}),
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
  if (isTransitionPte(pte)) return { ...base, tablePfn: walk.tablePfn, state: 'transition', pfn: pfnOfPte(pte), flags: [], protection: describeMask(mask) };
  const state: PteState = (mask & 0x18) === MM_GUARDPAGE ? 'guard' : 'demand-zero';
  return { ...base, tablePfn: walk.tablePfn, state, flags: [], protection: describeMask(mask) };
}

const PROTOTYPE_TEXT = {
  resident: 'resident',
  'demand-zero': 'committed, demand-zero (page-file-backed)',
  'in-file': 'in the file (read on first touch)',
  'not-committed': 'not committed (SEC_RESERVE)',
} as const;

const STATE_TEXT: Record<PteState, string> = {
  valid: '',
  transition: 'not valid, Transition (the frame is kept)',
  'demand-zero': 'not valid, DemandZero',
  guard: 'not valid, DemandZero, guard page',
  decommitted: 'not valid, Decommitted',
  zero: 'not valid, zero PTE (the VAD decides)',
  'no-page-table': 'no page table (the VAD decides)',
};

/** Text in the spirit of WinDbg's !pte. */
export function formatPteView(view: PteView): string {
  const lines = [
    `VA ${hex32(view.address)}`,
    `PDE at ${hex32(view.pdeAddress)}    contains ${hex32(view.pde)}${view.tablePfn !== undefined ? `    page table pfn ${view.tablePfn.toString(16)}` : ''}`,
    `PTE at ${hex32(view.pteAddress)}    contains ${hex32(view.pte)}`,
  ];
  if (view.state === 'valid') lines.push(`pfn ${view.pfn!.toString(16)}    ${view.flags.join(' ')}`);
  else lines.push(STATE_TEXT[view.state] + (view.pfn !== undefined ? `    pfn ${view.pfn.toString(16)}` : '') + (view.protection ? `    Protect: ${view.protection}` : ''));
  if (view.prototype) lines.push(`Prototype PTE at ${hex32(view.prototype.address)}    contains ${hex32(view.prototype.value)}    ${PROTOTYPE_TEXT[view.prototype.state]}${view.prototype.shareCount !== undefined ? `, share count ${view.prototype.shareCount}` : ''}`);
  return lines.join('\n');
}
