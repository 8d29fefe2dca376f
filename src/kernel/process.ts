// The process: its address space, how it ended, and where its console goes.
// It is also a dispatcher object (KPROCESS's header): signalled once it has
// ended, so a process handle is waitable (WaitForSingleObject on a process,
// Windows Internals 7th ed. ch. 8, "What signals an object": a process is
// signalled when its last thread terminates).
import { ShareAccessTable } from './io/share-access.js';
import type { AddressSpace } from '../mm/address-space.js';
import type { UserMemory } from '../mm/user-memory.js';
import type { Vad } from '../mm/vad.js';
import type { ExceptionReport } from './exception-report.js';
import { HandleTable, ObjectNames, type KernelObject } from './ob/handle-table.js';
import type { Sandbox } from './io/sandbox.js';
import type { BackingFiles } from './io/file-object.js';
import type { ControlArea, SectionObject } from '../mm/section.js';
import { SystemClock } from './system-clock.js';
import { DispatcherObject } from './ke/dispatcher-objects.js';
import type { ModuleView, VadView } from '../mm/vad-view.js';
import { TEB_ADDRESS } from './process-environment.js';
import type { ThreadDefaults } from './ke/scheduler.js';

export type ConsoleStream = 'stdout' | 'stderr';
export type ConsoleSink = (stream: ConsoleStream, bytes: Uint8Array) => void;

export class Process extends DispatcherObject {
  readonly objectType = 'Process';
  exitStatus: number | undefined;
  /** Set when an unhandled exception ended the process. */
  unhandledException: ExceptionReport | undefined;
  /** Each handle's entry is charged to paged pool. */
  readonly handles: HandleTable;
  /** Named objects (\BaseNamedObjects): system-wide, the machine's one directory shared by every process. */
  objectNames = new ObjectNames();
  /** Where the guest's files live; without one, file services find no path. */
  sandbox: Sandbox | undefined;
  /** Whether MmsExperimentRemoveVad may damage the address space (mmscope run --allow-experiments). */
  experimentsAllowed = false;
  /** Files that data sections map (one control area per file): system-wide, shared by every process. */
  backingFiles: BackingFiles = new Map();
  /** What the opens of each file share (IoCheckShareAccess): system-wide, shared by every process. */
  shareAccess = new ShareAccessTable();
  /** Image sections by file, kept while the file is unchanged: system-wide, shared by every process. */
  imageControlAreas = new Map<string, ControlArea>();
  /** The kernel's clock: system-wide, shared by every process. */
  clock = new SystemClock();
  /** UniqueProcessId: a multiple of 4 from the machine's client-id table (4 for the first process). */
  id = 4;
  /** InheritedFromUniqueProcessId: the creator's id, 0 for the first process. */
  parentId = 0;
  /** The image file's name as the process was created with it (ImageFileName). */
  imageName = '';
  /** The process object that handles refer to (set by the process list). */
  object: KernelObject<Process> | undefined;
  /** The address space was deleted at exit: memory services answer STATUS_PROCESS_IS_TERMINATING. */
  addressSpaceDeleted = false;
  /** The last handle to the process object closed after the process ended: its id names nothing now. */
  objectDeleted = false;
  /** The command line it was created with (empty for the first process: crt0 builds it from argv). */
  commandLine = '';
  /** The runtime's user-mode exception dispatcher in this process (its KiUserExceptionDispatcher, registered at start-up). */
  userExceptionDispatcher: number | undefined;
  /** ntdll's RtlUserThreadStart in this process (found in its ELF symbol table or ntdll's exports at creation, or MmsRegisterThreadStart's): where its new threads start. */
  userThreadStart: number | undefined;
  /** The image section it runs (EPROCESS.SectionObject): its reference is dropped when the process is deleted. */
  imageSection: SectionObject | undefined;
  /** The process-exit event was traced (at its end, or by the run's outcome for the first process). */
  exitTraced = false;
  /** The VAD tree as it was when the process ended (its address space is deleted then): for --vad at exit. */
  exitVads: VadView[] | undefined;
  /** The image views found in the VAD tree when the process ended: for --modules at exit. */
  exitModules: ModuleView[] | undefined;
  /** Set when the only thread began a wait nothing can end (an infinite NtDelayExecution): on Windows it would hang. */
  waitingForever = false;
  /** What NtCreateThreadEx gives a thread of this process when it passes 0: its image's stack commit and reservation (or --stack's). */
  threadStackDefaults: ThreadDefaults | undefined;
  /** The running thread's TEB (ke/scheduler.ts sets it at each switch): where stack growth records StackLimit. */
  currentTebAddress = TEB_ADDRESS;

  constructor(
    readonly space: AddressSpace,
    readonly memory: UserMemory,
    readonly imageVad: Vad,
    readonly stackVad: Vad,
    readonly writeConsole: ConsoleSink,
    private readonly stopCpu: () => void,
  ) {
    super();
    this.handles = new HandleTable(space.pagedPool);
  }

  get terminated(): boolean { return this.exitStatus !== undefined; }
  isSignalledFor(): boolean { return this.terminated; }

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
