// The kernel's single entry: every interrupt and exception the guest raises
// arrives here through Unicorn's INTR hook and is dispatched by vector.
import type { Engine, CpuContext } from '../cpu/engine.js';
import { X86Reg } from '../cpu/constants.js';
import type { ContextLayout } from '../cpu/context-calibration.js';
import type { Disassembler } from '../cpu/disassembler.js';
import { resolvePageFault, type FaultInput, type FaultResolution } from '../mm/fault-handler.js';
import { KernelPanic } from '../mm/panic.js';
import { STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_NO_MEMORY, STATUS_STACK_OVERFLOW, ntStatusName } from '../nt/status.js';
import { updateStackLimit } from './process-environment.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { Process } from './process.js';
import {
  VECTOR_INVALID_OPCODE, VECTOR_LINUX_SYSCALL, VECTOR_NT_SYSTEM_SERVICE, VECTOR_PAGE_FAULT, statusForVector,
} from './cpu-exceptions.js';
import { ExceptionDispatcher, exceptionAddressAdjustment } from './exception-dispatch.js';
import { dispatchNtService } from './syscalls/nt-service-table.js';
import { dispatchLinuxSyscall } from './syscalls/linux-syscalls.js';
import type { KernelDumps, NtServiceContext } from './syscalls/nt-service.js';
import { readRegisters, writeUserRegisters } from './x86-context.js';

const ERROR_CODE_WRITE = 2;
const ERROR_CODE_USER = 4;

export interface TrapDependencies {
  engine: Engine;
  contextLayout: ContextLayout;
  process: Process;
  trace: TraceBus;
  disassembler: Disassembler;
  dumps: KernelDumps;
  /** Run the memory manager's invariant checker after every system service (tests). */
  checkInvariantsAfterServices?: () => void;
}

/** The exception a refused fault raises in the guest. */
const FAULT_STATUS = {
  'guard-page': STATUS_GUARD_PAGE_VIOLATION,
  'stack-overflow': STATUS_STACK_OVERFLOW,
  'access-violation': STATUS_ACCESS_VIOLATION,
  'no-memory': STATUS_NO_MEMORY,
} as const;

export class TrapDispatcher {
  readonly exceptions: ExceptionDispatcher;
  private readonly scratch: CpuContext;
  private readonly serviceContext: NtServiceContext;
  /** Page faults by how they ended (demand-zero, section-file — the hard faults —, copy-on-write, access-violation…). */
  readonly faultCounts = new Map<string, number>();
  /** The system call being served, for faults the kernel takes on its behalf. */
  private currentCall: string | undefined;

  constructor(private readonly deps: TrapDependencies) {
    this.scratch = deps.engine.allocateContext();
    this.exceptions = new ExceptionDispatcher(deps.engine, deps.process, deps.trace);
    this.serviceContext = {
      process: deps.process,
      thread: { read: () => readRegisters(deps.engine), write: (registers) => writeUserRegisters(deps.engine, registers) },
      exceptions: this.exceptions,
      dumps: deps.dumps,
      trace: deps.trace,
    };
  }

  handleInterrupt(vector: number): void {
    if (this.deps.process.terminated) return;
    switch (vector) {
      case VECTOR_PAGE_FAULT: return this.handlePageFault();
      case VECTOR_NT_SYSTEM_SERVICE: return this.handleNtSystemService();
      case VECTOR_LINUX_SYSCALL: return this.handleLinuxSyscall();
      default: return this.handleCpuException(vector);
    }
  }

  /** Unicorn delivers #UD through its own hook: raise it like any CPU exception. */
  handleInvalidInstruction(): void {
    if (this.deps.process.terminated) return;
    this.handleCpuException(VECTOR_INVALID_OPCODE);
  }

  /** Forgets a stale pending exception before the CPU restarts (see StartOptions.beforeResume). */
  clearPendingException(): void {
    this.acknowledgeException();
  }

  /** A fault the kernel took while copying to or from user memory for a system call. */
  observeKernelFault(input: FaultInput, resolution: FaultResolution): void {
    this.recordFault(resolution);
    if (!this.deps.trace.active) return;
    const errorCode = input.write ? ERROR_CODE_WRITE : 0;
    this.traceFault(input, errorCode, resolution, this.deps.engine.readRegister(X86Reg.EIP), undefined, this.currentCall);
  }

  /**
   * Unicorn leaves env->old_exception set after a hooked exception, which would
   * turn the next #PF into a double fault: clear it through a saved context and
   * read the hardware error code from the same bytes.
   */
  private acknowledgeException(): number {
    const { engine, contextLayout } = this.deps;
    engine.saveContext(this.scratch);
    const errorCode = this.scratch.bytes.getInt32(contextLayout.errorCodeOffset, true);
    this.scratch.bytes.setInt32(contextLayout.oldExceptionOffset, -1, true);
    engine.restoreContext(this.scratch);
    return errorCode;
  }

  private handlePageFault(): void {
    const errorCode = this.acknowledgeException();
    const { engine, process, trace } = this.deps;
    const address = engine.readRegister(X86Reg.CR2);
    const input: FaultInput = { address, write: (errorCode & ERROR_CODE_WRITE) !== 0, user: (errorCode & ERROR_CODE_USER) !== 0 };
    if (!input.user) throw new KernelPanic(`kernel-mode page fault at ${address.toString(16)} (error code ${errorCode})`);
    const resolution = resolvePageFault(process.space, input);
    this.recordFault(resolution);
    if (resolution.kind === 'resolved' && !trace.active) return;
    const eip = engine.readRegister(X86Reg.EIP);
    const instruction = this.decodeAt(eip);
    if (trace.active) this.traceFault(input, errorCode, resolution, eip, instruction);
    if (resolution.kind === 'resolved' || resolution.kind === 'stack-growth') return;
    const code = FAULT_STATUS[resolution.kind];
    this.exceptions.raise({
      code, eip, instruction, address, write: input.write, errorCode,
      ...(resolution.kind === 'access-violation' ? { why: resolution.why } : {}),
    });
  }

  /** What every fault, the guest's or the kernel's, leaves behind: its count, and a moved StackLimit in the TEB. */
  private recordFault(resolution: FaultResolution): void {
    const name = resolution.kind === 'resolved' ? resolution.how : resolution.kind;
    this.faultCounts.set(name, (this.faultCounts.get(name) ?? 0) + 1);
    if (resolution.kind === 'stack-growth' || resolution.kind === 'stack-overflow') updateStackLimit(this.deps.process.memory, resolution.stackLimit);
  }

  private handleNtSystemService(): void {
    const { engine, process, trace } = this.deps;
    const [number, argsPointer] = engine.readRegisters([X86Reg.EAX, X86Reg.EDX]) as unknown as [number, number];
    this.currentCall = `service 0x${number.toString(16)}`;
    const call = dispatchNtService(this.serviceContext, number, argsPointer);
    this.currentCall = undefined;
    const keepRegisters = call.service?.replacesRegisters && call.status === 0;
    if (!process.terminated && !keepRegisters) engine.writeRegister(X86Reg.EAX, call.status);
    if (trace.active) {
      trace.emit({
        type: 'syscall', abi: 'nt', number, name: call.service?.name ?? `service_0x${number.toString(16)}`,
        args: call.args, result: call.status, resultName: ntStatusName(call.status),
      });
    }
    this.deps.checkInvariantsAfterServices?.();
  }

  private handleLinuxSyscall(): void {
    const { engine, process, trace } = this.deps;
    const [number, ebx, ecx, edx] = engine.readRegisters([X86Reg.EAX, X86Reg.EBX, X86Reg.ECX, X86Reg.EDX]);
    this.currentCall = `linux syscall ${number}`;
    const call = dispatchLinuxSyscall(process, number!, [ebx!, ecx!, edx!]);
    this.currentCall = undefined;
    if (!process.terminated) engine.writeRegister(X86Reg.EAX, call.result);
    if (trace.active) trace.emit({ type: 'syscall', abi: 'linux', number: number!, name: call.name, args: call.args, result: call.result });
  }

  private handleCpuException(vector: number): void {
    if (vector < 32) this.acknowledgeException();
    const registers = readRegisters(this.deps.engine);
    const instruction = this.decodeAt(registers.eip);
    const code = statusForVector(vector, instruction);
    const eip = (registers.eip + exceptionAddressAdjustment(code)) >>> 0;
    this.exceptions.raise({ code, eip, instruction, vector }, { ...registers, eip });
  }

  private traceFault(input: FaultInput, errorCode: number, resolution: FaultResolution, eip: number, instruction: string | undefined, inSystemCall?: string): void {
    const vad = resolution.vad;
    this.deps.trace.emit({
      type: 'page-fault', address: input.address, eip, errorCode, instruction,
      ...(inSystemCall ? { inSystemCall } : {}),
      resolution: resolution.kind === 'resolved' ? resolution.how : resolution.kind,
      ...(resolution.kind === 'access-violation' ? { why: resolution.why } : {}),
      ...(resolution.kind === 'resolved' ? { pfn: resolution.pfn, fileBytes: resolution.fileBytes } : {}),
      ...('pteAfter' in resolution ? { pteAfter: resolution.pteAfter } : {}),
      ...('stackLimit' in resolution ? { stackLimit: resolution.stackLimit } : {}),
      ...(resolution.kind === 'resolved' && resolution.section ? { section: resolution.section } : {}),
      pteBefore: resolution.pteBefore,
      ...(vad ? { vad: { start: vad.startAddress, end: vad.endAddress - 1 } } : {}),
    });
  }

  private decodeAt(eip: number): string | undefined {
    const bytes = this.deps.process.memory.peek(eip, 15);
    return bytes ? this.deps.disassembler.decode(bytes, eip)?.text : undefined;
  }
}
