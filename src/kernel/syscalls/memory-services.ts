// The virtual-memory system services. Each service's arguments are checked
// by one table in Windows' order (ALLOCATE_CHECKS, FREE_CHECKS and
// PROTECT_CHECKS in mm/virtual-memory.ts, QUERY_CHECKS here; WRK virtual.c
// and ReactOS ARM3 virtual.c): the parameters that need no memory first, then
// the probes of the caller's pointers (the capture rows, run here), then the
// ranges, then the process handle. Then the work, and the results written back.
import {
  allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory, queryVirtualMemory,
  type AllocateRequest, type FreeRequest, type ProtectRequest,
} from '../../mm/virtual-memory.js';
import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, STATUS_PRIVILEGE_NOT_HELD,
  STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { isCurrentProcess, processForMemoryService, type NtService } from './nt-service.js';
import { PROCESS_QUERY_INFORMATION, PROCESS_VM_OPERATION } from '../ps/process-access.js';
import {
  lockVirtualMemory, unlockVirtualMemory, workingSetBlocks, workingSetExBlock, type RangeResult,
} from '../../mm/working-set-services.js';
import type { Process } from '../process.js';
import { captureInOut, captureRegion, writeRegion } from './user-structures.js';
import { runArgumentChecks, type ArgumentCheck } from '../../mm/argument-checks.js';
import type { UserMemory } from '../../mm/user-memory.js';

const MemoryBasicInformation = 0;
const MemoryWorkingSetInformation = 1;
const MemoryWorkingSetExInformation = 4;
const MEMORY_BASIC_INFORMATION_SIZE = 28;
/** MEMORY_WORKING_SET_EX_INFORMATION { PVOID VirtualAddress; ULONG_PTR VirtualAttributes; } */
const WORKING_SET_EX_ENTRY_SIZE = 8;
/** NtLockVirtualMemory's MapType: MAP_PROCESS (working set) and MAP_SYSTEM (physical memory, needs SeLockMemoryPrivilege). */
const MAP_PROCESS = 1;
const MAP_SYSTEM = 2;

/** The service's probe row: reads *BaseAddress and *RegionSize (arguments `baseIndex`, `sizeIndex`), both probed for writing, into `into`. */
function regionCapture(memory: UserMemory, args: readonly number[], baseIndex: number, sizeIndex: number, into: { base: number; size: number }): () => void {
  return () => { into.base = captureInOut(memory, args[baseIndex]!); into.size = captureInOut(memory, args[sizeIndex]!); };
}

/** NtAllocateVirtualMemory(ProcessHandle, *BaseAddress, ZeroBits, *RegionSize, AllocationType, Protect): ALLOCATE_CHECKS, then the work. */
export const NtAllocateVirtualMemory: NtService = {
  number: 0x11,
  name: 'NtAllocateVirtualMemory',
  argCount: 6,
  handler(context, args) {
    const { process } = context;
    const target = processForMemoryService(context, args[0]!, PROCESS_VM_OPERATION);
    const request: AllocateRequest = { base: 0, size: 0, zeroBits: args[2]!, allocationType: args[4]!, protect: args[5]!, ...statusOf(target) };
    request.capture = regionCapture(process.memory, args, 1, 3, request);
    const result = allocateVirtualMemory(target.process.space, request);
    if (!result.region) return result.status;
    writeRegion(process.memory, args[1]!, args[3]!, result.region);
    return STATUS_SUCCESS;
  },
};

/** NtFreeVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, FreeType): FREE_CHECKS, then the work. */
export const NtFreeVirtualMemory: NtService = {
  number: 0x53,
  name: 'NtFreeVirtualMemory',
  argCount: 4,
  handler(context, args) {
    const { process } = context;
    const target = processForMemoryService(context, args[0]!, PROCESS_VM_OPERATION);
    const request: FreeRequest = { base: 0, size: 0, freeType: args[3]!, ...statusOf(target) };
    request.capture = regionCapture(process.memory, args, 1, 2, request);
    const result = freeVirtualMemory(target.process.space, request);
    if (!result.region) return result.status;
    writeRegion(process.memory, args[1]!, args[2]!, result.region);
    return STATUS_SUCCESS;
  },
};

/** NtProtectVirtualMemory(ProcessHandle, *BaseAddress, *NumberOfBytesToProtect, NewAccessProtection, *OldAccessProtection): PROTECT_CHECKS, then the work. */
export const NtProtectVirtualMemory: NtService = {
  number: 0x89,
  name: 'NtProtectVirtualMemory',
  argCount: 5,
  handler(context, args) {
    const { process } = context;
    const target = processForMemoryService(context, args[0]!, PROCESS_VM_OPERATION);
    const request: ProtectRequest = {
      base: 0, size: 0, protect: args[3]!, ...statusOf(target),
      captureOldProtect: () => { captureInOut(process.memory, args[4]!); },
    };
    request.capture = regionCapture(process.memory, args, 1, 2, request);
    const result = protectVirtualMemory(target.process.space, request);
    if (!result.region) return result.status;
    writeRegion(process.memory, args[1]!, args[2]!, result.region);
    process.memory.writeU32(args[4]!, result.oldProtect);
    return STATUS_SUCCESS;
  },
};

/** The request's processStatus: why the handle cannot be used, if it cannot. */
const statusOf = (target: { status?: NtStatus }): { processStatus?: NtStatus } => (target.status !== undefined ? { processStatus: target.status } : {});

/** What NtQueryVirtualMemory's check rows read. */
interface QueryArguments { args: readonly number[]; memory: UserMemory; processStatus?: NtStatus }

/** NtQueryVirtualMemory's checks (WRK NtQueryVirtualMemory): the class, the length, the probes of the buffer and *ReturnLength, the process. */
export const QUERY_CHECKS: readonly ArgumentCheck<QueryArguments>[] = [
  { check: 'MemoryInformationClass not MemoryBasicInformation', fails: (c) => c.args[2] !== MemoryBasicInformation, status: STATUS_INVALID_INFO_CLASS },
  { check: 'Length below sizeof(MEMORY_BASIC_INFORMATION)', fails: (c) => c.args[4]! < MEMORY_BASIC_INFORMATION_SIZE, status: STATUS_INFO_LENGTH_MISMATCH },
  {
    capture: 'probe the buffer and *ReturnLength for writing',
    run: (c) => {
      c.memory.write(c.args[3]!, c.memory.read(c.args[3]!, MEMORY_BASIC_INFORMATION_SIZE));
      if (c.args[5]) captureInOut(c.memory, c.args[5]);
    },
  },
  { check: 'ProcessHandle', fails: (c) => c.processStatus !== undefined, status: STATUS_INVALID_HANDLE, statusOf: (c) => c.processStatus ?? STATUS_INVALID_HANDLE },
];

/** NtQueryVirtualMemory(ProcessHandle, BaseAddress, MemoryInformationClass, Buffer, Length, *ReturnLength) */
export const NtQueryVirtualMemory: NtService = {
  number: 0xb2,
  name: 'NtQueryVirtualMemory',
  argCount: 6,
  handler(context, args): NtStatus {
    const { process } = context;
    // The working-set classes have their own buffers and checks (paging's queryWorkingSet*); the rest is QUERY_CHECKS.
    if (args[2] === MemoryWorkingSetInformation) return queryWorkingSet(process, args[0]!, args[3]!, args[4]!, args[5]!);
    if (args[2] === MemoryWorkingSetExInformation) return queryWorkingSetEx(process, args[0]!, args[3]!, args[4]!, args[5]!);
    const target = processForMemoryService(context, args[0]!, PROCESS_QUERY_INFORMATION);
    const refused = runArgumentChecks(QUERY_CHECKS, { args, memory: process.memory, ...statusOf(target) });
    if (refused !== undefined) return refused;
    const info = queryVirtualMemory(target.process.space, args[1]!);
    if (typeof info === 'number') return info;
    const bytes = new Uint8Array(MEMORY_BASIC_INFORMATION_SIZE);
    const view = new DataView(bytes.buffer);
    [info.baseAddress, info.allocationBase, info.allocationProtect, info.regionSize, info.state, info.protect, info.type]
      .forEach((value, i) => view.setUint32(i * 4, value >>> 0, true));
    process.memory.write(args[3]!, bytes);
    if (args[5]) process.memory.writeU32(args[5], MEMORY_BASIC_INFORMATION_SIZE);
    return STATUS_SUCCESS;
  },
};

/**
 * MemoryWorkingSetInformation (QueryWorkingSet): { ULONG_PTR NumberOfEntries;
 * PSAPI_WORKING_SET_BLOCK WorkingSetInfo[]; }. A buffer too small for every
 * entry gets NumberOfEntries only and STATUS_INFO_LENGTH_MISMATCH.
 */
function queryWorkingSet(process: Process, handle: number, buffer: number, length: number, returnLength: number): NtStatus {
  if (length < 4) return STATUS_INFO_LENGTH_MISMATCH;
  if (!isCurrentProcess(handle)) return STATUS_INVALID_HANDLE;
  const blocks = workingSetBlocks(process.space);
  const needed = 4 + blocks.length * 4;
  process.memory.writeU32(buffer, blocks.length);
  if (returnLength) process.memory.writeU32(returnLength, needed);
  if (length < needed) return STATUS_INFO_LENGTH_MISMATCH;
  const bytes = new Uint8Array(blocks.length * 4);
  const view = new DataView(bytes.buffer);
  blocks.forEach((block, i) => view.setUint32(i * 4, block, true));
  process.memory.write(buffer + 4, bytes);
  return STATUS_SUCCESS;
}

/** MemoryWorkingSetExInformation (QueryWorkingSetEx): for each entry's VirtualAddress, its PSAPI_WORKING_SET_EX_BLOCK. */
function queryWorkingSetEx(process: Process, handle: number, buffer: number, length: number, returnLength: number): NtStatus {
  if (length < WORKING_SET_EX_ENTRY_SIZE || length % WORKING_SET_EX_ENTRY_SIZE !== 0) return STATUS_INFO_LENGTH_MISMATCH;
  if (!isCurrentProcess(handle)) return STATUS_INVALID_HANDLE;
  const entries = process.memory.read(buffer, length);
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  for (let offset = 0; offset < length; offset += WORKING_SET_EX_ENTRY_SIZE) {
    view.setUint32(offset + 4, workingSetExBlock(process.space, view.getUint32(offset, true)), true);
  }
  process.memory.write(buffer, entries);
  if (returnLength) process.memory.writeU32(returnLength, length);
  return STATUS_SUCCESS;
}

/** The lock services' shared shape: capture the region, check MapType, act, write the region back. */
function lockService(number: number, name: string, act: (process: Process, base: number, size: number) => RangeResult): NtService {
  return {
    number, name, argCount: 4,
    handler({ process }, [handle, baseAddress, regionSize, mapType]) {
      const { base, size } = captureRegion(process.memory, baseAddress!, regionSize!);
      if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
      if (mapType === MAP_SYSTEM) return STATUS_PRIVILEGE_NOT_HELD;
      if (mapType !== MAP_PROCESS) return STATUS_INVALID_PARAMETER;
      const result = act(process, base, size);
      if (result.status !== STATUS_SUCCESS) return result.status;
      writeRegion(process.memory, baseAddress!, regionSize!, { base: result.base!, size: result.size! });
      return STATUS_SUCCESS;
    },
  };
}

/** NtLockVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, MapType): VirtualLock. */
export const NtLockVirtualMemory = lockService(0x67, 'NtLockVirtualMemory', (process, base, size) => lockVirtualMemory(process.space, base, size));

/** NtUnlockVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, MapType): VirtualUnlock. */
export const NtUnlockVirtualMemory = lockService(0x10a, 'NtUnlockVirtualMemory', (process, base, size) => unlockVirtualMemory(process.space, base, size));
