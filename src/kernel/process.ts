// The process: its address space, how it ended, and where its console goes.
import type { AddressSpace } from '../mm/address-space.js';
import type { UserMemory } from '../mm/user-memory.js';
import type { Vad } from '../mm/vad.js';
import type { ExceptionReport } from './exception-report.js';
import { HandleTable, ObjectNames } from './ob/handle-table.js';
import type { Sandbox } from './io/sandbox.js';
import type { BackingFiles } from './io/file-object.js';
import type { ControlArea } from '../mm/section.js';
import { SystemClock } from './system-clock.js';

export type ConsoleStream = 'stdout' | 'stderr';
export type ConsoleSink = (stream: ConsoleStream, bytes: Uint8Array) => void;

export class Process {
  exitStatus: number | undefined;
  /** Set when an unhandled exception ended the process. */
  unhandledException: ExceptionReport | undefined;
  /** Each handle's entry is charged to paged pool. */
  readonly handles: HandleTable;
  /** Named objects (\BaseNamedObjects): system-wide on Windows; mmscope runs one process. */
  readonly objectNames = new ObjectNames();
  /** Where the guest's files live; without one, file services find no path. */
  sandbox: Sandbox | undefined;
  /** Whether MmsExperimentRemoveVad may damage the address space (mmscope run --allow-experiments). */
  experimentsAllowed = false;
  /** Files that data sections map (one control area per file). */
  readonly backingFiles: BackingFiles = new Map();
  /** Image sections by file, kept while the file is unchanged. */
  readonly imageControlAreas = new Map<string, ControlArea>();
  /** The kernel's clock (mmscope runs one process per machine, so the system's clock lives here). */
  readonly clock = new SystemClock();
  /** Set when the only thread began a wait nothing can end (an infinite NtDelayExecution): on Windows it would hang. */
  waitingForever = false;

  constructor(
    readonly space: AddressSpace,
    readonly memory: UserMemory,
    readonly imageVad: Vad,
    readonly stackVad: Vad,
    readonly writeConsole: ConsoleSink,
    private readonly stopCpu: () => void,
  ) {
    this.handles = new HandleTable(space.pagedPool);
  }

  get terminated(): boolean { return this.exitStatus !== undefined; }

  /** Closes what the process holds on the host (file descriptors of open handles and mapped files). */
  releaseHostResources(): void {
    this.handles.closeAll();
    for (const file of [...this.backingFiles.values()]) file.release();
  }

  terminate(status: number): void {
    if (this.terminated) return;
    this.exitStatus = status >>> 0;
    this.stopCpu();
  }

  /** The only thread waits for something that can never happen: stop running it (the process stays, hung). */
  waitForever(): void {
    this.waitingForever = true;
    this.stopCpu();
  }
}
