// Process access rights and how a process handle is resolved for a service
// (WRK ps.h / winnt.h values; ObReferenceObjectByHandle with the right the
// service needs, as each Nt* service in WRK asks for it).
import { STATUS_PROCESS_IS_TERMINATING, type NtStatus } from '../../nt/status.js';
import type { Process } from '../process.js';

export const PROCESS_TERMINATE = 0x0001;
export const PROCESS_CREATE_THREAD = 0x0002;
export const PROCESS_SET_SESSIONID = 0x0004;
export const PROCESS_VM_OPERATION = 0x0008;
export const PROCESS_VM_READ = 0x0010;
export const PROCESS_VM_WRITE = 0x0020;
export const PROCESS_DUP_HANDLE = 0x0040;
export const PROCESS_CREATE_PROCESS = 0x0080;
export const PROCESS_SET_QUOTA = 0x0100;
export const PROCESS_SET_INFORMATION = 0x0200;
export const PROCESS_QUERY_INFORMATION = 0x0400;
export const PROCESS_SUSPEND_RESUME = 0x0800;
export const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
export const SYNCHRONIZE = 0x00100000;
/** PROCESS_ALL_ACCESS as Vista and later define it. */
export const PROCESS_ALL_ACCESS = 0x001fffff;

const STANDARD_RIGHTS_READ = 0x00020000, STANDARD_RIGHTS_WRITE = 0x00020000, STANDARD_RIGHTS_EXECUTE = 0x00020000;
const GENERIC_READ = 0x80000000, GENERIC_WRITE = 0x40000000, GENERIC_EXECUTE = 0x20000000, GENERIC_ALL = 0x10000000;
const MAXIMUM_ALLOWED = 0x02000000;

/**
 * The process object type's GENERIC_MAPPING (PspProcessMapping, Windows 10):
 * generic rights become specific ones; MAXIMUM_ALLOWED is everything, since
 * mmscope's objects have no security descriptors and an open grants what it asks.
 */
export function processGrantedAccess(desired: number): number {
  let access = desired & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);
  if (desired & GENERIC_READ) access |= STANDARD_RIGHTS_READ | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION;
  if (desired & GENERIC_WRITE) {
    access |= STANDARD_RIGHTS_WRITE | PROCESS_CREATE_PROCESS | PROCESS_CREATE_THREAD | PROCESS_VM_OPERATION | PROCESS_VM_WRITE
      | PROCESS_DUP_HANDLE | PROCESS_TERMINATE | PROCESS_SET_QUOTA | PROCESS_SET_INFORMATION | PROCESS_SUSPEND_RESUME | PROCESS_SET_SESSIONID;
  }
  if (desired & GENERIC_EXECUTE) access |= STANDARD_RIGHTS_EXECUTE | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE;
  if (desired & (GENERIC_ALL | MAXIMUM_ALLOWED)) access |= PROCESS_ALL_ACCESS;
  // Vista and later: PROCESS_QUERY_INFORMATION implies the limited right.
  if (access & PROCESS_QUERY_INFORMATION) access |= PROCESS_QUERY_LIMITED_INFORMATION;
  return access >>> 0;
}

/** A process whose address space is gone cannot be operated on (MmCopyVirtualMemory, NtAllocateVirtualMemory…). */
export function requireLiveProcess(process: Process): Process | NtStatus {
  return process.addressSpaceDeleted ? STATUS_PROCESS_IS_TERMINATING : process;
}
