// A machine: Unicorn CPU, RAM, the kernel and one process. This is the
// TypeScript API the CLI and the tests use.
import { ShareAccessTable } from './io/share-access.js';
import { readFileSync, realpathSync } from 'node:fs';
import { Engine } from '../cpu/engine.js';
import { UC_PROT_READ, UC_PROT_WRITE, X86FloatReg, X86Reg, type X86RegName } from '../cpu/constants.js';
import { calibrateContextLayout } from '../cpu/context-calibration.js';
import { Disassembler } from '../cpu/disassembler.js';
import { BlockInstructionCounter } from '../cpu/instruction-limit.js';
import { GUEST_SPACE_SIZE, GuestSpaceReservation, PhysicalRamFile } from '../cpu/host-memory.js';
import { HostMappingLimit } from './host-mapping-limit.js';
import { PageFile, PagingIoError } from '../mm/page-file.js';
import { BALANCE_SET_INTERVAL, BalanceSetManager } from '../mm/balance-set.js';
import { HostPagingFile } from './io/paging-file.js';
import { memoryEventsToTrace, describeMemory, type MemoryView } from './memory-view.js';
import { AddressSpace } from '../mm/address-space.js';
import { CommitLedger } from '../mm/commit.js';
import { checkAddressSpaceInvariants } from '../mm/invariants.js';
import { BugCheck, bugCheckName } from '../mm/bugcheck.js';
import { KernelPanic } from '../mm/panic.js';
import { MM_SYSTEM_RANGE_START, PAGE_SIZE, pageBase, vpnOf, type Pfn } from '../mm/layout.js';
import { OutOfFramesError, PageTables, type TranslationHardware } from '../mm/page-tables.js';
import { PfnDatabase, type FrameCounts, PfnState } from '../mm/pfn-database.js';
import { UserMemory } from '../mm/user-memory.js';
import { describeRegionPages, type RegionPages } from '../mm/page-map.js';
import { isValidPte } from '../mm/pte.js';
import { decodePte, formatPteView, type PteView } from '../mm/pte-view.js';
import { describeVads, formatVadTable, type VadView, findImageModules, type ModuleView } from '../mm/vad-view.js';
import { formatNtStatus, type NtStatus } from '../nt/status.js';
import { TraceBus } from '../trace/trace-bus.js';
import { EMULATION_END_ADDRESS, KERNEL_ENTRY_ADDRESS, KernelImage } from './boot.js';
import { Process, type ConsoleSink, type ConsoleStream } from './process.js';
import { Sandbox } from './io/sandbox.js';
import { flushAllSections } from '../mm/section-view.js';
import { statOrUndefined } from './io/file-object.js';
import { createUserStack, DEFAULT_STACK_RESERVE, stackReserveBytes } from './user-stack.js';
import {
  createProcessEnvironment, FLG_HEAP_ENABLE_FREE_CHECK, FLG_HEAP_VALIDATE_PARAMETERS, INITIAL_THREAD_ID, PROCESS_ID, TEB_ADDRESS, THREAD_ID,
} from './process-environment.js';
import { mapImage } from './loader/map-image.js';
import { programImageSection } from './loader/image-sections.js';
import { parseElf32 } from './loader/elf32.js';
import { parseFlatBinary } from './loader/flat.js';
import { isPe, parsePe32 } from './loader/pe32.js';
import { mapNtdll } from './loader/system-dlls.js';
import { BadImageError, type LoadableImage } from './loader/loadable-image.js';
import { PagedPool, defaultPagedPoolBytes } from '../mm/paged-pool.js';
import { TrapDispatcher } from './trap-dispatch.js';
import { AddressSpaceSwitcher, type SwitchCost } from './ps/address-space-switch.js';
import type { CreatedProcess, ProcessCreateRequest, ProcessManager } from './ps/process-manager.js';
import { loadProgramFile, splitCommandLine } from './ps/program-file.js';
import { deleteAddressSpace } from '../mm/process-teardown.js';
import { KernelObject, ObjectNames } from './ob/handle-table.js';
import { SystemClock } from './system-clock.js';
import type { BackingFiles } from './io/file-object.js';
import { dereferenceSection, type ControlArea } from '../mm/section.js';
import { STATUS_NO_MEMORY } from '../nt/status.js';
import { mapSharedUserDataIntoProcess, mapSharedUserDataPage } from '../mm/fixed-regions.js';
import { SharedUserData } from './shared-user-data.js';
import { ExecutionControl, type EventStopFilter, type StopReason, type WatchAccess } from './execution-control.js';
import { readWithoutSideEffects, writeWithoutSideEffects } from '../mm/inspection.js';
import type { ExceptionReport } from './exception-report.js';
import { RunLimits } from './run-limits.js';
import { Scheduler } from './ke/scheduler.js';
import { KThread, type ThreadResources } from './ke/thread.js';
import { checkThreadInvariants, describeThreads, type ThreadView } from './ke/thread-view.js';
import { installHostSignals } from '../cpu/host-signals.js';

export const DEFAULT_RAM_BYTES = 256 * 1024 * 1024;

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
/** Page tables for all of user space (512) plus the kernel's own pages: kept out of the commit limit. */
const FRAMES_RESERVED_FOR_KERNEL = 512 + 16;
const ONE_GIB = 2 ** 30;

export interface MachineOptions {
  /** Physical memory in bytes (default 256 MiB). */
  ramBytes?: number;
  /** Page-file size in bytes (default 0: no page file): added to the commit limit, and where modified pages are written. */
  pagefileBytes?: number;
  /** Keep the page file at this host path (default: a temporary file deleted when the machine is disposed). */
  pagefilePath?: string;
  /**
   * Instructions between two passes of the balance set manager (aging, and
   * trimming when memory is low; src/mm/balance-set.ts). Default: 10 million
   * (BALANCE_SET_INTERVAL) with a page file, none without; 0 turns it off.
   * The passes are counted by the block counter, which costs a compute loop
   * up to ~2.4x (see src/cpu/instruction-limit.ts), so runs without a page
   * file — where memory cannot be overcommitted — carry none of it.
   */
  balanceSetInterval?: number;
  /** Where guest console output goes; by default it is collected in `machine.output`. */
  console?: ConsoleSink;
  /** Check the memory manager's invariants after every NT system service (slow; for tests). */
  checkInvariantsAfterServices?: boolean;
  /** The initial thread's stack reservation in bytes (default: the ELF's PT_GNU_STACK size, else 1 MiB). */
  stackReserveBytes?: number;
  /** Set the PEB's NtGlobalFlag heap checks (gflags hfc + hpc): the SDK heap then stops the process on misuse. */
  heapCheck?: boolean;
  /** The host directory the guest sees as C:\ (files outside it are unreachable); without it the guest has no files. */
  fileRoot?: string;
  /** Paged pool in bytes: prototype PTEs, control areas and handles are charged to it (default: a quarter of RAM, 8-240 MiB). */
  pagedPoolBytes?: number;
  /** The guest may read files under fileRoot but not write, create or truncate them (STATUS_MEDIA_WRITE_PROTECTED). */
  fileRootReadOnly?: boolean;
  /**
   * Host directory holding the system DLLs (ntdll.dll, kernel32.dll,
   * msvcrt.dll: `buildSystemDlls().directory`), which PE programs need: the
   * guest sees it, read-only, as C:\Windows\System32. A function is called
   * once, when the directory is first needed (a PE program at load, or an
   * ELF program's first PE child), so ELF runs never wait for the DLLs'
   * build; it returns undefined when they cannot be had (the PE process then
   * fails to start with STATUS_DLL_NOT_FOUND).
   */
  systemDllDirectory?: string | (() => string | undefined);
  /** Let the guest damage kernel state on purpose (MmsExperimentRemoveVad, MmsExperimentMapFrame). */
  allowExperiments?: boolean;
  /**
   * Count an instruction limit by translated block (default true: exact and
   * cheap, see src/cpu/instruction-limit.ts); false uses Unicorn's own
   * per-instruction count, ~25x slower for compute-bound code, which counts a
   * faulting instruction at each attempt rather than once it completes.
   */
  blockInstructionLimit?: boolean;
  /** Instructions per scheduler quantum once the process has several threads (default DEFAULT_QUANTUM, see ke/scheduler.ts). */
  quantum?: number;
  /** Perturb each quantum with a generator seeded so (another repeatable interleaving, for hunting races). */
  seed?: number;
}

export interface ProgramFile {
  /** Shown in messages and dumps. */
  name: string;
  bytes: Uint8Array;
  /** Load as a flat binary at this address instead of parsing ELF. */
  flatBase?: number;
}

export interface RunOptions {
  maxInstructions?: number;
  timeoutMs?: number;
}

export interface ResumeOptions extends RunOptions {
  /** Stop when EIP reaches this address (WinDbg's `g ADDRESS`). */
  until?: number;
  /** A held exception is dropped instead of passed to the guest (WinDbg's `gh`; the default is `gN`). */
  exceptionHandled?: boolean;
  /**
   * Give the CPU back after about this many milliseconds with `{ kind:
   * 'paused' }` (the process goes on at the next resume), so a caller on
   * Node's event loop can look at its input between slices (gdb's Ctrl-C).
   */
  sliceMs?: number;
}

export type RunOutcome =
  | { reason: 'exited'; exitStatus: number }
  | { reason: 'exception'; exitStatus: number; exception: ExceptionReport }
  | { reason: 'timeout' | 'instruction-limit'; exitStatus: undefined }
  /** A host signal (SIGINT, SIGTERM, SIGHUP) stopped the run; see Machine.stopOnHostSignals. */
  | { reason: 'signal'; signal: number; exitStatus: undefined }
  /** The only thread began a wait nothing can end (Sleep(INFINITE)): on Windows the process would hang. */
  | { reason: 'waits-forever'; exitStatus: undefined }
  /** The memory manager stopped the machine (after an experiment damaged it): `exitStatus` is the bug check code. */
  | { reason: 'bugcheck'; exitStatus: number; bugCheck: BugCheck };

/** The process could not be created (Windows' CreateProcess would fail with `status`). */
export class ProcessCreationError extends Error {
  constructor(readonly status: NtStatus, detail: string) {
    super(`cannot create the process: ${formatNtStatus(status)}: ${detail}`);
    this.name = 'ProcessCreationError';
  }
}

export class Machine {
  readonly trace = new TraceBus();
  readonly output = { stdout: '', stderr: '' };
  /** The first process: the program loaded, whose exit status is the run's. */
  private process: Process | undefined;
  /** Every process created, in order (the first among them), ended ones included. */
  private readonly processList: Process[] = [];
  /** The process the CPU runs now. */
  private currentProcess: Process | undefined;
  /** What every process shares: the object directory, the clock, the files and image sections by file. */
  private readonly objectNames = new ObjectNames();
  private readonly clock = new SystemClock();
  private readonly backingFiles: BackingFiles = new Map();
  private readonly shareAccess = new ShareAccessTable();
  private readonly imageControlAreas = new Map<string, ControlArea>();
  /** UniqueProcessId/UniqueThreadId for the next process or thread (PspCidTable hands out multiples of 4). */
  private nextClientId = THREAD_ID + 4;
  private traps: TrapDispatcher | undefined;
  private scheduler: Scheduler | undefined;
  private disposed = false;
  private blockCounterTried = false;
  /** The balance set manager's state between its periodic passes. */
  private readonly balanceSet = new BalanceSetManager();
  /** The program's entry point (AddressOfEntryPoint, e_entry). */
  private entryPoint = 0;
  /** Where the first thread starts in user mode: ntdll's LdrInitializeThunk for a PE program, else the entry point. */
  private threadStart = 0;
  /** Whether the CPU has left the kernel's entry stub (a debugger resumes at EIP after that). */
  private cpuStarted = false;
  private control: ExecutionControl | undefined;
  private finalOutcome: RunOutcome | undefined;
  private readonly limits = new RunLimits();
  /** MachineOptions.systemDllDirectory once a function given there has been called. */
  private resolvedSystemDirectory: string | undefined;
  private systemDirectoryResolved = false;

  private constructor(
    private readonly engine: Engine,
    private readonly ram: PhysicalRamFile,
    private readonly guestSpace: GuestSpaceReservation,
    readonly space: AddressSpace,
    private readonly kernel: KernelImage,
    private readonly disassembler: Disassembler,
    private readonly console: ConsoleSink,
    private readonly options: MachineOptions,
    private readonly sharedUserData: SharedUserData,
    private readonly sharedUserDataPfn: Pfn,
    private readonly switcher: AddressSpaceSwitcher,
    private readonly mappingLimit: HostMappingLimit,
  ) {}

  /** Throws RangeError for options no machine can have. */
  static validateOptions(options: MachineOptions): void {
    const ramBytes = options.ramBytes ?? DEFAULT_RAM_BYTES;
    if (Math.floor(ramBytes / PAGE_SIZE) < FRAMES_RESERVED_FOR_KERNEL + 16) {
      throw new RangeError(`--ram: RAM of ${ramBytes} bytes is too small: mmscope needs at least ${(FRAMES_RESERVED_FOR_KERNEL + 16) * 4} KiB`);
    }
    if (ramBytes > 3 * ONE_GIB) throw new RangeError('--ram: RAM above 3 GiB is not supported');
    if ((options.pagefileBytes ?? 0) > 16 * ONE_GIB) throw new RangeError('--pagefile: a page file above 16 GiB is not supported');
    const pagefileBytes = options.pagefileBytes ?? 0;
    if (pagefileBytes > 0 && pagefileBytes < PAGE_SIZE) throw new RangeError(`--pagefile: ${pagefileBytes} bytes is less than a page (4 KiB)`);
    if (options.pagefilePath !== undefined && Math.floor((options.pagefileBytes ?? 0) / PAGE_SIZE) === 0) {
      throw new RangeError('--pagefile-path: there is no page file to keep without --pagefile SIZE (a page or more)');
    }
    if (options.fileRoot !== undefined && !statOrUndefined(options.fileRoot)?.isDirectory()) throw new RangeError(`--root: ${options.fileRoot} is not a directory`);
    const interval = options.balanceSetInterval;
    if (interval !== undefined && !(Number.isInteger(interval) && interval >= 0)) throw new RangeError('--balance-interval: a number of instructions, 0 or more');
    const stack = options.stackReserveBytes;
    if (stack !== undefined && !(stack > 0 && stack <= ONE_GIB)) throw new RangeError('--stack: the stack reservation must be between 1 byte and 1 GiB');
  }

  static async create(options: MachineOptions = {}): Promise<Machine> {
    Machine.validateOptions(options);
    const frameCount = Math.floor((options.ramBytes ?? DEFAULT_RAM_BYTES) / PAGE_SIZE);
    const contextLayout = calibrateContextLayout();
    const disassembler = new Disassembler();
    const ram = new PhysicalRamFile(frameCount);
    const guestSpace = new GuestSpaceReservation(ram);
    const mappingLimit = new HostMappingLimit(guestSpace);
    const engine = Engine.open();
    const viewFailure = engine.attachCpuState(contextLayout);
    if (viewFailure) warnOnce(`Unicorn's CPU state is reached through koffi calls (slower traps): ${viewFailure}`);
    for (let base = 0; base < GUEST_SPACE_SIZE; base += ONE_GIB) {
      // No UC_PROT_EXEC: the translator's code fetches then pass the translation guard (src/cpu/translation-guard.ts).
      engine.mapHostMemory(base, ONE_GIB, BigInt(guestSpace.hostAddress + base), UC_PROT_READ | UC_PROT_WRITE);
    }
    let space: AddressSpace | undefined;
    const hardware: TranslationHardware = {
      // The working set trimmed when the host refuses a mapping is the running process's.
      aliasFrame: (page, pfn) => mappingLimit.aliasFrame(switcher.current ?? space, page, pfn),
      releaseAlias: (page) => guestSpace.releaseAlias(page),
      flushTlbPage: (page) => engine.flushTlbPage(page),
      flushTlb: () => engine.flushTlb(),
      hasMappingRoom: () => guestSpace.hasMappingRoom(),
    };
    const switcher = new AddressSpaceSwitcher(guestSpace, engine, hardware);
    const firstHardware = switcher.createHardware(true);
    const frames = new PfnDatabase(ram);
    const tables = new PageTables(frames, ram, firstHardware);
    const kernel = KernelImage.boot(engine, tables, frames, ram);
    const pagefilePages = Math.floor((options.pagefileBytes ?? 0) / PAGE_SIZE);
    const commit = new CommitLedger(Math.max(0, frames.availablePages - FRAMES_RESERVED_FOR_KERNEL) + pagefilePages);
    const pool = new PagedPool(options.pagedPoolBytes ?? defaultPagedPoolBytes(frameCount * PAGE_SIZE));
    space = new AddressSpace(tables, frames, ram, commit, pool);
    switcher.register(space, firstHardware);
    limitResidentPages(space, mappingLimit);
    if (pagefilePages > 0) space.attachPageFile(new PageFile(pagefilePages, new HostPagingFile(pagefilePages, options.pagefilePath)));
    const sharedUserDataPfn = mapSharedUserDataPage(space);
    const sharedUserData = new SharedUserData(ram.bytes, sharedUserDataPfn, { numberOfPhysicalPages: frameCount });
    const machine: Machine = new Machine(engine, ram, guestSpace, space, kernel, disassembler,
      options.console ?? ((stream, bytes) => { machine.output[stream] += Buffer.from(bytes).toString('latin1'); }),
      options, sharedUserData, sharedUserDataPfn, switcher, mappingLimit);
    space.events = memoryEventsToTrace(machine.trace);
    return machine;
  }

  /** Parses the file (PE32 or ELF by content, or flat with `flatBase`) and creates the process; BadImageError or ProcessCreationError on failure. */
  load(file: ProgramFile, args: readonly string[] = []): void {
    if (this.process) throw new Error('a program is already loaded on this machine');
    const image = file.flatBase !== undefined ? parseFlatBinary(file.name, file.bytes, file.flatBase)
      : isPe(file.bytes) ? parsePe32(file.name, file.bytes) : parseElf32(file.name, file.bytes);
    if (image.pe?.dll) throw new BadImageError(file.name, 'a DLL, not a program (load it with LoadLibrary from one)');
    this.createProcess(image, [image.pe ? this.guestPathOf(file.name) : file.name, ...args]);
  }

  /**
   * A PE program's argv[0] is its path as the guest sees it (C:\\dir\\prog.exe
   * inside --root), so ntdll finds DLLs in the program's directory and
   * GetModuleFileName names it; a program outside the root keeps its name.
   */
  private guestPathOf(hostName: string): string {
    if (this.options.fileRoot === undefined) return hostName;
    const sandbox = new Sandbox(this.options.fileRoot);
    const real = realpathOrUndefined(hostName);
    return real && sandbox.resolve(sandbox.guestNameOf(real)) === real ? sandbox.guestNameOf(real) : hostName;
  }

  private createProcess(image: LoadableImage, argv: readonly string[]): void {
    const { process, entry, stackPointer } = this.buildProcess(this.space, image, argv, { processId: PROCESS_ID, threadId: THREAD_ID });
    const stackReserve = process.stackVad.pageCount * PAGE_SIZE;
    this.scheduler = this.createScheduler(process, initialThreadResources(process), entry, stackReserve, image.pe?.stackCommitBytes || PAGE_SIZE);
    if (this.options.fileRoot !== undefined || typeof this.options.systemDllDirectory === 'string' || image.pe) {
      process.sandbox = new Sandbox(this.options.fileRoot, this.options.fileRootReadOnly ?? false, image.pe ? this.systemDirectory() : this.systemDirectoryIfKnown());
    }
    this.kernel.setTebBase(TEB_ADDRESS);
    this.process = process;
    this.currentProcess = process;
    this.traps = new TrapDispatcher({
      engine: this.engine, trace: this.trace, disassembler: this.disassembler, limits: this.limits, scheduler: this.scheduler,
      processes: this.processManager(),
      // MmsDumpVad and MmsDumpPte show the calling process's address space.
      dumps: { dumpVads: () => this.dumpVads(this.scheduler!.current.process), dumpPte: (address) => this.dumpPte(this.scheduler!.current.process, address) },
      onReturnToUser: () => this.sharedUserData.update(this.clock),
      ...(this.options.checkInvariantsAfterServices ? { checkInvariantsAfterServices: () => this.checkInvariants() } : {}),
    });
    this.engine.onInterrupt((vector) => this.traps!.handleInterrupt(vector));
    this.engine.onInvalidInstruction(() => this.traps!.handleInvalidInstruction());
    this.engine.guardTranslation(
      this.guestSpace.bytes,
      (why) => why === 'port-io' ? this.traps!.handlePortIo() : this.traps!.handleInvalidInstruction(),
      // The running process's page tables say which pages are present.
      (address) => isValidPte(this.runningSpace.pageTables.readPte(address)),
    );
    const start = image.pe ? this.startInNtdll(process) : entry;
    this.kernel.prepareUserEntry(start, stackPointer);
    this.threadStart = start;
    this.entryPoint = entry;
  }

  /** A PE process's first thread starts in ntdll's loader, which imports, initialises and calls the program's entry point. */
  private startInNtdll(process: Process): number {
    const ntdll = mapNtdll(process, this.systemDirectory());
    if ('status' in ntdll) throw new ProcessCreationError(ntdll.status, ntdll.detail);
    process.userExceptionDispatcher = ntdll.exceptionDispatcher;
    return ntdll.loaderEntry;
  }

  /**
   * Maps the image, creates the initial thread's stack (with `argv` on it),
   * the PEB and the TEB in `space`, and makes the process object; throws
   * ProcessCreationError when something does not fit.
   */
  private buildProcess(space: AddressSpace, image: LoadableImage, argv: readonly string[], ids: { processId: number; threadId: number }): { process: Process; entry: number; stackPointer: number } {
    const imageSection = programImageSection(space, this.imageControlAreas, image);
    const imageVad = mapImage(space, image, imageSection);
    if (typeof imageVad === 'number') {
      throw new ProcessCreationError(imageVad, `mapping the image needs ${imageVad === 0xc000012d ? `${pagesOf(image)} pages of commit, the limit is ${space.commit.limitPages - space.commit.totalPages}` : 'its address range'}`);
    }
    // A failure after the mapping drops the image section's reference (the caller deletes the address space, and the view with it).
    const failure = (status: NtStatus, detail: string): ProcessCreationError => {
      if (typeof imageSection !== 'number') dereferenceSection(space, imageSection);
      return new ProcessCreationError(status, detail);
    };
    const memory = new UserMemory(space, (input, resolution) => this.traps?.observeKernelFault(input, resolution, ids.processId));
    const stackReserve = stackReserveBytes(this.options.stackReserveBytes ?? image.stackReserveBytes ?? DEFAULT_STACK_RESERVE);
    const stack = createUserStack(space, memory, argv, stackReserve, image.pe?.stackCommitBytes ?? 0);
    if (typeof stack === 'number') throw failure(stack, `a ${stackReserve >> 10} KiB stack does not fit in the address space or the commit limit`);
    const environment = createProcessEnvironment(space, memory, {
      imageBase: imageVad.startAddress, stackBase: stack.stackBase, stackLimit: stack.stackLimit,
      deallocationStack: stack.vad.startAddress,
      ntGlobalFlag: this.options.heapCheck ? FLG_HEAP_ENABLE_FREE_CHECK | FLG_HEAP_VALIDATE_PARAMETERS : 0,
      ...ids,
    });
    if (environment !== undefined) throw failure(environment, 'the PEB and TEB do not fit in the commit limit');
    const process = new Process(space, memory, imageVad, stack.vad, this.console, () => this.engine.stop());
    process.id = ids.processId;
    process.imageName = image.fileName;
    process.experimentsAllowed = this.options.allowExperiments ?? false;
    process.objectNames = this.objectNames;
    process.clock = this.clock;
    process.backingFiles = this.backingFiles;
    process.shareAccess = this.shareAccess;
    process.imageControlAreas = this.imageControlAreas;
    process.object = new KernelObject<Process>('Process', process, () => { process.objectDeleted = true; }, image.fileName);
    process.userThreadStart = image.userThreadStart;
    process.threadStackDefaults = { stackReserveBytes: stack.vad.pageCount * PAGE_SIZE, stackCommitBytes: image.pe?.stackCommitBytes || PAGE_SIZE };
    if (typeof imageSection !== 'number') process.imageSection = imageSection;
    this.processList.push(process);
    return { process, entry: image.entry, stackPointer: stack.initialEsp };
  }

  /**
   * NtCreateUserProcess's work: a new address space (its own page directory,
   * the kernel's tables shared, KUSER_SHARED_DATA mapped), the program from
   * the parent's sandbox mapped as an image section, the initial thread's
   * stack with the command line's argv, the PEB and the TEB. The CPU keeps
   * running the parent; the child's initial thread joins the scheduler
   * (suspended with CREATE_SUSPENDED, until NtResumeThread) and starts as
   * the first process's does, with ESP on argc: at the image's entry point
   * for an ELF program, at ntdll's LdrInitializeThunk for a PE program (its
   * Win32StartAddress is still the image's entry point).
   */
  private createChildProcess(parent: Process, request: ProcessCreateRequest): CreatedProcess | NtStatus {
    const loaded = loadProgramFile(parent.sandbox, request.imagePath);
    if (typeof loaded === 'number') return loaded;
    const { image } = loaded;
    const hardware = this.switcher.createHardware(false);
    let space: AddressSpace;
    try {
      space = new AddressSpace(new PageTables(this.space.frames, this.ram, hardware, this.space.pageTables), this.space.frames, this.ram, this.space.commit, this.space.pagedPool, this.space.system);
      mapSharedUserDataIntoProcess(space, this.sharedUserDataPfn);
    } catch (error) {
      if (error instanceof OutOfFramesError) return STATUS_NO_MEMORY;
      throw error;
    }
    this.switcher.register(space, hardware);
    limitResidentPages(space, this.mappingLimit);
    space.events = this.space.events;
    const ids = { processId: this.allocateClientId(), threadId: this.allocateClientId() };
    const argv = splitCommandLine(request.commandLine);
    // A PE program's argv[0] is its full guest path, as for the first process (ntdll's ImagePathName and DLL search).
    if (image.pe) argv[0] = loaded.guestPath;
    let built: { process: Process; entry: number; stackPointer: number };
    let start: number;
    try {
      built = this.buildProcess(space, image, argv, ids);
      start = image.pe ? this.mapChildNtdll(built.process) : built.entry;
    } catch (error) {
      if (!(error instanceof ProcessCreationError)) throw error;
      this.discardUnstartedProcess(space);
      return error.status;
    }
    const { process } = built;
    process.parentId = parent.id;
    process.sandbox = parent.sandbox;
    process.commandLine = request.commandLine;
    this.trace.emit({ type: 'process-create', pid: process.id, parentPid: parent.id, image: request.imagePath, commandLine: request.commandLine });
    const initial = { eip: start, esp: built.stackPointer, eax: 0, ebx: 0 };
    const thread = this.scheduler!.createThread(ids.threadId, process, initialThreadResources(process), initial, built.entry, request.suspended);
    return { process, thread };
  }

  /**
   * A PE child starts as the first PE process does: ntdll mapped, its first
   * thread at LdrInitializeThunk, exceptions delivered to its
   * KiUserExceptionDispatcher. Throws ProcessCreationError with the status
   * CreateProcess fails with (STATUS_DLL_NOT_FOUND without the system DLLs).
   */
  private mapChildNtdll(process: Process): number {
    const ntdll = mapNtdll(process, this.systemDirectory());
    if ('status' in ntdll) throw new ProcessCreationError(ntdll.status, ntdll.detail);
    process.userExceptionDispatcher = ntdll.exceptionDispatcher;
    return ntdll.loaderEntry;
  }

  /** The system DLLs' host directory, resolved (built) on first use; the guest's sandbox sees it from then on. */
  private systemDirectory(): string | undefined {
    const option = this.options.systemDllDirectory;
    if (typeof option !== 'function') return option;
    if (!this.systemDirectoryResolved) {
      this.systemDirectoryResolved = true;
      this.resolvedSystemDirectory = option();
      if (this.resolvedSystemDirectory !== undefined) this.process?.sandbox?.attachSystemDirectory(this.resolvedSystemDirectory);
    }
    return this.resolvedSystemDirectory;
  }

  /** The system DLLs' directory if it is known without building anything. */
  private systemDirectoryIfKnown(): string | undefined {
    const option = this.options.systemDllDirectory;
    return typeof option === 'function' ? this.resolvedSystemDirectory : option;
  }

  /** Undoes a child's creation that failed half-way: its address space and its place in the process list. */
  private discardUnstartedProcess(space: AddressSpace): void {
    const index = this.processList.findIndex((p) => p.space === space);
    if (index >= 0) this.processList.splice(index, 1)[0]!.object?.dereference();
    deleteAddressSpace(space);
    this.switcher.unregister(space);
  }

  /** The next UniqueProcessId or UniqueThreadId (one table for both, as PspCidTable). */
  allocateClientId(): number {
    const id = this.nextClientId;
    this.nextClientId += 4;
    return id;
  }

  /**
   * NtTerminateProcess: the running process stops at once (the scheduler
   * ends it when the CPU has stopped); another process ends now: its threads
   * stop, its handles are closed and its address space deleted — objects
   * other processes hold (sections, files, the process object itself) live on.
   */
  private terminateProcess(target: Process, status: number): void {
    if (target.terminated) return;
    if (target === this.currentProcess) {
      target.terminate(status);
      return;
    }
    target.exitStatus = status >>> 0;
    this.scheduler!.endProcess(target);
  }

  /**
   * A process ended (the scheduler retired its threads and signalled it):
   * the process-exit event, then its teardown. The first process keeps its
   * address space and handles until the run ends (the dumps at exit and the
   * debugger show it as it ended); another process is deleted at once.
   */
  private processEnded(process: Process): void {
    if (!(process === this.process && process.unhandledException)) this.traceProcessExit(process);
    if (process !== this.process) this.deleteProcess(process);
  }

  /** The process-exit event, once per process (an unhandled exception's own event stands for the first process's). */
  private traceProcessExit(process: Process): void {
    if (process.exitTraced) return;
    process.exitTraced = true;
    this.trace.emit({ type: 'process-exit', status: process.exitStatus!, pid: process.id });
  }

  /** Process teardown (PspExitProcess, MmCleanProcessAddressSpace): handles, then the address space, then the process's own reference. */
  private deleteProcess(process: Process): void {
    process.exitVads = describeVads(process.space);
    process.exitModules = findImageModules(process.space);
    process.handles.closeAll();
    // The CPU may still see it (its last thread just ended): take its mappings and translated code away first.
    this.switcher.deactivate(process.space);
    deleteAddressSpace(process.space);
    // The process's own reference to its image section (EPROCESS.SectionObject): the section goes with the last process running it.
    if (process.imageSection) dereferenceSection(this.space, process.imageSection);
    process.imageSection = undefined;
    this.switcher.unregister(process.space);
    process.addressSpaceDeleted = true;
    process.object?.dereference();
  }

  /**
   * Makes `process`'s address space the one the CPU sees (the scheduler
   * calls this when it switches to a thread of another process): see
   * ps/address-space-switch.ts. Returns what the switch had to change.
   */
  activateProcess(process: Process): SwitchCost {
    if (process.addressSpaceDeleted) throw new Error(`process ${process.id} has ended: its address space is gone`);
    const cost = this.switcher.switchTo(process.space);
    this.currentProcess = process;
    this.trace.currentPid = process.id;
    return cost;
  }

  /** Address-space switches so far and what they changed (pages remapped or taken away, tables remapped). */
  switchCounts(): { switches: number; remappedPages: number; droppedPages: number; remappedTables: number } {
    return { ...this.switcher.totals };
  }

  /** Every process created, the first one first (ended ones included). */
  processes(): readonly Process[] { return this.processList; }

  /** The services' view of the process list. */
  private processManager(): ProcessManager {
    return {
      createProcess: (parent, request) => this.createChildProcess(parent, request),
      findById: (id) => this.processList.find((p) => p.id === id && !p.objectDeleted),
      terminateProcess: (target, status) => this.terminateProcess(target, status),
    };
  }

  /** The scheduler with the process's initial thread (INITIAL_THREAD_ID, the TEB at TEB_ADDRESS, the stack just made). */
  private createScheduler(process: Process, resources: ThreadResources, entry: number, stackReserve: number, stackCommit: number): Scheduler {
    const initial = new KThread(INITIAL_THREAD_ID, process, resources, entry);
    const { quantum, seed } = this.options;
    return new Scheduler({
      engine: this.engine, trace: this.trace,
      setTebBase: (address) => this.kernel.setTebBase(address),
      clearPendingException: () => this.traps!.clearPendingException(),
      switchAddressSpace: (_from, to) => { this.activateProcess(to); },
      processEnded: (ended) => this.processEnded(ended),
      allocateClientId: () => this.allocateClientId(),
      meterInstructions: () => {
        this.countInstructionsByBlock();
        // Unicorn finds each page through the page tables as a user-mode fetch: user pages with a valid PTE only.
        return this.engine.keepBlockCounterInstalled((address) => address < MM_SYSTEM_RANGE_START && isValidPte(this.runningSpace.pageTables.readPte(address)));
      },
    }, initial, { stackReserveBytes: stackReserve, stackCommitBytes: stackCommit }, { ...(quantum !== undefined ? { quantum } : {}), ...(seed !== undefined ? { seed } : {}) });
  }

  private dumpVads(process: Process): void {
    const vads = describeVads(process.space);
    process.writeConsole('stdout', Buffer.from(formatVadTable(vads) + '\n'));
    this.trace.emit({ type: 'vad-dump', vads, commitPages: process.space.commitCharge, activeFrames: this.frameCounts().active });
  }

  private dumpPte(process: Process, address: number): void {
    const pte = decodePte(process.space, address);
    process.writeConsole('stdout', Buffer.from(formatPteView(pte) + '\n'));
    this.trace.emit({ type: 'pte-dump', pte, activeFrames: this.frameCounts().active });
  }

  /** Runs the loaded program until it exits, an exception ends it, or a limit stops it. */
  run(options: RunOptions = {}): RunOutcome {
    const process = this.requireProcess();
    const timeoutUs = options.timeoutMs !== undefined ? Math.max(1, Math.round(options.timeoutMs * 1000)) : 0;
    if (options.maxInstructions || this.balanceSetPeriod() > 0) this.countInstructionsByBlock();
    this.trace.startClock();
    this.sharedUserData.update(this.clock);
    const started = performance.now();
    this.armLimits(options.timeoutMs, started);
    const bugCheck = this.limits.signalNumber() ? undefined : this.startCpu(KERNEL_ENTRY_ADDRESS, EMULATION_END_ADDRESS, timeoutUs, options.maxInstructions ?? 0);
    const outcome = this.outcomeAfterRun(bugCheck, options, started);
    if (!outcome) throw new Error('the CPU stopped without the process ending and without a limit being reached');
    return outcome;
  }

  /** The deadline the kernel checks at every trap (see run-limits.ts), from `started` (performance.now()). */
  private armLimits(timeoutMs: number | undefined, started: number): void {
    this.limits.deadline = timeoutMs !== undefined ? started + timeoutMs : 0;
    this.limits.stoppedBy = undefined;
  }

  /** How the process ended, if the CPU's stop ended it; undefined when it can go on. */
  private outcomeAfterRun(bugCheck: BugCheck | undefined, options: RunOptions, started: number): RunOutcome | undefined {
    const process = this.requireProcess();
    // Every way a run ends (exit, exception, bug check, a limit, a wait nothing can
    // end, a signal) is the end of the process: the mapped files get what the guest
    // wrote, as the lazy writer would before the section goes away.
    const end = (outcome: RunOutcome): RunOutcome => { flushAllSections(this.space); this.finalOutcome = outcome; return outcome; };
    if (bugCheck) {
      this.trace.emit({ type: 'bugcheck', code: bugCheck.code, name: bugCheckName(bugCheck.code), parameters: [...bugCheck.parameters], explanation: bugCheck.explanation });
      return end({ reason: 'bugcheck', exitStatus: bugCheck.code, bugCheck });
    }
    if (process.unhandledException) return end({ reason: 'exception', exitStatus: process.exitStatus!, exception: process.unhandledException });
    if (process.terminated) {
      this.traceProcessExit(process);
      return end({ reason: 'exited', exitStatus: process.exitStatus! });
    }
    if (process.waitingForever) return end({ reason: 'waits-forever', exitStatus: undefined });
    const signal = this.limits.signalNumber();
    if (signal) {
      return end({ reason: 'signal', signal, exitStatus: undefined });
    }
    if (this.limits.stoppedBy === 'timeout' || (options.timeoutMs !== undefined && performance.now() - started >= options.timeoutMs)) return end({ reason: 'timeout', exitStatus: undefined });
    if (options.maxInstructions) return end({ reason: 'instruction-limit', exitStatus: undefined });
    return undefined;
  }

  // --- run control for debuggers ------------------------------------------

  /** Breakpoints, watchpoints and stop filters; created on first use, so plain runs carry none of it. */
  private debugControl(): ExecutionControl {
    this.requireProcess();
    this.control ??= new ExecutionControl(this.engine, this.trace, this.traps!.exceptions, () => this.space.pageFaults, (page) => {
      const tables = this.space.pageTables;
      return page < MM_SYSTEM_RANGE_START && isValidPte(tables.readPde(page)) && isValidPte(tables.readPte(page));
    });
    return this.control;
  }

  /**
   * Runs until the program's entry point and stops before it (the
   * debugger's initial break): for an ELF program its first instruction;
   * for a PE program ntdll's loader has run first (imports loaded and
   * bound, DllMain called), as on Windows the loader breakpoint comes after
   * the loader's work. From process creation (runToThreadStart) it goes on
   * from there; the process may end first ({ kind: 'ended' }).
   */
  runToEntry(): StopReason {
    if (!this.cpuStarted) this.runToThreadStart();
    if (this.finalOutcome) return { kind: 'ended' };
    if (this.registers(['EIP']).EIP === this.entryPoint) return { kind: 'entry', address: this.entryPoint };
    const stop = this.resume({ until: this.entryPoint });
    if (stop.kind === 'breakpoint' && stop.address === this.entryPoint) return { kind: 'entry', address: this.entryPoint };
    return stop;
  }

  /** The program's entry point (AddressOfEntryPoint or e_entry), where the initial break stops. */
  get entryAddress(): number { return this.entryPoint; }

  /**
   * Runs the kernel's entry stub and stops before the first thread's first
   * user-mode instruction: the process exists (address space, PEB, TEB,
   * stack; for a PE program ntdll mapped) and nothing of it has run, the
   * point of Windows' create-process debug event. For a PE program that is
   * ntdll's LdrInitializeThunk, else the program's entry point.
   */
  runToThreadStart(): StopReason {
    if (this.cpuStarted) throw new Error('the program has already started');
    this.debugControl();
    this.trace.startClock();
    return this.resume({ until: this.threadStart }).kind === 'ended' ? { kind: 'ended' } : { kind: 'entry', address: this.threadStart };
  }

  /**
   * Runs until a breakpoint, watchpoint, event or exception stop, `until`,
   * a limit or the end of the process ({ kind: 'ended' }, then `outcome()`
   * says how). A held exception is passed to the guest first unless
   * `exceptionHandled`.
   */
  resume(options: ResumeOptions = {}): StopReason {
    return this.runControlled(options, options.maxInstructions ?? 0);
  }

  /** Executes one instruction (a system call or a fault the kernel resolves is part of it). */
  step(): StopReason {
    return this.runControlled({}, 0, true);
  }

  private runControlled(options: ResumeOptions, maxInstructions: number, step = false): StopReason {
    const control = this.debugControl();
    if (this.finalOutcome) return { kind: 'ended' };
    const process = this.requireProcess();
    this.traps!.exceptions.deliverHeld(options.exceptionHandled ?? false);
    if (process.terminated) {
      this.outcomeAfterRun(undefined, options, performance.now());
      return { kind: 'ended' };
    }
    const started = performance.now();
    this.armLimits(options.timeoutMs, started);
    // Unicorn leaves old_exception stale when uc_emu_start returns after a fault (as after a #UD): clear it or the next fault is a #DF.
    if (this.cpuStarted) this.traps!.clearPendingException();
    if (!this.cpuStarted) this.sharedUserData.update(this.clock);
    if (this.balanceSetPeriod() > 0) this.countInstructionsByBlock();
    const begin = this.cpuStarted ? control.eip() : KERNEL_ENTRY_ADDRESS;
    const limitMs = Math.min(options.timeoutMs ?? Infinity, options.sliceMs ?? Infinity);
    const timeoutUs = Number.isFinite(limitMs) ? Math.max(1, Math.round(limitMs * 1000)) : 0;
    const until = options.until ?? EMULATION_END_ADDRESS;
    let bugCheck: BugCheck | undefined;
    const stop = control.runUntilStop(begin, (from) => { bugCheck = this.startCpu(from, until, timeoutUs, maxInstructions); }, { fromBreakpoint: this.cpuStarted, step });
    this.cpuStarted = true;
    this.traps!.exceptions.restoreHeldContext();
    // A debugger's stop on the exit (epr) comes first: the process ends at the next resume, as WinDbg's exit-process break.
    if (stop?.kind === 'event' && !bugCheck && this.terminatingWith() !== undefined) return stop;
    if (this.outcomeAfterRun(bugCheck, options, started)) return { kind: 'ended' };
    if (stop) return stop;
    if (options.until !== undefined && control.eip() === options.until >>> 0) return { kind: 'breakpoint', address: options.until >>> 0 };
    return options.sliceMs !== undefined && !step ? { kind: 'paused' } : { kind: 'step' };
  }

  /** The exit status of a process that asked to end (NtTerminateProcess) but is not torn down yet; undefined otherwise. */
  terminatingWith(): number | undefined {
    return !this.finalOutcome && this.process?.terminated ? this.process.exitStatus : undefined;
  }

  /** How the process ended, once a debugger's run ended it. */
  outcome(): RunOutcome | undefined { return this.finalOutcome; }

  /** Stops before the instruction at `address` executes (a code hook at that address only). */
  setBreakpoint(address: number): void { this.debugControl().setBreakpoint(address); }
  clearBreakpoint(address: number): void { this.debugControl().clearBreakpoint(address); }

  /** Stops after an instruction accesses [address, address + size): `write`, or `read`/`access` (reads and writes, as x86's RW breakpoints). */
  setWatchpoint(address: number, size: number, access: WatchAccess): void { this.debugControl().setWatchpoint(address, size, access); }
  clearWatchpoint(address: number): void { this.debugControl().clearWatchpoint(address); }

  /** Stops after the kernel handled a trace event the filter names (page faults, system calls…); undefined removes it. */
  stopOnEvents(filter: EventStopFilter | undefined): void { this.debugControl().stopOnEvents(filter); }

  /**
   * Holds exceptions the filter accepts: first chance before the guest's
   * handlers see them, second chance (`firstChance` false) when none handled
   * them, before the process would end. `resume()` then passes it on (a
   * second-chance one ends the process) or, with `exceptionHandled`, drops it.
   */
  stopOnExceptions(filter: ((report: ExceptionReport, firstChance: boolean) => boolean) | undefined): void { this.debugControl().stopOnExceptions(filter); }

  /**
   * The id of the process a debugger looks at when it stops: the running
   * thread's (its registers are the ones `registers()` reads), or the first
   * process when no live thread of another is current. WinDbg's implicit
   * process follows the current thread the same way.
   */
  get currentProcessId(): number {
    const running = this.currentProcess;
    return running && !running.addressSpaceDeleted ? running.id : this.requireProcess().id;
  }

  /** Guest memory through the page tables (of the first process or `pid`'s), without side effects: undefined for bytes on pages that are not valid. */
  inspect(address: number, length: number, pid?: number): (number | undefined)[] { return readWithoutSideEffects(this.liveSpaceOf(pid), address, length); }

  /** Writes into resident private pages (of the first process or `pid`'s) without faulting anything in; returns the bytes written (stops at the first page it cannot write). */
  poke(address: number, bytes: Uint8Array, pid?: number): number {
    const written = writeWithoutSideEffects(this.liveSpaceOf(pid), address, bytes);
    if (written) this.engine.removeTranslationCache(pageBase(address), pageBase(address + written - 1) + PAGE_SIZE);
    return written;
  }

  /** Decodes `count` instructions from `address` without side effects; stops at bytes that are not resident or do not decode. */
  disassemble(address: number, count: number, pid?: number): { address: number; bytes: number[]; text: string }[] {
    const out: { address: number; bytes: number[]; text: string }[] = [];
    let at = address >>> 0;
    for (let i = 0; i < count; i++) {
      const window = this.inspect(at, 15, pid);
      const known = window.findIndex((b) => b === undefined);
      const bytes = Uint8Array.from((known < 0 ? window : window.slice(0, known)) as number[]);
      const decoded = bytes.length ? this.disassembler.decode(bytes, at) : undefined;
      if (!decoded) break;
      out.push({ address: at, bytes: Array.from(bytes.subarray(0, decoded.size)), text: decoded.text });
      at = (at + decoded.size) >>> 0;
    }
    return out;
  }

  /**
   * Ends the process where it stands (a debugger's `q`, TerminateProcess):
   * mapped files are written back as at exit. Nothing if it already ended.
   */
  terminate(status: number): RunOutcome {
    if (this.finalOutcome) return this.finalOutcome;
    const process = this.requireProcess();
    process.exitStatus = status >>> 0;
    return this.outcomeAfterRun(undefined, {}, performance.now())!;
  }

  /** Sets registers of the stopped thread (EIP, EFLAGS and the general registers). */
  setRegisters(values: Partial<Record<X86RegName, number>>): void {
    this.engine.writeRegisters(Object.entries(values).map(([name, value]) => [X86Reg[name as X86RegName], value!] as const));
  }

  /**
   * From now on SIGINT, SIGTERM and SIGHUP stop the guest: run() returns
   * `{ reason: 'signal' }` after the usual teardown of a run (dirty pages of
   * mapped files written back); a second signal ends the process at once with
   * status 128 + signal. Process-wide (it replaces Node's handlers for those
   * signals). False when the handler cannot be built (no gcc): signals then
   * end the process as Node's defaults do.
   */
  stopOnHostSignals(): boolean {
    const signals = installHostSignals();
    if (!signals) return false;
    this.engine.watchForHostSignals(signals);
    this.limits.hostSignal = signals.received;
    return true;
  }

  /** Runs the CPU until it stops; a bug check ends the run (the machine is stopped, as Windows' would be). */
  private startCpu(begin: number, until: number, timeoutUs: number, maxInstructions: number): BugCheck | undefined {
    try {
      const period = this.balanceSetPeriod();
      this.scheduler!.run(begin, {
        until, timeoutUs, maxInstructions,
        beforeResume: () => this.traps!.clearPendingException(),
        ...(period > 0 ? { periodic: { interval: period, onTick: () => this.runBalanceSetManager() } } : {}),
      });
      return undefined;
    } catch (error) {
      if (error instanceof BugCheck) return error;
      // The host could not take a page-file write: the run ends here (the caller says so in one line), but the
      // mapped files still get what the guest wrote, as at every other end of a run.
      if (error instanceof PagingIoError) flushAllSections(this.space);
      throw error;
    }
  }

  /**
   * After an experiment damaged the address space on purpose: what the
   * invariant checker says about it now (e.g. "frames active with no VAD"),
   * or undefined when no experiment ran or nothing is wrong.
   */
  experimentDamage(): string | undefined {
    if (!this.space.damagedByExperiment) return undefined;
    try {
      this.checkInvariants();
      return undefined;
    } catch (error) {
      if (error instanceof KernelPanic) return error.message;
      throw error;
    }
  }

  /** Instructions between the balance set manager's passes; 0 for none (see MachineOptions.balanceSetInterval). */
  private balanceSetPeriod(): number {
    return this.options.balanceSetInterval ?? (this.space.pageFile ? BALANCE_SET_INTERVAL : 0);
  }

  /** The balance set manager's periodic pass over every process's working set (the running one first). */
  private runBalanceSetManager(): void {
    // Children may run on after the first process ended: the pass is skipped only while the running one is ending.
    if (this.currentProcess?.terminated ?? this.process?.terminated) return;
    const running = this.currentProcess?.space ?? this.space;
    this.balanceSet.runPass([running, ...[...this.space.system.spaces].filter((space) => space !== running)]);
  }

  /** The balance set manager's passes so far, by what each did (trim, age, or nothing: memory was plentiful). */
  balanceSetPasses(): { trim: number; age: number; none: number } {
    return { ...this.balanceSet.passes };
  }

  /** The address space the CPU sees now (the running thread's process's). */
  private get runningSpace(): AddressSpace { return this.currentProcess?.space ?? this.space; }

  /** The cheap exact instruction limit, set up on the first run that has one; Unicorn's own count (slower) if it cannot be. */
  private countInstructionsByBlock(): void {
    if (this.blockCounterTried || this.options.blockInstructionLimit === false) return;
    this.blockCounterTried = true;
    // Blocks are counted in the running process's code (a switch drops the counts of pages whose code changed).
    const counter = BlockInstructionCounter.create((address, size) => (this.currentProcess ?? this.requireProcess()).memory.peek(address, size));
    if (typeof counter === 'string') warnOnce(`the instruction limit falls back to Unicorn's per-instruction count (slower): ${counter}`);
    else this.engine.useBlockCounter(counter);
  }

  // --- inspection -------------------------------------------------------

  /**
   * The PDE and PTE for an address, decoded like WinDbg's !pte, in the first
   * process or the process `pid`; throws RangeError for a pid no process had
   * or one that has ended (its page tables are gone).
   */
  pte(address: number, pid?: number): PteView {
    return decodePte(this.liveSpaceOf(pid), address);
  }

  /** The process with UniqueProcessId `pid` (ended ones included), or undefined. */
  processById(pid: number): Process | undefined {
    return this.processList.find((p) => p.id === pid);
  }

  /** The first process's address space, or `pid`'s while it has one; RangeError for a pid no process had or one that has ended. */
  liveSpaceOf(pid: number | undefined): AddressSpace {
    if (pid === undefined) return this.space;
    const process = this.processById(pid);
    if (!process) throw new RangeError(`no process has id ${pid}`);
    if (process.addressSpaceDeleted) throw new RangeError(`process ${pid} has ended: its address space is gone`);
    return process.space;
  }

  /** Page faults so far by how they ended: `section-file` are the hard faults (read from a file). */
  faultCounts(): Record<string, number> {
    return Object.fromEntries(this.traps?.faultCounts ?? []);
  }

  /** Modules found by walking the VAD tree for image views (not the guest's loader lists); of `pid` (as it ended, for one that has). */
  modules(pid?: number): ModuleView[] {
    const process = pid === undefined ? undefined : this.processById(pid);
    if (process?.addressSpaceDeleted) return process.exitModules ?? [];
    return findImageModules(this.liveSpaceOf(pid));
  }

  /** Every VAD's pages by kind (VMMap's page states), in address order, and how many user-space page tables exist. */
  memoryMap(): { regions: RegionPages[]; userPageTables: number } {
    const regions = [...this.space.vads.inOrder()].map((vad) => describeRegionPages(this.space, vad));
    let userPageTables = 0;
    for (let address = 0; address < MM_SYSTEM_RANGE_START; address += 0x400000) {
      if (isValidPte(this.space.pageTables.readPde(address))) userPageTables++;
    }
    return { regions, userPageTables };
  }

  /**
   * The file of the image view at `base`, read whole from the host (for its
   * symbol table, which the image section does not map); undefined when it
   * cannot be found or read. The program itself is named as loaded; modules
   * by their guest path, resolved in the sandbox.
   */
  moduleFileBytes(base: number, pid?: number): Uint8Array | undefined {
    const name = this.liveSpaceOf(pid).findVad(base)?.view?.controlArea.filePointer?.name;
    if (name === undefined) return undefined;
    const sandbox = (pid === undefined ? undefined : this.processById(pid)?.sandbox) ?? this.requireProcess().sandbox;
    const host = sandbox && /^(?:[a-z]:)?\\/i.test(name) ? sandbox.resolve(name) : name;
    if (typeof host !== 'string') return undefined;
    try {
      return readFileSync(host);
    } catch {
      return undefined;
    }
  }

  /** The open handles (WinDbg's !handle) of the first process or `pid`'s: handle value, object type, name, references. */
  handles(pid?: number): { handle: number; type: string; name?: string; references: number }[] {
    return ((pid === undefined ? undefined : this.processById(pid)) ?? this.requireProcess()).handles.list().map(([handle, object]) => ({
      handle, type: object.type, references: object.references, ...(object.name !== undefined ? { name: object.name } : {}),
    }));
  }

  /** The VAD tree in order, with levels, like WinDbg's !vad; of `pid` (as it was at its end, for one that has ended). */
  vads(pid?: number): VadView[] {
    const process = pid === undefined ? undefined : this.processById(pid);
    if (process?.addressSpaceDeleted) return process.exitVads ?? [];
    return describeVads(this.liveSpaceOf(pid));
  }

  /** Paged pool in bytes: charged now, at most so far, and its size. */
  pagedPool(): { usedBytes: number; peakBytes: number; limitBytes: number } {
    const pool = this.space.pagedPool;
    return { usedBytes: pool.usedBytes, peakBytes: pool.peakBytes, limitBytes: pool.limitBytes };
  }

  frameCounts(): FrameCounts { return this.space.frames.counts(); }

  /** Working set (size, peak, limits), the page lists and page-file usage, in pages: memory as it moves between lists. */
  memory(): MemoryView { return describeMemory(this.space); }

  frame(pfn: Pfn): { state: keyof typeof PfnState; shareCount: number; pteAddress: number } {
    const frames = this.space.frames;
    return { state: PfnState[frames.stateOf(pfn)] as keyof typeof PfnState, shareCount: frames.shareCountOf(pfn), pteAddress: frames.pteAddressOf(pfn) };
  }

  /** Commit in pages: the first process's (or `pid`'s: 0 once it has ended), the system's, the limit and the peak. */
  commit(pid?: number): { processPages: number; systemPages: number; limitPages: number; peakPages: number } {
    const ledger = this.space.commit;
    const process = pid === undefined ? undefined : this.processById(pid);
    const processPages = process?.addressSpaceDeleted ? 0 : this.liveSpaceOf(pid).commitCharge;
    return { processPages, systemPages: ledger.totalPages, limitPages: ledger.limitPages, peakPages: ledger.peakPages };
  }

  /** Throws KernelPanic if the VAD tree, page tables, frames or commit are inconsistent, or a thread's TEB or stack is not its own. */
  checkInvariants(): void {
    checkAddressSpaceInvariants(this.space);
    if (this.scheduler) checkThreadInvariants(this.scheduler);
  }

  /** The threads created so far, in creation order (ended ones too): WinDbg's ~ with the TEB and stack. */
  threads(): ThreadView[] { return this.scheduler ? describeThreads(this.scheduler) : []; }

  /** Context switches so far (the scheduler's own count, traced or not). */
  get contextSwitches(): number { return this.scheduler?.contextSwitches ?? 0; }

  registers(names: readonly X86RegName[] = ['EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI', 'EBP', 'ESP', 'EIP', 'EFLAGS']): Record<string, number> {
    const values = this.engine.readRegisters(names.map((n) => X86Reg[n]));
    return Object.fromEntries(names.map((n, i) => [n, values[i]!]));
  }

  /**
   * The x87 and SSE state of the stopped thread: ST(0)-ST(7) from the stack
   * top, 10 bytes each (64-bit mantissa, then sign and exponent, as FSAVE
   * stores them); the control, status (TOP included) and full tag words;
   * XMM0-XMM7, 16 bytes each; MXCSR. Unicorn keeps no FPU instruction or
   * operand pointers, so a debugger shows those as 0.
   */
  floatingPointState(): { st: Uint8Array[]; control: number; status: number; tag: number; xmm: Uint8Array[]; mxcsr: number } {
    const word = (id: number): number => { const b = this.engine.readRegisterBytes(id, 4); return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0; };
    return {
      st: Array.from({ length: 8 }, (_, i) => this.engine.readRegisterBytes(X86FloatReg.ST0 + i, 10)),
      control: word(X86FloatReg.FPCW) & 0xffff,
      status: word(X86FloatReg.FPSW) & 0xffff,
      tag: word(X86FloatReg.FPTAG) & 0xffff,
      xmm: Array.from({ length: 8 }, (_, i) => this.engine.readRegisterBytes(X86FloatReg.XMM0 + i, 16)),
      mxcsr: word(X86FloatReg.MXCSR),
    };
  }

  /** Reads resident guest memory without side effects; undefined where not resident. */
  peek(address: number, length: number): Uint8Array | undefined {
    return this.requireProcess().memory.peek(address, length);
  }

  /** How many times the guest was refused a write because the file root is read-only. */
  get fileWritesRefused(): number { return this.process?.sandbox?.writesRefused ?? 0; }

  get imageVad() { return this.requireProcess().imageVad; }
  get stackVad() { return this.requireProcess().stackVad; }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const process of this.processList) process.handles.closeAll();
    for (const file of [...this.backingFiles.values()]) file.release();
    this.engine.dispose();
    this.disassembler.dispose();
    this.guestSpace.dispose();
    this.ram.dispose();
    this.space.pageFile?.store.dispose();
  }

  private requireProcess(): Process {
    if (!this.process) throw new Error('no program is loaded');
    return this.process;
  }
}

const warned = new Set<string>();

/** A slower fallback works, but a user comparing figures should know it is in use (once per process). */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.emitWarning(message, { code: 'MMSCOPE_SLOW_PATH' });
}

/** The host's mapping limit bounds `space`'s working set, measured again each time the working set reaches it. */
function limitResidentPages(space: AddressSpace, mappingLimit: HostMappingLimit): void {
  space.residentPageLimit = mappingLimit.initialPageLimit;
  space.measureResidentPageLimit = () => mappingLimit.measure(space);
}

/** A process's initial thread's TEB and stack, as buildProcess made them (the TEB at TEB_ADDRESS, the stack's first page committed). */
function initialThreadResources(process: Process): ThreadResources {
  const stackVad = process.stackVad;
  return { stackVad, stackBase: stackVad.endAddress, stackLimit: stackVad.endAddress - PAGE_SIZE, tebAddress: TEB_ADDRESS, tebVad: process.space.findVad(TEB_ADDRESS)! };
}

const pagesOf = (image: LoadableImage): number => {
  const starts = image.segments.map((s) => vpnOf(s.address));
  const ends = image.segments.map((s) => vpnOf(s.address + s.memorySize - 1));
  return Math.max(...ends) - Math.min(...starts) + 1;
};

export type { ConsoleStream };
