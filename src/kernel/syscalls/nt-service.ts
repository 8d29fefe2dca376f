// The shape of an NT system service and what its handler may use.
import type { NtStatus } from '../../nt/status.js';
import type { Process } from '../process.js';
import type { ExceptionDispatcher } from '../exception-dispatch.js';
import type { X86Registers } from '../x86-context.js';
import type { TraceBus } from '../../trace/trace-bus.js';

/** The calling thread's registers, for services that replace them (NtContinue). */
export interface ThreadRegisters {
  read(): X86Registers;
  write(registers: X86Registers): void;
}

/** Views of kernel state the guest may ask to see printed (MmsDump*). */
export interface KernelDumps {
  dumpVads(): void;
  dumpPte(address: number): void;
}

export interface NtServiceContext {
  process: Process;
  thread: ThreadRegisters;
  exceptions: ExceptionDispatcher;
  dumps: KernelDumps;
  /** Events a service reports itself (experiments). */
  trace: TraceBus;
}

export interface NtService {
  /** Service number in EAX (the numbers of Windows XP SP3 where Windows has the service). */
  number: number;
  name: string;
  argCount: number;
  /** On success the service has loaded new registers itself: EAX must not be overwritten with the status. */
  replacesRegisters?: boolean;
  handler(context: NtServiceContext, args: readonly number[]): NtStatus;
}

export const NtCurrentProcess = 0xffffffff;
export const isCurrentProcess = (handle: number): boolean => handle === NtCurrentProcess;
