// The process: its address space, how it ended, and where its console goes.
import type { AddressSpace } from '../mm/address-space.js';
import type { UserMemory } from '../mm/user-memory.js';
import type { Vad } from '../mm/vad.js';
import type { ExceptionReport } from './exception-report.js';
import { HandleTable, ObjectNames } from './ob/handle-table.js';
import type { Sandbox } from './io/sandbox.js';

export type ConsoleStream = 'stdout' | 'stderr';
export type ConsoleSink = (stream: ConsoleStream, bytes: Uint8Array) => void;

export class Process {
  exitStatus: number | undefined;
  /** Set when an unhandled exception ended the process. */
  unhandledException: ExceptionReport | undefined;
  readonly handles = new HandleTable();
  /** Named objects (\BaseNamedObjects): system-wide on Windows; mmscope runs one process. */
  readonly objectNames = new ObjectNames();
  /** Where the guest's files live; without one, file services find no path. */
  sandbox: Sandbox | undefined;

  constructor(
    readonly space: AddressSpace,
    readonly memory: UserMemory,
    readonly imageVad: Vad,
    readonly stackVad: Vad,
    readonly writeConsole: ConsoleSink,
    private readonly onTerminate: () => void,
  ) {}

  get terminated(): boolean { return this.exitStatus !== undefined; }

  terminate(status: number): void {
    if (this.terminated) return;
    this.exitStatus = status >>> 0;
    this.onTerminate();
  }
}
