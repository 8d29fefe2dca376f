import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import { setWorkingSetLimits, workingSetLimits } from '../../mm/working-set-services.js';
import type { Process } from '../process.js';
import { NtCurrentProcess, isCurrentProcess, type NtService } from './nt-service.js';

const ProcessQuotaLimits = 1;
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

/** NtQueryInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation, Length, *ReturnLength): ProcessVmCounters and ProcessQuotaLimits. */
export const NtQueryInformationProcess: NtService = {
  number: 0x9a,
  name: 'NtQueryInformationProcess',
  argCount: 5,
  handler({ process }, [handle, informationClass, buffer, length, returnLength]): NtStatus {
    let bytes: Uint8Array;
    if (informationClass === ProcessVmCounters) {
      if (length !== VM_COUNTERS_SIZE && length !== VM_COUNTERS_EX_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
      if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
      bytes = new Uint8Array(length!);
      const view = new DataView(bytes.buffer);
      vmCounters(process).slice(0, length! / 4).forEach((value, i) => view.setUint32(i * 4, value >>> 0, true));
    } else if (informationClass === ProcessQuotaLimits) {
      if (length !== QUOTA_LIMITS_SIZE && length !== QUOTA_LIMITS_EX_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
      if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
      bytes = new Uint8Array(length!);
      const view = new DataView(bytes.buffer);
      const limits = workingSetLimits(process.space);
      view.setUint32(QUOTA_MINIMUM_WORKING_SET, limits.minimumBytes, true);
      view.setUint32(QUOTA_MAXIMUM_WORKING_SET, limits.maximumBytes, true);
      view.setUint32(16, 0xffffffff, true); // PagefileLimit: none
      if (length === QUOTA_LIMITS_EX_SIZE) view.setUint32(QUOTA_FLAGS, limits.flags, true);
    } else {
      return STATUS_INVALID_INFO_CLASS;
    }
    process.memory.write(buffer!, bytes);
    if (returnLength) process.memory.writeU32(returnLength, length!);
    return STATUS_SUCCESS;
  },
};

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

/** NtTerminateProcess(ProcessHandle, ExitStatus): only the current process exists. */
export const NtTerminateProcess: NtService = {
  number: 0x101,
  name: 'NtTerminateProcess',
  argCount: 2,
  handler({ process }, [handle, exitStatus]) {
    if (handle !== NtCurrentProcess && handle !== 0) return STATUS_INVALID_HANDLE;
    process.terminate(exitStatus!);
    return STATUS_SUCCESS;
  },
};
