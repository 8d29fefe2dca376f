// Thread services: NtCreateThreadEx, NtTerminateThread, NtSuspendThread,
// NtResumeThread, NtQueryInformationThread, NtYieldExecution, and the
// registration of the user-mode thread start routine.
//
// NtCreateThreadEx rather than XP's NtCreateThread: with NtCreateThread the
// caller builds the stack and the CONTEXT in user mode (kernel32's
// BaseCreateStack); with NtCreateThreadEx (Windows 7 and later) the kernel
// creates the stack from StackSize/MaximumStackSize and starts the thread at
// ntdll's RtlUserThreadStart(StartRoutine, Argument) with EAX = StartRoutine,
// EBX = Argument, so the kernel owns the whole thread and frees its stack at
// exit. XP has no such service: it takes a number of mmscope's own.
import { isUserAddress } from '../../mm/layout.js';
import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_8, STATUS_NO_YIELD_PERFORMED, STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, STATUS_SUSPEND_COUNT_EXCEEDED,
  STATUS_THREAD_IS_TERMINATING, type NtStatus,
} from '../../nt/status.js';
import { KernelObject } from '../ob/handle-table.js';
import type { KThread } from '../ke/thread.js';
import { TEB_TLS_SLOTS, TLS_MINIMUM_AVAILABLE, createThreadResources } from '../ke/thread-resources.js';
import { NtCurrentThread, referenceProcess, type NtService, type NtServiceContext } from './nt-service.js';
import { PROCESS_CREATE_THREAD } from '../ps/process-access.js';
import type { Process } from '../process.js';
import { insertHandle } from './object-services.js';

/** THREAD_* access rights (winnt.h). */
export const THREAD_TERMINATE = 0x0001;
export const THREAD_SUSPEND_RESUME = 0x0002;
export const THREAD_QUERY_INFORMATION = 0x0040;
export const THREAD_SET_INFORMATION = 0x0020;
export const THREAD_ALL_ACCESS = 0x001f03ff;
const GENERIC_ALL = 0x10000000, MAXIMUM_ALLOWED = 0x02000000;
/** CreateFlags: THREAD_CREATE_FLAGS_CREATE_SUSPENDED and _SKIP_THREAD_ATTACH (no DLL notifications here, so it changes nothing). */
const THREAD_CREATE_FLAGS_CREATE_SUSPENDED = 0x1;
const THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH = 0x2;
/** MAXIMUM_SUSPEND_COUNT (ntddk.h). */
const MAXIMUM_SUSPEND_COUNT = 0x7f;
/** Where a commit at or above the reserve rounds the reserve up to (RtlCreateUserStack: 1 MiB). */
const STACK_RESERVE_ROUNDING = 1024 * 1024;
const ThreadBasicInformation = 0;
const ThreadZeroTlsCell = 10;
const ThreadAmILastThread = 12;
const THREAD_BASIC_INFORMATION_SIZE = 28;

/** Generic rights mapped to a thread's (GENERIC_ALL, MAXIMUM_ALLOWED: everything). */
export const threadAccess = (desired: number): number => (desired & (GENERIC_ALL | MAXIMUM_ALLOWED)) ? THREAD_ALL_ACCESS : desired;

/** A thread object for the handle table; the thread itself stays in the scheduler's list. */
export function threadObject(thread: KThread): KernelObject<KThread> {
  return new KernelObject('Thread', thread, () => {});
}

/** The thread a handle names: NtCurrentThread() is the caller; else a Thread handle with `access`. */
export function referenceThread(context: NtServiceContext, handle: number, access: number): KThread | NtStatus {
  if (handle === NtCurrentThread) return context.scheduler.current;
  const object = context.process.handles.reference<KThread>(handle, 'Thread', access);
  return typeof object === 'number' ? object : object.body;
}

export interface CreateThreadRequest {
  startRoutine: number;
  argument: number;
  suspended: boolean;
  /** Committed and reserved stack bytes; 0 takes the image's defaults. */
  stackSize: number;
  maximumStackSize: number;
}

/**
 * Creates a thread of `target` (PspCreateThread): its TEB and stack in the
 * target's address space, its initial registers, the scheduler's entry; the
 * thread belongs to the target process whoever created it. A thread size of
 * 0 takes the target image's defaults. Returns the thread or the status
 * that refused it (STATUS_NO_MEMORY, STATUS_COMMITMENT_LIMIT).
 */
export function createThread(context: NtServiceContext, target: Process, request: CreateThreadRequest): KThread | NtStatus {
  const { scheduler } = context;
  const defaults = target.threadStackDefaults ?? scheduler.threadDefaults;
  const commit = request.stackSize || defaults.stackCommitBytes;
  let reserve = request.maximumStackSize || defaults.stackReserveBytes;
  if (commit >= reserve) reserve = Math.ceil((commit + 1) / STACK_RESERVE_ROUNDING) * STACK_RESERVE_ROUNDING;
  const tid = scheduler.clientIds.allocate();
  const resources = createThreadResources(target.space, target.memory, reserve, commit, { processId: target.id, threadId: tid });
  if (typeof resources === 'number') return resources;
  const thunk = target.userThreadStart;
  let initial;
  if (thunk !== undefined) {
    initial = { eip: thunk, esp: resources.stackBase - 16, eax: request.startRoutine, ebx: request.argument };
  } else {
    // No RtlUserThreadStart in the process: enter the routine as a stdcall call with a null return address.
    const esp = resources.stackBase - 16;
    target.memory.writeU32(esp, 0);
    target.memory.writeU32(esp + 4, request.argument);
    initial = { eip: request.startRoutine, esp, eax: request.startRoutine, ebx: request.argument };
  }
  return scheduler.createThread(tid, target, resources, initial, request.startRoutine, request.suspended);
}

/**
 * The process a new thread is for (NtCreateThreadEx's ProcessHandle):
 * NtCurrentProcess() or a handle granted PROCESS_CREATE_THREAD, the one
 * right the kernel asks for (PspCreateThread; CreateRemoteThread's
 * documentation lists more that "certain platforms" need, which mmscope does
 * not ask for); a process that has ended or is ending is
 * STATUS_PROCESS_IS_TERMINATING (PS_PROCESS_FLAGS_PROCESS_DELETE).
 */
function processForNewThread(context: NtServiceContext, handle: number): Process | NtStatus {
  const target = referenceProcess(context, handle, PROCESS_CREATE_THREAD);
  if (typeof target === 'number') return target;
  return target.terminated || target.addressSpaceDeleted ? STATUS_PROCESS_IS_TERMINATING : target;
}

/**
 * NtCreateThreadEx(*ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, StartRoutine, Argument,
 * CreateFlags, ZeroBits, StackSize, MaximumStackSize, AttributeList): a thread of the current process or, with
 * a process handle granted PROCESS_CREATE_THREAD (else STATUS_ACCESS_DENIED), of another one, whose address
 * space then holds its TEB and stack (CreateRemoteThread). StackSize 0 commits one page, MaximumStackSize 0
 * reserves the target image's (or --stack's) size; a commit at or above the reserve makes the reserve the
 * commit rounded up to 1 MiB (RtlCreateUserStack). Unknown CreateFlags, a ZeroBits or an AttributeList are
 * refused (STATUS_INVALID_PARAMETER, _8). The handle goes in the caller's table.
 */
export const NtCreateThreadEx: NtService = {
  number: 0x1010,
  name: 'NtCreateThreadEx',
  argCount: 11,
  handler(context, [threadHandle, desiredAccess, , processHandle, startRoutine, argument, createFlags, zeroBits, stackSize, maximumStackSize, attributeList]) {
    const { process } = context;
    if ((createFlags! & ~(THREAD_CREATE_FLAGS_CREATE_SUSPENDED | THREAD_CREATE_FLAGS_SKIP_THREAD_ATTACH)) !== 0) return STATUS_INVALID_PARAMETER;
    if (zeroBits !== 0) return STATUS_INVALID_PARAMETER_8;
    if (attributeList !== 0) return STATUS_INVALID_PARAMETER;
    process.memory.writeU32(threadHandle!, 0);
    const target = processForNewThread(context, processHandle!);
    if (typeof target === 'number') return target;
    const thread = createThread(context, target, {
      startRoutine: startRoutine!, argument: argument!, suspended: (createFlags! & THREAD_CREATE_FLAGS_CREATE_SUSPENDED) !== 0,
      stackSize: stackSize!, maximumStackSize: maximumStackSize!,
    });
    if (typeof thread === 'number') return thread;
    return insertHandle(process, threadObject(thread), threadHandle!, threadAccess(desiredAccess!));
  },
};

/** NtTerminateThread(ThreadHandle, ExitStatus): NULL or NtCurrentThread() ends the caller; the last thread ends the process. */
export const NtTerminateThread: NtService = {
  number: 0x102,
  name: 'NtTerminateThread',
  argCount: 2,
  handler(context, [handle, exitStatus]) {
    const thread = handle === 0 ? context.scheduler.current : referenceThread(context, handle!, THREAD_TERMINATE);
    if (typeof thread === 'number') return thread;
    context.scheduler.terminate(thread, exitStatus!);
    return STATUS_SUCCESS;
  },
};

function writePreviousCount(context: NtServiceContext, address: number, count: number): void {
  if (address) context.process.memory.writeU32(address, count);
}

/** NtSuspendThread(ThreadHandle, *PreviousSuspendCount): at MAXIMUM_SUSPEND_COUNT, STATUS_SUSPEND_COUNT_EXCEEDED. */
export const NtSuspendThread: NtService = {
  number: 0xfe,
  name: 'NtSuspendThread',
  argCount: 2,
  handler(context, [handle, previousCount]) {
    const thread = referenceThread(context, handle!, THREAD_SUSPEND_RESUME);
    if (typeof thread === 'number') return thread;
    if (thread.terminated) return STATUS_THREAD_IS_TERMINATING;
    if (thread.suspendCount >= MAXIMUM_SUSPEND_COUNT) return STATUS_SUSPEND_COUNT_EXCEEDED;
    writePreviousCount(context, previousCount!, context.scheduler.suspend(thread));
    return STATUS_SUCCESS;
  },
};

/** NtResumeThread(ThreadHandle, *PreviousSuspendCount) */
export const NtResumeThread: NtService = {
  number: 0xce,
  name: 'NtResumeThread',
  argCount: 2,
  handler(context, [handle, previousCount]) {
    const thread = referenceThread(context, handle!, THREAD_SUSPEND_RESUME);
    if (typeof thread === 'number') return thread;
    writePreviousCount(context, previousCount!, thread.terminated ? 0 : context.scheduler.resume(thread));
    return STATUS_SUCCESS;
  },
};

/**
 * NtQueryInformationThread(ThreadHandle, ThreadInformationClass, ThreadInformation, Length, *ReturnLength):
 * ThreadBasicInformation (ExitStatus, TebBaseAddress, ClientId, AffinityMask 1, Priority and BasePriority 8)
 * and ThreadAmILastThread.
 */
export const NtQueryInformationThread: NtService = {
  number: 0x9b,
  name: 'NtQueryInformationThread',
  argCount: 5,
  handler(context, [handle, informationClass, buffer, length, returnLength]) {
    let values: number[];
    if (informationClass === ThreadBasicInformation) {
      if (length !== THREAD_BASIC_INFORMATION_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
      const thread = referenceThread(context, handle!, THREAD_QUERY_INFORMATION);
      if (typeof thread === 'number') return thread;
      values = [thread.exitStatus, thread.tebAddress, thread.process.id, thread.tid, 1, 8, 8];
    } else if (informationClass === ThreadAmILastThread) {
      if (length !== 4) return STATUS_INFO_LENGTH_MISMATCH;
      values = [context.scheduler.liveThreads(context.process).length === 1 ? 1 : 0];
    } else {
      return STATUS_INVALID_INFO_CLASS;
    }
    values.forEach((value, i) => context.process.memory.writeU32(buffer! + i * 4, value >>> 0));
    if (returnLength) context.process.memory.writeU32(returnLength, length!);
    return STATUS_SUCCESS;
  },
};

/**
 * NtSetInformationThread(ThreadHandle, ThreadInformationClass, ThreadInformation, Length):
 * ThreadZeroTlsCell only (a ULONG TLS index: that slot is zeroed in every thread of the
 * process, as TlsFree asks); an index past the TEB's slots is STATUS_INVALID_PARAMETER.
 */
export const NtSetInformationThread: NtService = {
  number: 0xe5,
  name: 'NtSetInformationThread',
  argCount: 4,
  handler(context, [handle, informationClass, buffer, length]) {
    if (informationClass !== ThreadZeroTlsCell) return STATUS_INVALID_INFO_CLASS;
    if (length !== 4) return STATUS_INFO_LENGTH_MISMATCH;
    const index = context.process.memory.readU32(buffer!);
    const thread = referenceThread(context, handle!, THREAD_SET_INFORMATION);
    if (typeof thread === 'number') return thread;
    if (index >= TLS_MINIMUM_AVAILABLE) return STATUS_INVALID_PARAMETER;
    for (const other of context.scheduler.liveThreads(context.process)) {
      context.process.memory.writeU32(other.tebAddress + TEB_TLS_SLOTS + index * 4, 0);
    }
    return STATUS_SUCCESS;
  },
};

/** NtYieldExecution(): STATUS_NO_YIELD_PERFORMED when no other thread is ready. */
export const NtYieldExecution: NtService = {
  number: 0x116,
  name: 'NtYieldExecution',
  argCount: 0,
  handler({ scheduler }) {
    return scheduler.yieldCpu() ? STATUS_SUCCESS : STATUS_NO_YIELD_PERFORMED;
  },
};

/** MmsRegisterThreadStart(RtlUserThreadStart): mmscope's stand-in for the kernel knowing ntdll's RtlUserThreadStart. */
export const MmsRegisterThreadStart: NtService = {
  number: 0x1011,
  name: 'MmsRegisterThreadStart',
  argCount: 1,
  handler({ process }, [routine]) {
    if (!isUserAddress(routine!)) return STATUS_INVALID_PARAMETER;
    process.userThreadStart = routine!;
    return STATUS_SUCCESS;
  },
};
