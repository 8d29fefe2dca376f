// What the report shows, computed at exit from the Machine API: VMMap's
// summary table and details list, a page grid per region, the fault
// timeline, the instructions that took the most faults, and the processes
// and threads of the run. Plain data: the page renders it (html.ts,
// client.ts).
import type { Machine } from '../kernel/machine.js';
import { PEB, PEB_ADDRESS } from '../kernel/process-environment.js';
import { MM_SYSTEM_RANGE_START, PAGE_SIZE, USER_SPACE_LAYOUT, fixedAllocations } from '../mm/layout.js';
import { PAGE_KINDS, type RegionPages } from '../mm/page-map.js';
import type { VadView } from '../mm/vad-view.js';
import type { ThreadView } from '../kernel/ke/thread-view.js';
import type { FaultRecorder } from './fault-recorder.js';

/** VMMap's memory types, in its order. */
export const MEMORY_TYPES = ['Image', 'Mapped File', 'Shareable', 'Heap', 'Stack', 'Private Data', 'Page Table', 'Free'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

/** What VMMap's columns count, in bytes (working sets: pages with a valid PTE, until working sets exist). */
export interface MemoryCounts {
  type: MemoryType;
  size: number;
  committed: number;
  private: number;
  totalWs: number;
  privateWs: number;
  shareableWs: number;
  sharedWs: number;
  /** VirtualQuery's regions: runs of committed or reserved pages. */
  blocks: number;
}

/** One row of VMMap's summary table. */
export interface SummaryRow extends MemoryCounts {
  lockedWs: number;
  /** The largest allocation (or free range) of the type. */
  largest: number;
}

/** One allocation (a VAD or a fixed region) as VMMap's details view lists it, with its pages. */
export interface RegionRow extends MemoryCounts {
  start: number;
  protection: string;
  details: string;
  /** The !vad fields, for a VAD. */
  vad?: VadView;
  /** One character per page: an index into PAGE_KINDS ('0'-'7'); empty for fixed regions. */
  pages: string;
}

export interface TopInstruction { eip: number; instruction: string; faults: number; resolutions: Record<string, number> }

/** One process of the run (Process Explorer's process list), with its threads (its Threads tab). */
export interface ProcessRow {
  pid: number;
  parentPid: number;
  image: string;
  commandLine: string;
  /** Null while it had not ended. */
  exitStatus: number | null;
  commitPages: number;
  threads: ThreadView[];
}

export interface ReportData {
  program: string;
  outcome: string;
  pageKinds: readonly string[];
  summary: SummaryRow[];
  regions: RegionRow[];
  free: { start: number; size: number }[];
  timeline: {
    /** When the first event happened, microseconds since the guest started. */
    startUs: number;
    /** Bucket width in microseconds; bucket i covers [startUs + i*width, startUs + (i+1)*width). */
    bucketUs: number;
    /** Faults per bucket by resolution. */
    faults: Record<string, number[]>;
    commit: [number, number][];
    resident: [number, number][];
  };
  topInstructions: TopInstruction[];
  /** Every process that ran, the first one (whose address space the rest of the report shows) first. */
  processes: ProcessRow[];
}

const TIMELINE_BUCKETS = 100;
const TOP_INSTRUCTIONS = 15;

/** Everything the report needs, read from `machine` after the run and from what `recorder` saw during it. */
export function collectReportData(machine: Machine, recorder: FaultRecorder, program: string, outcome: string): ReportData {
  const { regions: pages, userPageTables } = machine.memoryMap();
  const heap = readProcessHeap(machine);
  const processes = describeProcesses(machine);
  const stacks = threadStacks(processes[0]?.threads ?? []);
  const regions = machine.vads().map((vad, i) => vadRow(vad, pages[i]!, memoryTypeOf(vad, stacks, heap), stacks.get(stackKey(vad))));
  regions.push(...fixedAllocations().map(fixedRow));
  regions.sort((a, b) => a.start - b.start);
  const free = freeRanges(regions);
  return {
    program, outcome, pageKinds: PAGE_KINDS,
    summary: summarize(regions, free, userPageTables),
    regions, free,
    timeline: buildTimeline(recorder),
    topInstructions: topInstructions(recorder),
    processes,
  };
}

function describeProcesses(machine: Machine): ProcessRow[] {
  const threads = machine.threads();
  return machine.processes().map((process) => ({
    pid: process.id, parentPid: process.parentId, image: process.imageName, commandLine: process.commandLine,
    exitStatus: process.exitStatus ?? null, commitPages: machine.commit(process.id).processPages,
    threads: threads.filter((thread) => thread.pid === process.id),
  }));
}

/**
 * The stack reservations of the process's threads, by starting and ending
 * VPN ("start:end"): the thread's id. A thread that ended released its stack
 * unless the process ended with it (its last threads keep theirs), so a VAD
 * is a thread's stack only if both ends match.
 */
function threadStacks(threads: readonly ThreadView[]): Map<string, number> {
  return new Map(threads.map((thread) => [`${thread.stack.start >>> 12}:${thread.stack.end >>> 12}`, thread.tid]));
}

const stackKey = (vad: VadView): string => `${vad.startingVpn}:${vad.endingVpn}`;

function memoryTypeOf(vad: VadView, stacks: ReadonlyMap<string, number>, heapAddress: number | undefined): MemoryType {
  if (vad.vadType === 'VadImageMap') return 'Image';
  if (!vad.privateMemory) return vad.fileName && vad.fileName !== 'Pagefile-backed section' ? 'Mapped File' : 'Shareable';
  if (stacks.has(stackKey(vad))) return 'Stack';
  if (heapAddress !== undefined && heapAddress >>> 12 >= vad.startingVpn && heapAddress >>> 12 <= vad.endingVpn) return 'Heap';
  return 'Private Data';
}

/** PEB.ProcessHeap, when the PEB page is resident (it is, once the runtime has started). */
function readProcessHeap(machine: Machine): number | undefined {
  const bytes = machine.peek(PEB_ADDRESS + PEB.ProcessHeap, 4);
  if (!bytes) return undefined;
  const heap = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  return heap === 0 ? undefined : heap;
}

function vadRow(vad: VadView, pages: RegionPages, type: MemoryType, stackOfThread: number | undefined): RegionRow {
  const kinds = Array.from(pages.kinds, (kind) => String(kind)).join('');
  // VMMap names a stack by its thread's id.
  const details = type === 'Stack' ? `Thread ID: ${stackOfThread}` : type === 'Heap' ? 'Process heap' : vad.fileName ?? '';
  return {
    start: vad.startingVpn * PAGE_SIZE, size: (vad.endingVpn - vad.startingVpn + 1) * PAGE_SIZE, type,
    committed: pages.committedPages * PAGE_SIZE, private: pages.privatePages * PAGE_SIZE, totalWs: pages.residentPages * PAGE_SIZE,
    privateWs: pages.privateResidentPages * PAGE_SIZE, shareableWs: pages.shareableResidentPages * PAGE_SIZE, sharedWs: pages.sharedResidentPages * PAGE_SIZE,
    protection: vad.protection, details, vad, pages: kinds, blocks: countBlocks(kinds),
  };
}

/** KUSER_SHARED_DATA and the reserved area above it: allocations of every process, without a VAD. */
function fixedRow(region: (typeof USER_SPACE_LAYOUT)[number]): RegionRow {
  const committed = region.kind === 'shared-user-data' ? region.end - region.start + 1 : 0;
  return {
    start: region.start, size: region.end - region.start + 1, type: 'Private Data', committed, private: 0,
    totalWs: 0, privateWs: 0, shareableWs: 0, sharedWs: 0,
    protection: region.kind === 'shared-user-data' ? 'READONLY' : 'NO_ACCESS', details: region.name, pages: '', blocks: 1,
  };
}

/** VirtualQuery's regions in an allocation: runs of committed or reserved pages (protection changes aside). */
function countBlocks(kinds: string): number {
  let blocks = 0;
  for (let i = 0; i < kinds.length; i++) if (i === 0 || (kinds[i] === '0') !== (kinds[i - 1] === '0')) blocks++;
  return blocks;
}

/** The gaps of the 2 GiB user space that no allocation covers (MEM_FREE). */
function freeRanges(regions: readonly RegionRow[]): { start: number; size: number }[] {
  const free: { start: number; size: number }[] = [];
  let at = 0;
  for (const region of regions) {
    if (region.start > at) free.push({ start: at, size: region.start - at });
    at = Math.max(at, region.start + region.size);
  }
  if (at < MM_SYSTEM_RANGE_START) free.push({ start: at, size: MM_SYSTEM_RANGE_START - at });
  return free;
}

function summarize(regions: readonly RegionRow[], free: readonly { size: number }[], userPageTables: number): SummaryRow[] {
  const empty = (type: MemoryType): SummaryRow => ({ type, size: 0, committed: 0, private: 0, totalWs: 0, privateWs: 0, shareableWs: 0, sharedWs: 0, lockedWs: 0, blocks: 0, largest: 0 });
  const rows = new Map(MEMORY_TYPES.map((type) => [type, empty(type)]));
  for (const region of regions) {
    const row = rows.get(region.type)!;
    row.size += region.size; row.committed += region.committed; row.private += region.private; row.totalWs += region.totalWs;
    row.privateWs += region.privateWs; row.shareableWs += region.shareableWs; row.sharedWs += region.sharedWs;
    row.blocks += region.blocks; row.largest = Math.max(row.largest, region.size);
  }
  // Page tables: kernel memory charged to the process, resident and private (VMMap's "Page Table" row).
  const tables = userPageTables * PAGE_SIZE;
  Object.assign(rows.get('Page Table')!, { size: tables, committed: tables, private: tables, totalWs: tables, privateWs: tables, blocks: userPageTables ? 1 : 0, largest: tables });
  const freeRow = rows.get('Free')!;
  for (const range of free) { freeRow.size += range.size; freeRow.blocks++; freeRow.largest = Math.max(freeRow.largest, range.size); }
  return [...rows.values()];
}

function buildTimeline(recorder: FaultRecorder): ReportData['timeline'] {
  const startUs = recorder.commit[0]?.timeUs ?? 0;
  const bucketUs = Math.max(recorder.endUs - startUs, 1) / TIMELINE_BUCKETS;
  const faults: Record<string, number[]> = {};
  for (const fault of recorder.faults) {
    const series = faults[fault.resolution] ??= new Array<number>(TIMELINE_BUCKETS).fill(0);
    series[Math.min(TIMELINE_BUCKETS - 1, Math.floor((fault.timeUs - startUs) / bucketUs))]!++;
  }
  const points = (list: readonly { timeUs: number; pages: number }[]): [number, number][] => list.map((p) => [p.timeUs, p.pages]);
  return { startUs, bucketUs, faults, commit: points(recorder.commit), resident: points(recorder.resident) };
}

function topInstructions(recorder: FaultRecorder): TopInstruction[] {
  const byEip = new Map<number, TopInstruction>();
  for (const fault of recorder.faults) {
    let entry = byEip.get(fault.eip);
    if (!entry) byEip.set(fault.eip, entry = { eip: fault.eip, instruction: fault.instruction ?? '', faults: 0, resolutions: {} });
    entry.faults++;
    entry.resolutions[fault.resolution] = (entry.resolutions[fault.resolution] ?? 0) + 1;
  }
  return [...byEip.values()].sort((a, b) => b.faults - a.faults || a.eip - b.eip).slice(0, TOP_INSTRUCTIONS);
}
