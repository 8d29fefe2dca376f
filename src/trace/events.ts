// Trace events. One stream feeds the human-readable text and the JSONL file;
// the JSONL schema in the README is this file.
import type { RefusedWhy, ResolvedHow } from '../mm/fault-handler.js';
import type { SectionFaultInfo } from '../mm/section-fault.js';
import type { PteView } from '../mm/pte-view.js';
import type { VadView } from '../mm/vad-view.js';
import type { PageWriteReport, RepurposeReport, TrimReport } from '../mm/memory-events.js';

interface EventBase {
  /** 1, 2, 3 ... in the order the kernel saw them. */
  seq: number;
  /** Microseconds since the guest started. */
  timeUs: number;
  /** The process the event belongs to (UniqueProcessId: 4 for the first process). */
  pid: number;
  /** The thread that was running (ClientId.UniqueThread; for a context switch, the one switched from). */
  tid: number;
}

export interface PageFaultEvent extends EventBase {
  type: 'page-fault';
  address: number;
  eip: number;
  /** Hardware error code: bit 0 present (protection), bit 1 write, bit 2 user. */
  errorCode: number;
  /** The kernel took the fault while touching user memory for a system call. */
  inSystemCall?: string;
  instruction?: string;
  resolution: ResolvedHow | 'guard-page' | 'stack-growth' | 'stack-overflow' | 'access-violation' | 'no-memory' | 'in-page-error';
  why?: RefusedWhy;
  /** in-page-error: the NTSTATUS of the page-file read that failed (ExceptionInformation[2] of the guest's STATUS_IN_PAGE_ERROR). */
  ioStatus?: number;
  /** stack-growth and stack-overflow: the TEB's new StackLimit. */
  stackLimit?: number;
  /** A fault in a view: the control area, the prototype PTE it went through, and for a hard fault the file and offset read. */
  section?: SectionFaultInfo;
  pfn?: number;
  pteBefore: number;
  pteAfter?: number;
  vad?: { start: number; end: number };
  fileBytes?: number;
  /** pagefile-read (a hard fault from the page file): the page file, the offset (pages) and how many pages the one read brought in. */
  pageFile?: { number: number; offset: number; clusterPages: number };
}

/** The working-set manager trimmed pages: how many, why, and the lists they went to. */
export interface TrimEvent extends EventBase, TrimReport { type: 'trim' }

/** The modified page writer wrote pages to the page file, or the mapped page writer to their file. */
export interface PageWriteEvent extends EventBase, PageWriteReport { type: 'page-write' }

/** The oldest standby page was taken for another use; the PTE that named it now holds `pteAfter`. */
export interface RepurposeEvent extends EventBase, RepurposeReport { type: 'repurpose' }

export interface SystemCallEvent extends EventBase {
  type: 'syscall';
  abi: 'nt' | 'linux';
  number: number;
  name: string;
  args: number[];
  result: number;
  resultName?: string;
  /** How long the kernel took to answer, in microseconds (the event's timeUs is when it returned). */
  durationUs?: number;
}

export interface ExceptionEvent extends EventBase {
  type: 'exception';
  code: number;
  codeName: string;
  /** The instruction that raised it (for int3: the breakpoint itself, where ExceptionAddress points). */
  eip: number;
  /** That instruction, disassembled. */
  instruction?: string;
  /** For access violations: the address and whether it was a write. */
  address?: number;
  write?: boolean;
  /** true: handed to the guest's handlers; false: unhandled, the process ends. */
  firstChance: boolean;
}

export interface ProcessExitEvent extends EventBase {
  type: 'process-exit';
  status: number;
}

/** A process created another (NtCreateUserProcess); `pid` is the new process's. */
export interface ProcessCreateEvent extends EventBase {
  type: 'process-create';
  parentPid: number;
  /** The image path and command line as the creator gave them. */
  image: string;
  commandLine: string;
}

/** The guest asked for the VAD tree (MmsDumpVad). */
export interface VadDumpEvent extends EventBase {
  type: 'vad-dump';
  vads: VadView[];
  /** The process's commit charge, in pages. */
  commitPages: number;
  /** Frames in use (ActiveAndValid) at that moment. */
  activeFrames: number;
}

/** The guest asked for one address's PDE and PTE (MmsDumpPte). */
export interface PteDumpEvent extends EventBase {
  type: 'pte-dump';
  pte: PteView;
  activeFrames: number;
}

/** An experiment damaged kernel state on purpose (--allow-experiments). */
export interface ExperimentEvent extends EventBase {
  type: 'experiment';
  name: 'MmsExperimentMapFrame';
  address: number;
  /** The frame attached, the PTE's address and the valid PTE written. */
  pfn: number;
  pteAddress: number;
  pteAfter: number;
}

/** The memory manager stopped the machine (KeBugCheckEx): the process ends without running on. */
export interface BugCheckEvent extends EventBase {
  type: 'bugcheck';
  code: number;
  name: string;
  parameters: number[];
  explanation: string;
}

export type TraceEvent = PageFaultEvent | SystemCallEvent | ExceptionEvent | ProcessExitEvent | ProcessCreateEvent | VadDumpEvent | PteDumpEvent | ExperimentEvent | BugCheckEvent
  | TrimEvent | PageWriteEvent | RepurposeEvent | ThreadCreateEvent | ThreadExitEvent | ContextSwitchEvent;
export type TraceEventType = TraceEvent['type'];
/** An event before the bus numbers and times it (and names the current process, unless it names one). */
export type TraceEventInit = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 'timeUs' | 'pid' | 'tid'> & { pid?: number } : never) : never;
/** A thread was created (NtCreateThreadEx): its id, where it starts, its TEB and stack reservation. */
export interface ThreadCreateEvent extends EventBase {
  type: 'thread-create';
  newTid: number;
  startAddress: number;
  teb: number;
  stack: { start: number; end: number };
  suspended: boolean;
  /** The process the thread belongs to, when another process created it (CreateRemoteThread); `pid` is the creator's. */
  ownerPid?: number;
}

/** A thread ended: its exit status; its stack and TEB were released (unless the process ended with it). */
export interface ThreadExitEvent extends EventBase {
  type: 'thread-exit';
  exitTid: number;
  status: number;
}

/** The scheduler gave the CPU to another thread: why the old one stopped, and what the new one's wait returned. */
export interface ContextSwitchEvent extends EventBase {
  type: 'context-switch';
  toTid: number;
  reason: 'quantum' | 'wait' | 'yield' | 'exit' | 'suspend';
  /** The NTSTATUS the incoming thread's wait ended with, if it was waiting. */
  waitStatus?: number;
}

