// The memory manager's extensions in WinDbg's layouts: !vad, !pte, !pfn,
// !address, !memusage. All read state; none changes it.
import type { DebugSession } from './session.js';
import { hex8 } from './format.js';
import { MEM_COMMIT, MEM_FREE, MEM_IMAGE, MEM_MAPPED, MEM_PRIVATE, MEM_RESERVE, queryVirtualMemory, type MemoryBasicInformation } from '../mm/virtual-memory.js';
import { MM_HIGHEST_USER_ADDRESS, MM_USER_PROBE_ADDRESS, PAGE_SIZE } from '../mm/layout.js';
import type { VadView } from '../mm/vad-view.js';
import type { PteView } from '../mm/pte-view.js';
import { PfnState } from '../mm/pfn-database.js';
import { PTE_ACCESSED, PTE_CACHE_DISABLE, PTE_COPY_ON_WRITE, PTE_DIRTY, PTE_GLOBAL, PTE_LARGE_PAGE, PTE_WRITE_THROUGH, isOwnerPte, isWritePte } from '../mm/pte.js';
import { PEB_ADDRESS, TEB_ADDRESS } from '../kernel/process-environment.js';

const upper8 = (value: number): string => hex8(value).toUpperCase();

// --- !vad -----------------------------------------------------------------

/**
 * The address `!vad` shows for a VAD and accepts back. WinDbg shows the
 * MMVAD's nonpaged-pool address; mmscope's VADs live in the host's heap, so
 * each gets one derived from its StartingVpn (which a VAD keeps for life):
 * MMVAD_ADDRESS_BASE + StartingVpn * MMVAD_ADDRESS_STRIDE, in the kernel's
 * half, never a user address.
 */
const MMVAD_ADDRESS_BASE = 0x86000000;
const MMVAD_ADDRESS_STRIDE = 0x40;
const USER_VPNS = 0x80000;

export const vadAddress = (vad: Pick<VadView, 'startingVpn'>): number => (MMVAD_ADDRESS_BASE + vad.startingVpn * MMVAD_ADDRESS_STRIDE) >>> 0;

/** The StartingVpn a VAD address stands for, or undefined when `address` is not one. */
function startingVpnOfVadAddress(address: number): number | undefined {
  const offset = (address >>> 0) - MMVAD_ADDRESS_BASE;
  if (offset < 0 || offset % MMVAD_ADDRESS_STRIDE !== 0 || offset / MMVAD_ADDRESS_STRIDE >= USER_VPNS) return undefined;
  return offset / MMVAD_ADDRESS_STRIDE;
}

const VAD_LIST_HEADER = 'VAD     level      start      end    commit';

/** One line of WinDbg's !vad list: `86004000 ( 1)        100      10f         2 Private      READWRITE`. */
function vadRow(vad: VadView): string {
  const type = vad.privateMemory ? 'Private ' : 'Mapped  ';
  const exe = vad.vadType === 'VadImageMap' ? 'Exe  ' : '     ';
  return `${hex8(vadAddress(vad))} (${String(vad.level).padStart(2)}) ${vad.startingVpn.toString(16).padStart(10)} ${vad.endingVpn.toString(16).padStart(8)} ${String(vad.commitCharge).padStart(9)} ${type}${exe}${vad.protection}${vad.fileName ? `  ${vad.fileName}` : ''}`;
}

/**
 * !vad [address [1]] (WinDbg docs, "!vad"): without an argument the whole
 * tree (VAD address, level, start and end VPN, commit, type, protection)
 * and WinDbg's totals. With a VAD's address (the list's first column) that
 * VAD, with `1` its fields one per line, WinDbg's "VAD @" block. An mmscope
 * extension: any other address is taken as a virtual address and the VAD
 * holding it is shown (WinDbg takes a virtual address only as `!vad ADDR 1`).
 */
export function vadCommand(session: DebugSession, address: number | undefined, verbose: boolean): string {
  const vads = session.machine.vads(session.pid);
  if (address !== undefined) {
    const startingVpn = startingVpnOfVadAddress(address);
    const vpn = address >>> 12;
    const vad = startingVpn !== undefined
      ? vads.find((v) => v.startingVpn === startingVpn)
      : vads.find((v) => vpn >= v.startingVpn && vpn <= v.endingVpn);
    if (!vad) return startingVpn !== undefined ? `${hex8(address)} is not the address of a VAD` : `no VAD covers ${hex8(address)}`;
    return verbose ? vadDetails(vad) : [VAD_LIST_HEADER, vadRow(vad)].join('\n');
  }
  const levels = vads.map((v) => v.level);
  const average = vads.length ? Math.round(levels.reduce((a, b) => a + b, 0) / vads.length) : 0;
  const depth = levels.length ? Math.max(...levels) : 0;
  const privateCommit = vads.filter((v) => v.privateMemory).reduce((sum, v) => sum + v.commitCharge, 0);
  return [
    VAD_LIST_HEADER,
    ...vads.map(vadRow),
    '',
    `Total VADs: ${String(vads.length).padStart(5)}  average level: ${String(average).padStart(4)}  maximum depth: ${depth}`,
    `Total private commit: 0x${privateCommit.toString(16)} pages (${privateCommit * 4} KB)`,
  ].join('\n');
}

/** `!vad ADDRESS 1`: WinDbg's "VAD @" block (the control area is mmscope's number for it, as the trace prints). */
function vadDetails(vad: VadView): string {
  const pages = vad.endingVpn - vad.startingVpn + 1;
  const firstProto = vad.controlArea?.firstPrototypePte ?? 0;
  const lastProto = firstProto ? (firstProto + (pages - 1) * 4) >>> 0 : 0;
  return [
    `VAD @ ${hex8(vadAddress(vad))}`,
    `  Start VPN: ${vad.startingVpn.toString(16).padStart(13)}  End VPN: ${vad.endingVpn.toString(16).padStart(8)}  Control Area:  ${vad.controlArea ? vad.controlArea.id : '00000000'}`,
    `  First ProtoPte: ${hex8(firstProto)}  Last PTE ${hex8(lastProto)}  Commit Charge ${String(vad.commitCharge).padStart(9)} (0n${vad.commitCharge})`,
    `   ${vad.privateMemory ? 'PrivateMemory' : 'Mapped'}${vad.memCommit ? ' MemCommit' : ''} ${vad.vadType} ${vad.protection}${vad.fileName ? `  ${vad.fileName}` : ''}`,
  ].join('\n');
}

// --- !pte -----------------------------------------------------------------

/** WinDbg's valid-PTE flag string, e.g. `---DA--UWEV` (no NX without PAE: always E). */
export function pteFlagString(pte: number): string {
  return [
    pte & PTE_COPY_ON_WRITE ? 'C' : '-', pte & PTE_GLOBAL ? 'G' : '-', pte & PTE_LARGE_PAGE ? 'L' : '-',
    pte & PTE_DIRTY ? 'D' : '-', pte & PTE_ACCESSED ? 'A' : '-', pte & PTE_CACHE_DISABLE ? 'N' : '-',
    pte & PTE_WRITE_THROUGH ? 'T' : '-', isOwnerPte(pte) ? 'U' : 'K', isWritePte(pte) ? 'W' : 'R', 'E', 'V',
  ].join('');
}

const PROTECTION_WORDS: Record<string, string> = {
  READONLY: 'ReadOnly', EXECUTE: 'Execute', EXECUTE_READ: 'ExecuteRead', READWRITE: 'ReadWrite', WRITECOPY: 'WriteCopy',
  EXECUTE_READWRITE: 'ExecuteReadWrite', EXECUTE_WRITECOPY: 'ExecuteWriteCopy', NO_ACCESS: 'NoAccess',
};
const describeProtection = (mask: string | undefined): string =>
  (mask ?? '').split('|').map((part) => PROTECTION_WORDS[part] ?? (part === 'GUARD' ? 'Guard' : part === 'NOCACHE' ? 'NoCache' : part)).join(' ');

/** The lines under "contains" for the PTE column: the frame and flags, or why the page is not valid. */
function pteLines(view: PteView, session: DebugSession): string[] {
  switch (view.state) {
    case 'valid': return [`pfn ${view.pfn!.toString(16).padEnd(5)} ${pteFlagString(view.pte)}`];
    case 'transition': return ['not valid', ` Transition: ${view.pfn!.toString(16)}`, ` Protect: ${describeProtection(view.protection)}`];
    case 'demand-zero': return ['not valid', ' DemandZero', ` Protect: ${describeProtection(view.protection)}`];
    case 'guard': return ['not valid', ' DemandZero (guard page)', ` Protect: ${describeProtection(view.protection)}`];
    case 'decommitted': return ['not valid', ' Decommitted'];
    default: {
      const lines = ['not valid'];
      if (view.prototype) lines.push(` Proto: ${upper8(view.prototype.address)} (${view.prototype.state})`);
      else lines.push(describeZeroPte(session, view.address));
      return lines;
    }
  }
}

/** A zero PTE (or no page table): the VAD decides, as the fault handler would. */
function describeZeroPte(session: DebugSession, address: number): string {
  const vpn = address >>> 12;
  const vad = session.machine.vads(session.pid).find((v) => vpn >= v.startingVpn && vpn <= v.endingVpn);
  if (address >>> 0 > MM_HIGHEST_USER_ADDRESS) return ' (kernel space or the no-access area)';
  if (!vad) return ' (no VAD: the address is free)';
  return vad.memCommit ? ` (the VAD commits it: DemandZero ${describeProtection(vad.protection)})` : ' (the VAD reserves it: not committed)';
}

/** !pte ADDRESS: the PDE and PTE side by side, as WinDbg prints them on x86 without PAE. */
export function pteCommand(session: DebugSession, address: number): string {
  const view = session.machine.pte(address, session.pid);
  const left = [`PDE at ${upper8(view.pdeAddress)}`, `contains ${upper8(view.pde)}`,
    view.tablePfn !== undefined ? `pfn ${view.tablePfn.toString(16).padEnd(5)} ${pteFlagString(view.pde)}` : 'not valid'];
  const right = [`PTE at ${upper8(view.pteAddress)}`, `contains ${upper8(view.tablePfn !== undefined ? view.pte : 0)}`, ...pteLines(view, session)];
  const lines = [`${''.padStart(20)}VA ${hex8(address)}`];
  for (let i = 0; i < Math.max(left.length, right.length); i++) lines.push(`${(left[i] ?? '').padEnd(27)}${right[i] ?? ''}`.trimEnd());
  if (view.prototype) lines.push(`Prototype PTE at ${upper8(view.prototype.address)} contains ${upper8(view.prototype.value)}${view.prototype.shareCount !== undefined ? ` (share count ${view.prototype.shareCount})` : ''}`);
  return lines.join('\n');
}

// --- !pfn, !memusage ------------------------------------------------------------

export function pfnCommand(session: DebugSession, pfn: number): string {
  const frames = session.machine.space.frames;
  if (pfn >= frames.frameCount) return `PFN ${hex8(pfn)} is beyond the end of physical memory (${frames.frameCount.toString(16)} frames)`;
  const state = PfnState[frames.stateOf(pfn)] ?? String(frames.stateOf(pfn));
  const flags = [frames.isPrototype(pfn) ? 'Prototype' : '', frames.isModified(pfn) ? 'Modified' : ''].filter(Boolean).join(' ');
  return [
    `    PFN ${upper8(pfn)} at physical address ${upper8(pfn * PAGE_SIZE)}`,
    `    share count ${upper8(frames.shareCountOf(pfn))}  pteaddress ${upper8(frames.pteAddressOf(pfn))}`,
    `    ${state.padEnd(10)} ${flags}`.trimEnd(),
  ].join('\n');
}

export function memusageCommand(session: DebugSession): string {
  const counts = session.machine.frameCounts();
  const row = (name: string, pages: number): string => `${name.padEnd(14)}${String(pages).padStart(8)} (${String(pages * 4).padStart(9)} kb)`;
  return [
    ' loading PFN database',
    row('Zeroed:', counts.zeroed), row('Free:', counts.free), row('Standby:', counts.standby),
    row('Modified:', counts.modified), row('Active/Valid:', counts.active), row('TOTAL:', counts.total),
  ].join('\n');
}

// --- !address -----------------------------------------------------------------

const STATE_NAMES: Record<number, string> = { [MEM_COMMIT]: 'MEM_COMMIT', [MEM_RESERVE]: 'MEM_RESERVE', [MEM_FREE]: 'MEM_FREE' };
const TYPE_NAMES: Record<number, string> = { [MEM_PRIVATE]: 'MEM_PRIVATE', [MEM_MAPPED]: 'MEM_MAPPED', [MEM_IMAGE]: 'MEM_IMAGE' };
const PAGE_NAMES: Record<number, string> = {
  0x01: 'PAGE_NOACCESS', 0x02: 'PAGE_READONLY', 0x04: 'PAGE_READWRITE', 0x08: 'PAGE_WRITECOPY', 0x10: 'PAGE_EXECUTE',
  0x20: 'PAGE_EXECUTE_READ', 0x40: 'PAGE_EXECUTE_READWRITE', 0x80: 'PAGE_EXECUTE_WRITECOPY',
};
const pageName = (protect: number): string => {
  const base = PAGE_NAMES[protect & 0xff] ?? `0x${(protect & 0xff).toString(16)}`;
  return base + (protect & 0x100 ? ' | PAGE_GUARD' : '') + (protect & 0x200 ? ' | PAGE_NOCACHE' : '');
};

/** The regions of user space, as VirtualQuery walks them. */
function regions(session: DebugSession): MemoryBasicInformation[] {
  const out: MemoryBasicInformation[] = [];
  for (let address = 0; address < MM_USER_PROBE_ADDRESS;) {
    const info = queryVirtualMemory(session.machine.liveSpaceOf(session.pid), address);
    if (typeof info === 'number' || info.regionSize === 0) break;
    out.push(info);
    address = info.baseAddress + info.regionSize;
  }
  return out;
}

/** WinDbg's Usage column: what the region is for. */
function usageOf(session: DebugSession, info: MemoryBasicInformation): string {
  if (info.state === MEM_FREE) return 'Free';
  if (info.type === MEM_IMAGE) return 'Image';
  const stack = session.machine.threads().find((t) => t.current && t.pid === session.pid)?.stack.start ?? session.machine.stackVad.startAddress;
  if (info.allocationBase === stack) return 'Stack';
  if (info.allocationBase === TEB_ADDRESS) return 'TEB';
  if (info.allocationBase === PEB_ADDRESS) return 'PEB';
  const heap = session.readDword(PEB_ADDRESS + 0x18);
  if (heap !== undefined && info.allocationBase === heap) return 'Heap';
  return info.type === MEM_MAPPED ? 'MappedFile' : '<unknown>';
}

const size = (bytes: number): string => {
  const [value, unit] = bytes >= 2 ** 30 ? [bytes / 2 ** 30, 'GB'] : bytes >= 2 ** 20 ? [bytes / 2 ** 20, 'MB'] : [bytes / 1024, 'kB'];
  return `${bytes.toString(16).padStart(8)} (${value.toFixed(3).padStart(8)} ${unit})`;
};

export function addressCommand(session: DebugSession, address: number): string {
  const info = queryVirtualMemory(session.machine.liveSpaceOf(session.pid), address);
  if (typeof info === 'number') return `${hex8(address)} is not in user space (NtQueryVirtualMemory: STATUS_INVALID_PARAMETER)`;
  const lines = [
    `Usage:                  ${usageOf(session, info)}`,
    `Base Address:           ${hex8(info.baseAddress)}`,
    `End Address:            ${hex8(info.baseAddress + info.regionSize)}`,
    `Region Size:            ${size(info.regionSize).trim()}`,
    `State:                  ${hex8(info.state)}          ${STATE_NAMES[info.state]}`,
  ];
  if (info.state !== MEM_FREE) {
    if (info.state === MEM_COMMIT) lines.push(`Protect:                ${hex8(info.protect)}          ${pageName(info.protect)}`);
    lines.push(`Type:                   ${hex8(info.type)}          ${TYPE_NAMES[info.type]}`);
    lines.push(`Allocation Base:        ${hex8(info.allocationBase)}`);
    lines.push(`Allocation Protect:     ${hex8(info.allocationProtect)}          ${pageName(info.allocationProtect)}`);
  } else {
    lines.push(`Protect:                ${hex8(info.protect)}          ${pageName(info.protect)}`);
  }
  return lines.join('\n');
}

/**
 * !address without an argument: every region of user space in WinDbg's
 * table (BaseAddr, EndAddr+1, RgnSize, Type, State, Protect, Usage); `+`
 * marks the first region of an allocation, as WinDbg does.
 */
export function addressList(session: DebugSession): string {
  const lines = [
    '  BaseAddr EndAddr+1 RgnSize     Type       State                 Protect             Usage',
    '-'.repeat(95),
  ];
  for (const info of regions(session)) {
    const first = info.state === MEM_FREE || info.baseAddress === info.allocationBase ? '+' : ' ';
    const hex = (value: number): string => (value >>> 0).toString(16).padStart(8);
    const protect = info.state === MEM_RESERVE ? '' : pageName(info.protect);
    lines.push(`${first} ${hex(info.baseAddress)} ${hex(info.baseAddress + info.regionSize)} ${hex(info.regionSize)} ${(TYPE_NAMES[info.type] ?? '').padEnd(12)}${STATE_NAMES[info.state]!.padEnd(12)}${protect.padEnd(35)}${usageOf(session, info)}`.trimEnd());
  }
  return lines.join('\n');
}

/** !address -summary: WinDbg's Usage, Type, State and Protect blocks. */
export function addressSummary(session: DebugSession): string {
  const all = regions(session);
  const total = all.reduce((sum, r) => sum + r.regionSize, 0);
  const busy = all.filter((r) => r.state !== MEM_FREE).reduce((sum, r) => sum + r.regionSize, 0);
  const block = (title: string, rows: Map<string, { count: number; bytes: number }>, ofBusy: boolean): string[] => {
    const lines = [`--- ${title} ${'-'.repeat(Math.max(1, 30 - title.length))} RgnCount ----------- Total Size -------- %ofBusy %ofTotal`];
    for (const [name, row] of [...rows].sort((a, b) => b[1].bytes - a[1].bytes)) {
      // Free memory is no part of the busy total: WinDbg leaves its %ofBusy blank.
      const busyShare = ofBusy && busy && name !== 'Free' && name !== 'MEM_FREE' ? `${(row.bytes / busy * 100).toFixed(2)}%`.padStart(7) : ''.padStart(7);
      lines.push(`${name.padEnd(34)}${String(row.count).padStart(8)} ${size(row.bytes).padStart(30)} ${busyShare} ${`${(row.bytes / total * 100).toFixed(2)}%`.padStart(8)}`);
    }
    return lines;
  };
  const group = (pick: (r: MemoryBasicInformation) => string | undefined): Map<string, { count: number; bytes: number }> => {
    const rows = new Map<string, { count: number; bytes: number }>();
    for (const region of all) {
      const key = pick(region);
      if (key === undefined) continue;
      const row = rows.get(key) ?? { count: 0, bytes: 0 };
      row.count++;
      row.bytes += region.regionSize;
      rows.set(key, row);
    }
    return rows;
  };
  return [
    ...block('Usage Summary', group((r) => usageOf(session, r)), true), '',
    ...block('Type Summary (for busy)', group((r) => (r.state === MEM_FREE ? undefined : TYPE_NAMES[r.type])), true), '',
    ...block('State Summary', group((r) => STATE_NAMES[r.state]), true), '',
    ...block('Protect Summary (for commit)', group((r) => (r.state === MEM_COMMIT ? pageName(r.protect) : undefined)), true),
  ].join('\n');
}
