// KTHREAD/ETHREAD as mmscope needs them: the scheduler's state, the saved
// CPU context, the TEB and stack the thread owns, and the dispatcher header
// that is signalled when the thread ends (so a thread handle is waitable).
import type { CpuContext } from '../../cpu/engine.js';
import { STATUS_PENDING } from '../../nt/status.js';
import type { Vad } from '../../mm/vad.js';
import type { Process } from '../process.js';
import { DispatcherObject, type KMutant } from './dispatcher-objects.js';
import type { Wait } from './wait.js';

/** Windows' KTHREAD_STATE, reduced: one CPU, no standby or transition. */
export type ThreadState = 'ready' | 'running' | 'waiting' | 'terminated';

/** Registers a new thread starts with (the kernel's initial context, KiInitializeContextThread). */
export interface InitialRegisters {
  eip: number;
  esp: number;
  eax: number;
  ebx: number;
}

/** The user-mode resources the kernel created for the thread and frees at its exit. */
export interface ThreadResources {
  /** The TEB's page (its own VAD). */
  tebAddress: number;
  tebVad: Vad;
  /** The stack reservation (its own VAD), StackBase and the first StackLimit. */
  stackVad: Vad;
  stackBase: number;
  stackLimit: number;
}

export class KThread extends DispatcherObject {
  readonly objectType = 'Thread';
  state: ThreadState = 'ready';
  /** NtSuspendThread's count: the thread runs only at 0. */
  suspendCount = 0;
  /** STILL_ACTIVE (STATUS_PENDING) until the thread ends. */
  exitStatus = STATUS_PENDING;
  /** The wait the thread is blocked in, while state is 'waiting'. */
  wait: Wait | undefined;
  /** The status its system call returns when it runs again (its wait's outcome); written to EAX then. */
  pendingStatus: number | undefined;
  /** Saved registers while it does not run; for a thread that never ran, the creator's (its segments and FPU state). */
  context: CpuContext | undefined;
  /** Set until the thread first runs: the registers its context gets on top of the creator's. */
  initialRegisters: InitialRegisters | undefined;
  /** Mutants it owns: abandoned when it ends. */
  readonly ownedMutants = new Set<KMutant>();
  /** Instructions it has run (counted while the scheduler meters quanta). */
  instructions = 0;
  /** Times the scheduler switched the CPU to it (KTHREAD.ContextSwitches, Process Explorer's "Context Switches"). */
  contextSwitches = 0;

  constructor(
    /** ClientId.UniqueThread. */
    readonly tid: number,
    readonly process: Process,
    readonly resources: ThreadResources,
    /** The address the thread starts at in user mode (Win32StartAddress, for traces and !thread). */
    readonly startAddress: number,
  ) { super(); }

  get tebAddress(): number { return this.resources.tebAddress; }
  get terminated(): boolean { return this.state === 'terminated'; }
  /** Runnable: not ended, not waiting, not suspended. */
  get runnable(): boolean { return this.state !== 'terminated' && this.state !== 'waiting' && this.suspendCount === 0; }
  isSignalledFor(): boolean { return this.terminated; }
}
