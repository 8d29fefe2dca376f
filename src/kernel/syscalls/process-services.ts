import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_PENDING, STATUS_PROCESS_IS_TERMINATING, STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { setWorkingSetLimits, workingSetLimits } from '../../mm/working-set-services.js';
import type { Process } from '../process.js';
import { NtCurrentProcess, isCurrentProcess, processForMemoryService, referenceProcess, type NtService } from './nt-service.js';
import { PROCESS_QUERY_INFORMATION, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_TERMINATE } from '../ps/process-access.js';
import { PEB_ADDRESS } from '../process-environment.js';

const ProcessBasicInformation = 0;
const ProcessQuotaLimits = 1;
/** Windows 8.1's class: a UNICODE_STRING followed by its characters (the Buffer points just after it). */
const ProcessCommandLineInformation = 60;
const UNICODE_STRING_SIZE = 8;
/** PROCESS_BASIC_INFORMATION (x86): ExitStatus, PebBaseAddress, AffinityMask, BasePriority, UniqueProcessId, InheritedFromUniqueProcessId. */
const PROCESS_BASIC_INFORMATION_SIZE = 24;
/** KPROCESS.BasePriority of a normal-priority process (NORMAL_PRIORITY_CLASS). */
const NORMAL_BASE_PRIORITY = 8;
const ProcessVmCounters = 3;
/** VM_COUNTERS is 11 ULONG_PTRs on x86; VM_COUNTERS_EX adds PrivateUsage. */
const VM_COUNTERS_SIZE = 44;
const VM_COUNTERS_EX_SIZE = 48;
/** QUOTA_LIMITS (TimeLimit, a LARGE_INTEGER, 8-aligned at 24) and QUOTA_LIMITS_EX (… WorkingSetLimit, Reserved2-4, Flags at 48, CpuRateLimit). */
const QUOTA_LIMITS_SIZE = 32;
const QUOTA_LIMITS_EX_SIZE = 56;
const QUOTA_MINIMUM_WORKING_SET = 8;
const QUOTA_MAXIMUM_WORKING_SET = 12;
const QUOTA_FLAGS = 48;

/**
 * VM_COUNTERS(_EX) as Windows fills them for GetProcessMemoryInfo: sizes in
 * bytes; PagefileUsage and PrivateUsage are the process's commit charge,
 * PeakPagefileUsage its peak; pool quotas are not modelled (0).
 */
function vmCounters(process: Process): number[] {
  const space = process.space;
  const tables = space.pageTables.userTableCount();
  return [
    space.vads.peakVirtualPages * PAGE_SIZE, space.vads.virtualPages * PAGE_SIZE, space.pageFaults,
    (space.workingSet.peakPages + tables) * PAGE_SIZE, space.workingSetPages * PAGE_SIZE,
    0, 0, 0, 0,
    space.commitCharge * PAGE_SIZE, space.peakCommitCharge * PAGE_SIZE, space.commitCharge * PAGE_SIZE,
  ];
}

/**
 * NtQueryInformationProcess(ProcessHandle, ProcessInformationClass,
 * ProcessInformation, Length, *ReturnLength): ProcessBasicInformation,
 * ProcessVmCounters, ProcessQuotaLimits and ProcessCommandLineInformation
 * (too small a buffer: STATUS_INFO_LENGTH_MISMATCH with the size needed in
 * *ReturnLength, as Windows 8.1).
 */
export const NtQueryInformationProcess: NtService = {
  number: 0x9a,
  name: 'NtQueryInformationProcess',
  argCount: 5,
  handler(context, [handle, informationClass, buffer, length, returnLength]): NtStatus {
    const { process } = context;
    let bytes: Uint8Array;
    if (informationClass === ProcessBasicInformation) {
      if (length !== PROCESS_BASIC_INFORMATION_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
      const target = referenceProcess(context, handle!, PROCESS_QUERY_LIMITED_INFORMATION);
      if (typeof target === 'number') return target;
      bytes = new Uint8Array(length);
      const view = new DataView(bytes.buffer);
      // GetExitCodeProcess reads ExitStatus: STATUS_PENDING (STILL_ACTIVE, 259) while the process runs.
      [target.exitStatus ?? STATUS_PENDING, target.addressSpaceDeleted ? 0 : PEB_ADDRESS, 1, NORMAL_BASE_PRIORITY, target.id, target.parentId]
        .forEach((value, i) => view.setUint32(i * 4, value >>> 0, true));
    } else if (informationClass === ProcessCommandLineInformation) {
      const target = referenceProcess(context, handle!, PROCESS_QUERY_LIMITED_INFORMATION);
      if (typeof target === 'number') return target;
      bytes = commandLineInformation(target.commandLine, buffer!);
      if (length! < bytes.length) {
        if (returnLength) process.memory.writeU32(returnLength, bytes.length);
        return STATUS_INFO_LENGTH_MISMATCH;
      }
    } else if (informationClass === ProcessVmCounters) {
      if (length !== VM_COUNTERS_SIZE && length !== VM_COUNTERS_EX_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
      const target = processForMemoryService(context, handle!, PROCESS_QUERY_LIMITED_INFORMATION);
      if (target.status !== undefined) return target.status;
      bytes = new Uint8Array(length!);
      const view = new DataView(bytes.buffer);
      vmCounters(target.process).slice(0, length! / 4).forEach((value, i) => view.setUint32(i * 4, value >>> 0, true));
    } else if (informationClass === ProcessQuotaLimits) {
      if (length !== QUOTA_LIMITS_SIZE && length !== QUOTA_LIMITS_EX_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
      const target = processForMemoryService(context, handle!, PROCESS_QUERY_INFORMATION);
      if (target.status !== undefined) return target.status;
      bytes = new Uint8Array(length!);
      const view = new DataView(bytes.buffer);
      const limits = workingSetLimits(target.process.space);
      view.setUint32(QUOTA_MINIMUM_WORKING_SET, limits.minimumBytes, true);
      view.setUint32(QUOTA_MAXIMUM_WORKING_SET, limits.maximumBytes, true);
      view.setUint32(16, 0xffffffff, true); // PagefileLimit: none
      if (length === QUOTA_LIMITS_EX_SIZE) view.setUint32(QUOTA_FLAGS, limits.flags, true);
    } else {
      return STATUS_INVALID_INFO_CLASS;
    }
    process.memory.write(buffer!, bytes);
    if (returnLength) process.memory.writeU32(returnLength, informationClass === ProcessCommandLineInformation ? bytes.length : length!);
    return STATUS_SUCCESS;
  },
};

/**
 * ProcessCommandLineInformation at `buffer`: the UNICODE_STRING (Length,
 * MaximumLength with the terminator, Buffer just after it) and the UTF-16LE
 * characters. A created process's is the line its creator passed,
 * verbatim; the first process has none (Length 0: its runtime builds one
 * from argv).
 */
function commandLineInformation(line: string, buffer: number): Uint8Array {
  const characters = Buffer.from(line, 'utf16le');
  const bytes = new Uint8Array(UNICODE_STRING_SIZE + characters.length + 2);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, characters.length, true);
  view.setUint16(2, characters.length + 2, true);
  view.setUint32(4, (buffer + UNICODE_STRING_SIZE) >>> 0, true);
  bytes.set(characters, UNICODE_STRING_SIZE);
  return bytes;
}

/** NtSetInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation, Length): ProcessQuotaLimits sets the working-set limits (SetProcessWorkingSetSizeEx). */
export const NtSetInformationProcess: NtService = {
  number: 0xe4,
  name: 'NtSetInformationProcess',
  argCount: 4,
  handler({ process }, [handle, informationClass, buffer, length]): NtStatus {
    if (informationClass !== ProcessQuotaLimits) return STATUS_INVALID_INFO_CLASS;
    if (length !== QUOTA_LIMITS_SIZE && length !== QUOTA_LIMITS_EX_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
    const bytes = process.memory.read(buffer!, length!);
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const flags = length === QUOTA_LIMITS_EX_SIZE ? view.getUint32(QUOTA_FLAGS, true) : 0;
    return setWorkingSetLimits(process.space, view.getUint32(QUOTA_MINIMUM_WORKING_SET, true), view.getUint32(QUOTA_MAXIMUM_WORKING_SET, true), flags);
  },
};

/**
 * NtTerminateProcess(ProcessHandle, ExitStatus): 0 or NtCurrentProcess() end
 * the caller; another process needs PROCESS_TERMINATE, and one that has ended
 * already answers STATUS_PROCESS_IS_TERMINATING (TerminateProcess:
 * ERROR_ACCESS_DENIED).
 */
export const NtTerminateProcess: NtService = {
  number: 0x101,
  name: 'NtTerminateProcess',
  argCount: 2,
  handler(context, [handle, exitStatus]) {
    const { process } = context;
    if (handle === NtCurrentProcess || handle === 0) {
      process.terminate(exitStatus!);
      return STATUS_SUCCESS;
    }
    const target = referenceProcess(context, handle!, PROCESS_TERMINATE);
    if (typeof target === 'number') return target;
    if (target.terminated) return STATUS_PROCESS_IS_TERMINATING;
    if (target === process || !context.processes) process.terminate(exitStatus!);
    else context.processes.terminateProcess(target, exitStatus!);
    return STATUS_SUCCESS;
  },
};
