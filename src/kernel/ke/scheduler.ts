// The scheduler (xv6's proc.c shape, Windows' names): threads are data, one
// loop runs the current thread for a quantum and picks the next.
//
// - Round-robin, priority-free, one CPU. A quantum is counted in guest
//   instructions (DEFAULT_QUANTUM unless --quantum), never in host time, so
//   the same program with the same inputs and options interleaves the same
//   way every run. `--seed` draws each quantum from [q/2, 3q/2) instead, with
//   a seeded generator: still repeatable, but another interleaving.
// - While only one thread exists nothing is metered: the CPU runs as it did
//   before threads (no block hook, no cost). From the second thread on, the
//   native block counter (src/cpu/instruction-limit.ts) stays installed and
//   ends each quantum exactly.
// - Waits block the thread (state 'waiting'); a signal makes waiters ready
//   in the order they began waiting (KiWaitTest). A timeout counts scheduler
//   time: instructions run while threads are metered, at 1 ns each (a 1 GHz
//   CPU), plus idle time. When no thread can run, time jumps to the earliest
//   timeout (and the kernel clock with it, as with Sleep on one thread);
//   with no timeout pending either, the process waits forever and the run
//   ends as `waits-forever`.
// - Threads of several processes share the one CPU: the next thread may
//   belong to another process, and the switch then changes address spaces
//   (switchAddressSpace). A process ends when its last thread ends (or it is
//   terminated): its threads are retired, its object signalled, and the
//   machine tears it down (processEnded); the other processes' threads run on,
//   as on Windows, where a child outlives its parent. run() returns when no
//   thread can run any more.
import { X86Reg } from '../../cpu/constants.js';
import type { Engine, StartOptions } from '../../cpu/engine.js';
import { TEB_SELECTOR } from '../../cpu/x86-descriptors.js';
import { STATUS_TIMEOUT, type NtStatus } from '../../nt/status.js';
import type { TraceBus } from '../../trace/trace-bus.js';
import type { ContextSwitchEvent } from '../../trace/events.js';
import type { Process } from '../process.js';
import { DispatcherObject } from './dispatcher-objects.js';
import { KThread, type InitialRegisters, type ThreadResources } from './thread.js';
import { ClientIds } from './client-ids.js';
import { INITIAL_THREAD_ID } from '../process-environment.js';
import { releaseThreadResources } from './thread-resources.js';
import { dequeueWait, enqueueWait, trySatisfyWait, type Wait } from './wait.js';

/** Instructions per quantum unless --quantum says otherwise (about 0.1-1 ms of emulated time on this engine). */
export const DEFAULT_QUANTUM = 100_000;
/** Scheduler time per instruction, in ns (a 1 GHz CPU retiring one instruction per cycle). */
const NS_PER_INSTRUCTION = 1;
const USER_EFLAGS = 0x202;

export interface SchedulerDependencies {
  engine: Engine;
  trace: TraceBus;
  /** Points FS's GDT descriptor (KGDT_R3_TEB) at a TEB, as KiSwapContext does. */
  setTebBase(tebAddress: number): void;
  /** Clears Unicorn's stale pending exception before the CPU goes on (Engine.acknowledgeException). */
  clearPendingException(): void;
  /** Installs the block counter for good; false when there is none (quanta then use Unicorn's slower count). */
  meterInstructions(): boolean;
  /** The machine's UniqueProcess/UniqueThread allocator (one table for both, as PspCidTable). */
  allocateClientId?: () => number;
  /** Makes `to`'s address space the CPU's (procs' switch); absent while the machine holds one process. */
  switchAddressSpace?: (from: Process, to: Process) => void;
  /**
   * `process` has ended and its threads are retired (PspExitProcess's rest):
   * the machine closes its handles and deletes its address space. Called
   * once per process, before the CPU runs another thread.
   */
  processEnded?: (process: Process) => void;
}

/** What a thread gets when NtCreateThreadEx passes 0 (the image's SizeOfStackCommit/Reserve, or --stack). */
export interface ThreadDefaults {
  stackReserveBytes: number;
  stackCommitBytes: number;
}

export interface SchedulerOptions {
  /** Instructions per quantum (default DEFAULT_QUANTUM). */
  quantum?: number;
  /** Draw each quantum from [q/2, 3q/2) with this seed. */
  seed?: number;
}

export class Scheduler {
  /** Every thread created, in creation order (ended ones stay, for views and exit codes). */
  readonly threads: KThread[] = [];
  current: KThread;
  /** Scheduler time in ns: metered instructions plus idle time skipped. */
  now = 0;
  contextSwitches = 0;
  /** Thread ids: the machine's client-id table when it has one (process and thread ids never collide), else ids from 12 up. */
  readonly clientIds: { allocate(): number };
  private readonly readyQueue: KThread[] = [];
  /** Processes whose end was handled (endProcess), so it happens once. */
  private readonly endedProcesses = new Set<Process>();
  /** Why the CPU was stopped for the scheduler; 'meter': only to go on with quanta metered. */
  private rescheduleReason: ContextSwitchEvent['reason'] | 'meter' | undefined;
  private metering = false;
  private readonly quantum: number;
  private random: number;

  constructor(private readonly deps: SchedulerDependencies, initial: KThread, readonly threadDefaults: ThreadDefaults, options: SchedulerOptions = {}) {
    this.clientIds = deps.allocateClientId ? { allocate: deps.allocateClientId } : new ClientIds(INITIAL_THREAD_ID + 4);
    this.quantum = options.quantum ?? DEFAULT_QUANTUM;
    if (!(Number.isInteger(this.quantum) && this.quantum > 0)) throw new RangeError('--quantum: the quantum must be a positive number of instructions');
    this.random = options.seed === undefined ? 0 : (options.seed >>> 0) || 1;
    this.current = initial;
    initial.state = 'running';
    this.threads.push(initial);
    deps.trace.tid = initial.tid;
  }

  /** Threads of `process` that have not ended. */
  liveThreads(process: Process): KThread[] {
    return this.threads.filter((thread) => thread.process === process && !thread.terminated);
  }

  /** The thread with this id, ended or not. */
  findThread(tid: number): KThread | undefined { return this.threads.find((thread) => thread.tid === tid); }

  /**
   * Runs threads from `begin` (the current thread's EIP) until a stop that is
   * not the scheduler's own: the process ends, `until`, the instruction
   * budget, the timeout, a debugger's or a signal's stop, or no thread can
   * ever run again (process.waitingForever). A BugCheck or hook error propagates.
   */
  run(begin: number, options: StartOptions): void {
    const { engine } = this.deps;
    const deadline = options.timeoutUs ? performance.now() + options.timeoutUs / 1000 : 0;
    const budget = options.maxInstructions ?? 0;
    let remaining = budget;
    for (;;) {
      const quantum = this.metered() ? this.nextQuantum() : 0;
      const slice = quantum && remaining ? Math.min(quantum, remaining) : quantum || remaining;
      const timeoutUs = deadline ? Math.max(1, Math.round((deadline - performance.now()) * 1000)) : 0;
      // A quantum ends at a block boundary (deterministic, and cheap); the run's own budget ends exactly.
      const quantumSlice = quantum > 0 && slice === quantum;
      const executed = engine.start(begin, { ...options, timeoutUs, maxInstructions: slice, stopAtBlockBoundary: quantumSlice });
      if (budget) remaining -= Math.min(remaining, executed);
      this.current.instructions += executed;
      if (quantum) this.now += executed * NS_PER_INSTRUCTION;
      const process = this.current.process;
      const ended = process.terminated;
      if (ended) this.endProcess(process);
      const quantumEnded = quantumSlice && (executed >= quantum || engine.budgetEndedRun);
      const reason = ended ? 'exit' : this.rescheduleReason ?? (quantumEnded ? 'quantum' : undefined);
      this.rescheduleReason = undefined;
      if (reason === undefined || (budget && remaining === 0)) return;
      if (deadline && performance.now() >= deadline) return;
      if (ended && this.threads.every((thread) => thread.terminated)) return;
      // Unicorn 2.0.1 leaves old_exception stale when uc_emu_start returns: clear it or the next #PF is a #DF.
      this.deps.clearPendingException();
      if (reason === 'meter') {
        begin = engine.readRegister(X86Reg.EIP);
        continue;
      }
      this.expireTimers();
      const next = this.selectNextThread();
      if (!next) {
        for (const thread of this.threads) if (!thread.terminated) thread.process.waitingForever = true;
        return;
      }
      this.switchTo(next, reason);
      begin = engine.readRegister(X86Reg.EIP);
    }
  }

  /**
   * A new thread of `process` (PspCreateThread's kernel part): it starts
   * with the creator's segments and FPU state and `initial`'s registers, FS
   * on its own TEB; it runs when its turn comes, or after NtResumeThread
   * when `suspended`.
   */
  createThread(tid: number, process: Process, resources: ThreadResources, initial: InitialRegisters, startAddress: number, suspended: boolean): KThread {
    const thread = new KThread(tid, process, resources, startAddress);
    thread.initialRegisters = initial;
    thread.context = this.deps.engine.allocateContext();
    this.deps.engine.saveContext(thread.context);
    if (suspended) thread.suspendCount = 1;
    const { trace } = this.deps;
    if (trace.active) {
      trace.emit({
        type: 'thread-create', newTid: tid, startAddress, teb: resources.tebAddress,
        stack: { start: resources.stackVad.startAddress, end: resources.stackVad.endAddress - 1 }, suspended,
        ...(process !== this.current.process ? { ownerPid: process.id } : {}),
      });
    }
    this.addThread(thread);
    return thread;
  }

  private addThread(thread: KThread): void {
    this.threads.push(thread);
    thread.state = 'ready';
    if (thread.suspendCount === 0) this.readyQueue.push(thread);
    // The first second thread: stop so that the creator's run goes on metered (no switch yet).
    if (!this.metering) this.requestReschedule('meter');
  }

  /**
   * Starts a wait for the current thread: satisfied at once if it can be
   * (the status is returned), else the thread blocks and the CPU stops
   * (undefined is returned; the status reaches EAX when the thread runs
   * again). With one thread, nothing else could end the wait: a timeout
   * passes at once (the clock moves on), an infinite wait ends the run.
   */
  wait(objects: readonly DispatcherObject[], waitAll: boolean, timeoutNs: number | undefined, timeoutStatus: NtStatus = STATUS_TIMEOUT): NtStatus | undefined {
    const thread = this.current;
    const satisfied = trySatisfyWait({ thread, objects, waitAll });
    if (satisfied !== undefined) return satisfied;
    if (timeoutNs === 0) return timeoutStatus;
    if (this.threads.every((t) => t === thread || t.terminated)) {
      if (timeoutNs === undefined) {
        thread.process.waitForever();
        return timeoutStatus;
      }
      this.skipTime(timeoutNs, thread.process);
      return timeoutStatus;
    }
    const wait: Wait = { thread, objects, waitAll, deadline: timeoutNs === undefined ? undefined : this.now + timeoutNs, timeoutStatus };
    thread.state = 'waiting';
    thread.wait = wait;
    enqueueWait(wait);
    this.requestReschedule('wait');
    return undefined;
  }

  /** An object's state changed so it may be signalled: end the waits it now satisfies, oldest first (KiWaitTest). */
  signal(object: DispatcherObject): void {
    for (const wait of [...object.waitList]) {
      if (wait.thread.wait !== wait) continue;
      const status = trySatisfyWait(wait);
      if (status !== undefined) this.completeWait(wait, status);
    }
  }

  /** NtYieldExecution: false when no other thread is ready (STATUS_NO_YIELD_PERFORMED). */
  yieldCpu(): boolean {
    if (this.readyQueue.length === 0) return false;
    this.requestReschedule('yield');
    return true;
  }

  /** NtSuspendThread: the previous count. The current thread stops at once. */
  suspend(thread: KThread): number {
    const previous = thread.suspendCount++;
    if (previous === 0) {
      this.removeFromReadyQueue(thread);
      if (thread === this.current) this.requestReschedule('suspend');
    }
    return previous;
  }

  /** NtResumeThread: the previous count; at 0 a ready thread joins the ready queue. */
  resume(thread: KThread): number {
    const previous = thread.suspendCount;
    if (previous === 0) return 0;
    thread.suspendCount--;
    if (thread.suspendCount === 0 && thread.state === 'ready' && !this.readyQueue.includes(thread)) this.readyQueue.push(thread);
    return previous;
  }

  /**
   * Ends a thread (NtTerminateThread, PspExitThread): its wait is dropped,
   * its mutants abandoned, its stack and TEB released, its handle
   * signalled. The last thread of a process ends the process with the
   * thread's status. The current thread stops at once.
   */
  terminate(thread: KThread, status: number): void {
    if (thread.terminated) return;
    this.retire(thread, status);
    releaseThreadResources(thread.process.space, thread.resources);
    if (thread.context && thread !== this.current) this.freeContext(thread);
    this.rundown(thread);
    const process = thread.process;
    if (this.liveThreads(process).length > 0) {
      if (thread === this.current) this.requestReschedule('exit');
    } else if (process === this.current.process) {
      // The CPU stops; run() ends the process before it picks the next thread.
      process.terminate(status);
    } else {
      process.exitStatus = status >>> 0;
      this.endProcess(process);
    }
  }

  private retire(thread: KThread, status: number): void {
    if (thread.wait) dequeueWait(thread.wait);
    thread.wait = undefined;
    this.removeFromReadyQueue(thread);
    thread.state = 'terminated';
    thread.exitStatus = status >>> 0;
    if (this.deps.trace.active) this.deps.trace.emit({ type: 'thread-exit', exitTid: thread.tid, status: status >>> 0 });
  }

  /**
   * A thread that ended gives up what others may wait for (KeRundownThread,
   * then the thread object's signal in PspExitThread): its mutants are
   * abandoned (the next owner's wait returns STATUS_ABANDONED_WAIT_0 + n) and
   * waits on the thread itself are satisfied.
   */
  private rundown(thread: KThread): void {
    for (const mutant of [...thread.ownedMutants]) {
      mutant.abandon();
      this.signal(mutant);
    }
    this.signal(thread);
  }

  /**
   * The process ended (its last thread, ExitProcess, TerminateProcess, an
   * unhandled exception): its other threads end with it (their memory goes
   * with the address space; their mutants are abandoned and waits on them
   * satisfied, as for any thread's end), waits on it are satisfied, and the
   * machine tears it down. Nothing for a process already ended here.
   */
  endProcess(process: Process): void {
    if (this.endedProcesses.has(process)) return;
    this.endedProcesses.add(process);
    const threads = this.liveThreads(process);
    for (const thread of threads) {
      this.retire(thread, process.exitStatus ?? 0);
      if (thread.context && thread !== this.current) this.freeContext(thread);
    }
    // Once all of them are retired: a wait satisfied here is never one of this process's own threads.
    for (const thread of threads) this.rundown(thread);
    this.signal(process);
    this.deps.processEnded?.(process);
  }

  private freeContext(thread: KThread): void {
    this.deps.engine.freeContext(thread.context!);
    thread.context = undefined;
  }

  private requestReschedule(reason: ContextSwitchEvent['reason'] | 'meter'): void {
    this.rescheduleReason ??= reason;
    this.deps.engine.stop();
  }

  private completeWait(wait: Wait, status: NtStatus): void {
    const thread = wait.thread;
    dequeueWait(wait);
    thread.wait = undefined;
    thread.pendingStatus = status;
    thread.state = 'ready';
    if (thread.suspendCount === 0) this.readyQueue.push(thread);
  }

  private metered(): boolean {
    if (this.metering) return true;
    if (this.threads.filter((thread) => !thread.terminated).length < 2) return false;
    this.metering = this.deps.meterInstructions();
    // Without the block counter quanta are still counted, by Unicorn per instruction.
    return true;
  }

  private nextQuantum(): number {
    if (this.random === 0) return this.quantum;
    // xorshift32: a fixed sequence for a seed.
    let x = this.random;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.random = x;
    const half = Math.max(1, this.quantum >> 1);
    return half + (x % (2 * half));
  }

  /** Waits whose time has come end with their timeout status, in the order of their deadlines. */
  private expireTimers(): void {
    const due = this.threads.filter((t) => t.wait?.deadline !== undefined && t.wait.deadline <= this.now)
      .sort((a, b) => a.wait!.deadline! - b.wait!.deadline!);
    for (const thread of due) this.completeWait(thread.wait!, thread.wait!.timeoutStatus);
  }

  /**
   * The next thread to run: the current one goes to the back of the ready
   * queue if it can still run; when none is ready, time skips to the
   * earliest timeout. Undefined: nothing can ever run again.
   */
  private selectNextThread(): KThread | undefined {
    const current = this.current;
    if (current.state === 'running') {
      current.state = 'ready';
      if (current.runnable) this.readyQueue.push(current);
    }
    for (;;) {
      const next = this.readyQueue.shift();
      if (next) return next;
      const deadlines = this.threads.filter((t) => t.wait?.deadline !== undefined && t.suspendCount === 0).map((t) => t.wait!.deadline!);
      if (deadlines.length === 0) return undefined;
      this.skipTime(Math.max(0, Math.min(...deadlines) - this.now), current.process);
      this.expireTimers();
    }
  }

  /** Idle: scheduler time and the kernel clock move ahead by `ns`. */
  private skipTime(ns: number, process: Process): void {
    this.now += ns;
    process.clock.advance(BigInt(Math.ceil(ns / 100)));
  }

  private switchTo(next: KThread, reason: ContextSwitchEvent['reason'] | 'meter'): void {
    const { engine, trace } = this.deps;
    const from = this.current;
    const waitStatus = next.pendingStatus;
    if (next !== from) {
      if (!from.terminated) {
        from.context ??= engine.allocateContext();
        engine.saveContext(from.context);
      } else if (from.context) {
        this.freeContext(from);
      }
      this.contextSwitches++;
      next.contextSwitches++;
      // The event is the outgoing thread's: it carries that thread's pid and tid.
      if (trace.active && reason !== 'meter') trace.emit({ type: 'context-switch', toTid: next.tid, reason, ...(waitStatus !== undefined ? { waitStatus } : {}) });
      if (next.process !== from.process) this.deps.switchAddressSpace?.(from.process, next.process);
      engine.restoreContext(next.context!);
    }
    this.deps.setTebBase(next.tebAddress);
    const initial = next.initialRegisters;
    if (initial) {
      engine.writeRegisters([
        [X86Reg.EAX, initial.eax], [X86Reg.EBX, initial.ebx], [X86Reg.ECX, 0], [X86Reg.EDX, 0], [X86Reg.ESI, 0], [X86Reg.EDI, 0],
        [X86Reg.EBP, 0], [X86Reg.ESP, initial.esp], [X86Reg.EFLAGS, USER_EFLAGS], [X86Reg.EIP, initial.eip],
      ]);
      // Reloads FS from the descriptor just written: the segment's base becomes this thread's TEB.
      engine.writeRegister(X86Reg.FS, TEB_SELECTOR);
      next.initialRegisters = undefined;
    }
    if (waitStatus !== undefined) engine.writeRegister(X86Reg.EAX, waitStatus);
    next.pendingStatus = undefined;
    this.deps.clearPendingException();
    next.process.space.userStack = next.resources.stackVad;
    next.process.currentTebAddress = next.tebAddress;
    next.state = 'running';
    this.current = next;
    trace.tid = next.tid;
  }

  private removeFromReadyQueue(thread: KThread): void {
    const index = this.readyQueue.indexOf(thread);
    if (index >= 0) this.readyQueue.splice(index, 1);
  }
}
