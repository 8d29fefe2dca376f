// The shape of an NT system service and what its handler may use.
import { STATUS_PROCESS_IS_TERMINATING, type NtStatus } from '../../nt/status.js';
import type { Process } from '../process.js';
import type { ExceptionDispatcher } from '../exception-dispatch.js';
import type { X86Registers } from '../x86-context.js';
import type { TraceBus } from '../../trace/trace-bus.js';
import type { ProcessManager } from '../ps/process-manager.js';
import type { Scheduler } from '../ke/scheduler.js';

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
  /** The machine's processes: creating, opening and ending them (absent: only the current process exists). */
  processes?: ProcessManager;
  /** Threads, waits and the current thread (ke/scheduler.ts). */
  scheduler: Scheduler;
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

/**
 * ObReferenceObjectByHandle for a process handle: NtCurrentProcess() is the
 * caller's own process (every right); another handle must be a process
 * handle (STATUS_OBJECT_TYPE_MISMATCH) granted every right in
 * `desiredAccess` (STATUS_ACCESS_DENIED); STATUS_INVALID_HANDLE otherwise.
 */
export function referenceProcess(context: Pick<NtServiceContext, 'process'>, handle: number, desiredAccess: number): Process | NtStatus {
  if (isCurrentProcess(handle)) return context.process;
  const object = context.process.handles.reference<Process>(handle, 'Process', desiredAccess);
  return typeof object === 'number' ? object : object.body;
}

/**
 * The process a memory service acts on: `handle` referenced for
 * `desiredAccess`, with its address space still there
 * (STATUS_PROCESS_IS_TERMINATING after it ended). `status` says why it
 * cannot be used; `process` is then the caller's, so the service's
 * argument checks can run in Windows' order up to the handle's row.
 */
export function processForMemoryService(context: Pick<NtServiceContext, 'process'>, handle: number, desiredAccess: number): { process: Process; status?: NtStatus } {
  const target = referenceProcess(context, handle, desiredAccess);
  if (typeof target === 'number') return { process: context.process, status: target };
  return target.addressSpaceDeleted ? { process: context.process, status: STATUS_PROCESS_IS_TERMINATING } : { process: target };
}
/** NtCurrentThread(): the pseudo-handle (HANDLE)-2. */
export const NtCurrentThread = 0xfffffffe;
