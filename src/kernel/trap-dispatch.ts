// The kernel's single entry: every interrupt and exception the guest raises
// arrives here through Unicorn's INTR hook and is dispatched by vector.
import type { Engine } from '../cpu/engine.js';
import { X86Reg } from '../cpu/constants.js';
import type { Disassembler } from '../cpu/disassembler.js';
import { resolvePageFault, type FaultInput, type FaultResolution } from '../mm/fault-handler.js';
import { KernelPanic } from '../mm/panic.js';
import { MM_SYSTEM_RANGE_START, PAGE_SIZE } from '../mm/layout.js';
import { STATUS_ACCESS_VIOLATION, STATUS_GUARD_PAGE_VIOLATION, STATUS_IN_PAGE_ERROR, STATUS_INVALID_SYSTEM_SERVICE, STATUS_NO_MEMORY, STATUS_PRIVILEGED_INSTRUCTION, STATUS_STACK_OVERFLOW, ntStatusName } from '../nt/status.js';
import { updateStackLimit } from './process-environment.js';
import type { RunLimits } from './run-limits.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { Process } from './process.js';
import type { ProcessManager } from './ps/process-manager.js';
import type { Scheduler } from './ke/scheduler.js';
import {
  VECTOR_GENERAL_PROTECTION, VECTOR_INVALID_OPCODE, VECTOR_LINUX_SYSCALL, VECTOR_NT_SYSTEM_SERVICE, VECTOR_PAGE_FAULT, statusForVector,
} from './cpu-exceptions.js';
import { ExceptionDispatcher, exceptionAddressAdjustment } from './exception-dispatch.js';
import { callNtService, findNtService } from './syscalls/nt-service-table.js';
import { describeLinuxSyscall, dispatchLinuxSyscall } from './syscalls/linux-syscalls.js';
import type { KernelDumps, NtServiceContext } from './syscalls/nt-service.js';
import { readRegisters, writeUserRegisters } from './x86-context.js';

const ERROR_CODE_WRITE = 2;
const ERROR_CODE_USER = 4;

export interface TrapDependencies {
  /** The CPU, with attachCpuState done (acknowledgeException needs it). */
  engine: Engine;
  trace: TraceBus;
  disassembler: Disassembler;
  dumps: KernelDumps;
  /** Called whenever the kernel is done with a trap and the guest runs again (KUSER_SHARED_DATA's clock moves on). */
  onReturnToUser?: () => void;
  /** The deadline and host signals, checked at every trap. */
  limits?: RunLimits;
  /** Threads and waits. */
  scheduler: Scheduler;
  /** Run the memory manager's invariant checker after every system service (tests). */
  checkInvariantsAfterServices?: () => void;
  /** The machine's process list, for the process services. */
  processes?: ProcessManager;
}

/** The exception a refused fault raises in the guest. */
const FAULT_STATUS = {
  'guard-page': STATUS_GUARD_PAGE_VIOLATION,
  'stack-overflow': STATUS_STACK_OVERFLOW,
  'access-violation': STATUS_ACCESS_VIOLATION,
  'no-memory': STATUS_NO_MEMORY,
  'in-page-error': STATUS_IN_PAGE_ERROR,
} as const;

export class TrapDispatcher {
  readonly exceptions: ExceptionDispatcher;
  private readonly serviceContext: NtServiceContext;
  /** Page faults by how they ended (demand-zero, section-file — the hard faults —, copy-on-write, access-violation…). */
  readonly faultCounts = new Map<string, number>();
  /** The system call being served (for faults the kernel takes on its behalf): ABI and number. */
  private callAbi: 'nt' | 'linux' | undefined;
  private callNumber = 0;
  /** [EBX, ECX, EDX] of the Linux call being served; reused. */
  private readonly linuxArgs = [0, 0, 0];
  private readonly argumentBuffers: number[][] = [];

  constructor(private readonly deps: TrapDependencies) {
    this.exceptions = new ExceptionDispatcher(deps.engine, () => this.process, deps.trace);
    const scheduler = deps.scheduler;
    this.serviceContext = {
      // The calling thread's process: services act for whichever process the CPU runs.
      get process() { return scheduler.current.process; },
      thread: { read: () => readRegisters(deps.engine), write: (registers) => writeUserRegisters(deps.engine, registers) },
      exceptions: this.exceptions,
      dumps: deps.dumps,
      trace: deps.trace,
      ...(deps.processes ? { processes: deps.processes } : {}),
      scheduler: deps.scheduler,
    };
  }

  /** The process of the thread the CPU runs (traps and faults are its). */
  private get process(): Process { return this.deps.scheduler.current.process; }

  handleInterrupt(vector: number): void {
    if (this.process.terminated || this.limitReached()) return;
    this.dispatchInterrupt(vector);
    this.deps.onReturnToUser?.();
  }

  private dispatchInterrupt(vector: number): void {
    switch (vector) {
      case VECTOR_PAGE_FAULT: return this.handlePageFault();
      case VECTOR_NT_SYSTEM_SERVICE: return this.handleNtSystemService();
      case VECTOR_LINUX_SYSCALL: return this.handleLinuxSyscall();
      default: return this.handleCpuException(vector);
    }
  }

  /** Unicorn delivers #UD through its own hook: raise it like any CPU exception. */
  handleInvalidInstruction(): void {
    if (this.process.terminated || this.limitReached()) return;
    this.handleCpuException(VECTOR_INVALID_OPCODE);
  }

  /**
   * In, out, ins or outs at EIP, which the CPU stopped before (Unicorn does
   * not check I/O permission): the #GP a real CPU raises in ring 3 with IOPL
   * 0, which Windows reports as STATUS_PRIVILEGED_INSTRUCTION at the
   * instruction (ExceptionAddress = EIP, no parameters).
   */
  handlePortIo(): void {
    if (this.process.terminated || this.limitReached()) return;
    this.raisePrivilegedInstruction();
  }

  private raisePrivilegedInstruction(): void {
    const registers = readRegisters(this.deps.engine);
    const instruction = this.decodeAt(registers.eip);
    this.exceptions.raise({ code: STATUS_PRIVILEGED_INSTRUCTION, eip: registers.eip, instruction, vector: VECTOR_GENERAL_PROTECTION }, registers);
  }

  /** The run's deadline passed or a host signal came: stop the CPU instead of serving the trap. */
  private limitReached(): boolean {
    if (!this.deps.limits?.reached()) return false;
    this.deps.engine.stop();
    return true;
  }

  /** Forgets a stale pending exception before the CPU restarts (see StartOptions.beforeResume). */
  clearPendingException(): void {
    this.acknowledgeException();
  }

  /** A fault the kernel took while copying to or from user memory for a system call; `pid`: the process whose memory it was (another's, for ReadProcessMemory). */
  observeKernelFault(input: FaultInput, resolution: FaultResolution, pid?: number): void {
    this.recordFault(resolution);
    if (!this.deps.trace.active) return;
    const errorCode = input.write ? ERROR_CODE_WRITE : 0;
    this.traceFault(input, errorCode, resolution, this.deps.engine.readRegister(X86Reg.EIP), undefined, this.currentCall, pid);
  }

  /** Clears Unicorn's stale old_exception (else the next #PF is a double fault) and returns the hardware error code. */
  private acknowledgeException(): number {
    return this.deps.engine.acknowledgeException();
  }

  private handlePageFault(): void {
    const errorCode = this.acknowledgeException();
    const { engine, trace } = this.deps;
    const process = this.process;
    const address = engine.readRegister(X86Reg.CR2);
    const input: FaultInput = { address, write: (errorCode & ERROR_CODE_WRITE) !== 0, user: this.isUserFault(errorCode) };
    if (!input.user) throw new KernelPanic(`kernel-mode page fault at ${address.toString(16)} (error code ${errorCode})`);
    const resolution = resolvePageFault(process.space, input);
    if (resolution.kind === 'access-violation' && this.isLookBehindOfTranslationStop(address)) {
      // The stopped instruction's #UD or #GP; or a stale stop, now removed: the CPU retries.
      const why = this.deps.engine.guardStopAt(this.deps.engine.readRegister(X86Reg.EIP));
      if (why === 'untranslatable') this.handleCpuException(VECTOR_INVALID_OPCODE);
      if (why === 'port-io') this.raisePrivilegedInstruction();
      return;
    }
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
      ...(resolution.kind === 'in-page-error' ? { ioStatus: resolution.ioStatus } : {}),
    });
  }

  /**
   * A fault the guest's instruction caused. QEMU pops the frames of `retf` and
   * `iret` with supervisor-privilege loads, so their faults come without the
   * U/S bit; what tells them from the kernel's own faults is that EIP is in
   * user space. Only faults of the kernel's code (its entry stub) panic.
   */
  private isUserFault(errorCode: number): boolean {
    return (errorCode & ERROR_CODE_USER) !== 0 || this.deps.engine.readRegister(X86Reg.EIP) >>> 0 < MM_SYSTEM_RANGE_START;
  }

  /**
   * Unicorn sizes a block that starts at a translation-guard stop as empty and
   * then looks up the page before it: when that page is not there, the fault
   * is not the guest's.
   */
  private isLookBehindOfTranslationStop(address: number): boolean {
    const eip = this.deps.engine.readRegister(X86Reg.EIP);
    return (eip & 0xfff) === 0 && address === ((eip - PAGE_SIZE) >>> 0) && this.deps.engine.hasTranslationStop(eip);
  }

  /** What every fault, the guest's or the kernel's, leaves behind: its count, and a moved StackLimit in the TEB. */
  private recordFault(resolution: FaultResolution): void {
    this.process.space.pageFaults++;
    const name = resolution.kind === 'resolved' ? resolution.how : resolution.kind;
    this.faultCounts.set(name, (this.faultCounts.get(name) ?? 0) + 1);
    if (resolution.kind === 'stack-growth' || resolution.kind === 'stack-overflow') updateStackLimit(this.process.memory, resolution.stackLimit, this.process.currentTebAddress);
  }

  private handleNtSystemService(): void {
    const { engine, trace } = this.deps;
    const process = this.process;
    const number = engine.readRegister(X86Reg.EAX), argsPointer = engine.readRegister(X86Reg.EDX);
    const service = findNtService(number);
    // A traced call gets its own array (the event keeps it; empty if the arguments were unreadable).
    const args = trace.active || !service ? [] : this.argumentBuffer(service.argCount);
    this.enterCall('nt', number);
    const startedUs = trace.active ? trace.nowUs() : 0;
    const status = service ? callNtService(this.serviceContext, service, argsPointer, args) : STATUS_INVALID_SYSTEM_SERVICE;
    this.leaveCall();
    const keepRegisters = service?.replacesRegisters && status === 0;
    if (!process.terminated && !keepRegisters) engine.writeRegister(X86Reg.EAX, status);
    if (trace.active) {
      trace.emit({
        type: 'syscall', abi: 'nt', number, name: service?.name ?? `service_0x${number.toString(16)}`,
        args, result: status, resultName: ntStatusName(status), durationUs: elapsedSince(trace, startedUs),
      });
    }
    this.deps.checkInvariantsAfterServices?.();
  }

  private handleLinuxSyscall(): void {
    const { engine, trace } = this.deps;
    const process = this.process;
    const number = engine.readRegister(X86Reg.EAX);
    const args = this.linuxArgs;
    args[0] = engine.readRegister(X86Reg.EBX);
    args[1] = engine.readRegister(X86Reg.ECX);
    args[2] = engine.readRegister(X86Reg.EDX);
    this.enterCall('linux', number);
    const startedUs = trace.active ? trace.nowUs() : 0;
    const result = dispatchLinuxSyscall(process, number, args);
    this.leaveCall();
    if (!process.terminated) engine.writeRegister(X86Reg.EAX, result);
    if (trace.active) trace.emit({ type: 'syscall', abi: 'linux', number, ...describeLinuxSyscall(number, args), result, durationUs: elapsedSince(trace, startedUs) });
  }

  /** One reused array per argument count: services read their arguments during the call only. */
  private argumentBuffer(count: number): number[] {
    let buffer = this.argumentBuffers[count];
    if (!buffer) this.argumentBuffers[count] = buffer = new Array<number>(count).fill(0);
    return buffer;
  }

  private enterCall(abi: 'nt' | 'linux', number: number): void {
    this.callAbi = abi;
    this.callNumber = number;
  }

  private leaveCall(): void { this.callAbi = undefined; }

  /** The system call being served, as traces name it (built only when a kernel fault is traced). */
  private get currentCall(): string | undefined {
    if (this.callAbi === undefined) return undefined;
    return this.callAbi === 'nt' ? `service 0x${this.callNumber.toString(16)}` : `linux syscall ${this.callNumber}`;
  }

  private handleCpuException(vector: number): void {
    if (vector < 32) this.acknowledgeException();
    const registers = readRegisters(this.deps.engine);
    const atEip = this.decodeAt(registers.eip);
    const code = statusForVector(vector, atEip);
    // A trap (int3) leaves EIP after the instruction: the report names the one at ExceptionAddress.
    const eip = (registers.eip + exceptionAddressAdjustment(code)) >>> 0;
    const instruction = eip === registers.eip ? atEip : this.decodeAt(eip);
    this.exceptions.raise({ code, eip, instruction, vector }, { ...registers, eip });
  }

  private traceFault(input: FaultInput, errorCode: number, resolution: FaultResolution, eip: number, instruction: string | undefined, inSystemCall?: string, pid?: number): void {
    const vad = resolution.vad;
    this.deps.trace.emit({
      ...(pid !== undefined ? { pid } : {}),
      type: 'page-fault', address: input.address, eip, errorCode, instruction,
      ...(inSystemCall ? { inSystemCall } : {}),
      resolution: resolution.kind === 'resolved' ? resolution.how : resolution.kind,
      ...(resolution.kind === 'access-violation' ? { why: resolution.why } : {}),
      ...(resolution.kind === 'in-page-error' ? { ioStatus: resolution.ioStatus } : {}),
      ...(resolution.kind === 'resolved' ? { pfn: resolution.pfn, fileBytes: resolution.fileBytes } : {}),
      ...('pteAfter' in resolution ? { pteAfter: resolution.pteAfter } : {}),
      ...('stackLimit' in resolution ? { stackLimit: resolution.stackLimit } : {}),
      ...(resolution.kind === 'resolved' && resolution.section ? { section: resolution.section } : {}),
      ...(resolution.kind === 'resolved' && resolution.pageFile ? { pageFile: resolution.pageFile } : {}),
      pteBefore: resolution.pteBefore,
      ...(vad ? { vad: { start: vad.startAddress, end: vad.endAddress - 1 } } : {}),
    });
  }

  private decodeAt(eip: number): string | undefined {
    const bytes = this.process.memory.peek(eip, 15);
    return bytes ? this.deps.disassembler.decode(bytes, eip)?.text : undefined;
  }
}

/** Microseconds from `startedUs` to now on the trace clock. */
const elapsedSince = (trace: TraceBus, startedUs: number): number => Math.round((trace.nowUs() - startedUs) * 10) / 10;
