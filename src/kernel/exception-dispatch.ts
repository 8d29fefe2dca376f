// Delivering exceptions to user mode the way Windows does in spirit: an
// EXCEPTION_RECORD and a CONTEXT go on the user stack, and the thread resumes
// in the runtime's dispatcher (KiUserExceptionDispatcher in the SDK), which
// runs the vectored handlers and the unhandled-exception filter, then either
// continues with NtContinue or gives up with NtRaiseException(FirstChance =
// FALSE). Without a dispatcher, or when the stack cannot take the records,
// the exception is unhandled and ends the process.
import type { Engine } from '../cpu/engine.js';
import { UserAccessViolation } from '../mm/user-memory.js';
import { STATUS_ACCESS_VIOLATION, STATUS_BREAKPOINT, STATUS_GUARD_PAGE_VIOLATION, STATUS_IN_PAGE_ERROR, STATUS_STACK_OVERFLOW, ntStatusName } from '../nt/status.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { ExceptionReport } from './exception-report.js';
import type { Process } from './process.js';
import {
  CONTEXT_SIZE, EXCEPTION_RECORD_SIZE, encodeContext, encodeExceptionRecord, readRegisters, writeUserRegisters,
  type ExceptionRecord, type X86Registers,
} from './x86-context.js';

/** Exception codes whose parameters are [0 read / 1 write, address], as Windows fills them (an in-page error adds the I/O's NTSTATUS). */
const ADDRESS_EXCEPTIONS = new Set([STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_STACK_OVERFLOW, STATUS_IN_PAGE_ERROR]);

/** An exception held for a debugger: before the guest sees it (first chance), or after no handler took it (second chance). */
export interface HeldException {
  report: ExceptionReport;
  registers: X86Registers;
  record: ExceptionRecord;
  firstChance: boolean;
}

export class ExceptionDispatcher {
  /**
   * A debugger's look at an exception (Windows' DbgkForwardException to the
   * debug port, KiDispatchException): first chance before the guest's
   * handlers, second chance when none handled it, before the process ends.
   * True holds it and stops the CPU at the faulting instruction (for the
   * second chance the thread gets the exception's context back, as
   * KiDispatchException does); `deliverHeld` passes it on.
   */
  debugPort: ((report: ExceptionReport, firstChance: boolean) => boolean) | undefined;
  /** The exception a debugger is holding, if any. */
  held: HeldException | undefined;
  private lastRaised: ExceptionReport | undefined;
  private contextToRestore: X86Registers | undefined;

  /** `currentProcess`: the process whose thread the CPU runs (exceptions are raised in it). */
  constructor(private readonly engine: Engine, private readonly currentProcess: () => Process, private readonly trace: TraceBus) {}

  private get process(): Process { return this.currentProcess(); }

  /** The running process's user-mode dispatcher, registered by its runtime at start-up (each process has its own). */
  get userDispatcher(): number | undefined { return this.process.userExceptionDispatcher; }
  set userDispatcher(address: number | undefined) { this.process.userExceptionDispatcher = address; }

  /**
   * Raises `report` in the guest: first chance to its handlers, or unhandled.
   * `record` is the guest's own for a software exception (NtRaiseException).
   */
  raise(report: ExceptionReport, registers: X86Registers = readRegisters(this.engine), record = ExceptionDispatcher.recordOf(report)): void {
    if (this.debugPort?.(report, true)) {
      this.held = { report, registers, record, firstChance: true };
      this.engine.stop();
      return;
    }
    this.dispatch(report, registers, record);
  }

  /**
   * Passes a held exception on (WinDbg's `gN`): a first-chance one to the
   * guest's handlers, a second-chance one ends the process. `gh` (handled)
   * drops it: the thread goes on at the faulting instruction.
   */
  deliverHeld(handled: boolean): void {
    const held = this.held;
    this.held = undefined;
    if (!held || handled) return;
    if (held.firstChance) this.dispatch(held.report, held.registers, held.record);
    else this.terminateWith(held.report);
  }

  /** The guest gave up (NtRaiseException with FirstChance = FALSE): second chance, with the richest report we have. */
  raiseUnhandled(record: ExceptionRecord, context: X86Registers): void {
    const last = this.lastRaised;
    const report: ExceptionReport = last && last.code === record.code >>> 0 && last.eip === context.eip
      ? last
      : reportOfRecord(record, context.eip);
    this.endProcess(report, context, record);
  }

  /** First chance for the guest: its user-mode dispatcher, or the end when it has none or the stack cannot take the records. */
  private dispatch(report: ExceptionReport, registers: X86Registers, record: ExceptionRecord): void {
    this.lastRaised = report;
    if (this.userDispatcher === undefined || !this.deliver(record, registers)) {
      this.endProcess(report, registers, record);
      return;
    }
    this.emit(report, true);
  }

  /** Builds the record from a report, as the trap handlers know it. */
  static recordOf(report: ExceptionReport): ExceptionRecord {
    const parameters = ADDRESS_EXCEPTIONS.has(report.code) && report.address !== undefined ? [report.write ? 1 : 0, report.address] : [];
    if (report.code === STATUS_IN_PAGE_ERROR && parameters.length > 0) parameters.push(report.ioStatus ?? 0);
    return { code: report.code, flags: 0, address: report.eip, parameters };
  }

  private deliver(exceptionRecord: ExceptionRecord, registers: X86Registers): boolean {
    const context = encodeContext(registers);
    const record = encodeExceptionRecord(exceptionRecord);
    const recordAddress = ((registers.esp - CONTEXT_SIZE - EXCEPTION_RECORD_SIZE) & ~3) >>> 0;
    const contextAddress = recordAddress + EXCEPTION_RECORD_SIZE;
    const esp = recordAddress - 8;
    const frame = new Uint8Array(8 + EXCEPTION_RECORD_SIZE + CONTEXT_SIZE);
    const view = new DataView(frame.buffer);
    view.setUint32(0, recordAddress, true);
    view.setUint32(4, contextAddress, true);
    frame.set(record, 8);
    frame.set(context, 8 + EXCEPTION_RECORD_SIZE);
    try {
      this.process.memory.write(esp, frame);
    } catch (error) {
      if (error instanceof UserAccessViolation) return false;
      throw error;
    }
    writeUserRegisters(this.engine, { ...registers, esp, eip: this.userDispatcher! });
    return true;
  }

  /** No handler took it: the debugger's second chance, else the process ends with the exception's code. */
  private endProcess(report: ExceptionReport, registers: X86Registers, record: ExceptionRecord): void {
    if (this.debugPort?.(report, false)) {
      // The context goes back to the thread once the CPU has stopped: moving EIP in a hook makes Unicorn drop the stop.
      this.held = { report, registers, record, firstChance: false };
      this.contextToRestore = registers;
      this.engine.stop();
      return;
    }
    this.terminateWith(report);
  }

  /**
   * After the CPU stopped for a second-chance exception: the thread gets the
   * exception's context (the faulting instruction), as KiDispatchException
   * writes it to the trap frame before the debugger's second look.
   */
  restoreHeldContext(): void {
    if (!this.contextToRestore) return;
    writeUserRegisters(this.engine, this.contextToRestore);
    this.contextToRestore = undefined;
  }

  private terminateWith(report: ExceptionReport): void {
    this.emit(report, false);
    this.process.unhandledException = report;
    this.process.terminate(report.code);
  }

  private emit(report: ExceptionReport, firstChance: boolean): void {
    if (!this.trace.active) return;
    this.trace.emit({
      type: 'exception', code: report.code, codeName: ntStatusName(report.code), eip: report.eip,
      ...(report.instruction ? { instruction: report.instruction } : {}),
      ...(report.address !== undefined ? { address: report.address, write: report.write } : {}), firstChance,
    });
  }
}

/** What a report can say about a record the guest raised itself. */
export function reportOfRecord(record: ExceptionRecord, eip: number): ExceptionReport {
  const address = addressOf(record);
  return { code: record.code >>> 0, eip, ...address, ...(address.address === undefined ? { software: { parameters: record.parameters } } : {}) };
}

function addressOf(record: ExceptionRecord): Pick<ExceptionReport, 'address' | 'write' | 'ioStatus'> {
  if (!ADDRESS_EXCEPTIONS.has(record.code >>> 0) || record.parameters.length < 2) return {};
  const ioStatus = record.code >>> 0 === STATUS_IN_PAGE_ERROR && record.parameters.length > 2 ? { ioStatus: record.parameters[2]! >>> 0 } : {};
  return { address: record.parameters[1]!, write: record.parameters[0] === 1, ...ioStatus };
}

/** Windows reports a breakpoint at the int3 itself, not after it. */
export const exceptionAddressAdjustment = (code: number): number => (code === STATUS_BREAKPOINT ? -1 : 0);
