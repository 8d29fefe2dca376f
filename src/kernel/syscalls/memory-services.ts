// The virtual-memory system services: capture the guest's arguments (every
// pointer probed, in/out parameters checked for writing before any work),
// call the memory manager, write the results back.
import {
  allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory, queryVirtualMemory,
} from '../../mm/virtual-memory.js';
import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, STATUS_PRIVILEGE_NOT_HELD,
  STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { isCurrentProcess, type NtService } from './nt-service.js';
import { captureInOut, captureRegion, writeRegion } from './user-structures.js';
import {
  lockVirtualMemory, unlockVirtualMemory, workingSetBlocks, workingSetExBlock, type RangeResult,
} from '../../mm/working-set-services.js';
import type { Process } from '../process.js';

const MemoryBasicInformation = 0;
const MemoryWorkingSetInformation = 1;
const MemoryWorkingSetExInformation = 4;
const MEMORY_BASIC_INFORMATION_SIZE = 28;
/** MEMORY_WORKING_SET_EX_INFORMATION { PVOID VirtualAddress; ULONG_PTR VirtualAttributes; } */
const WORKING_SET_EX_ENTRY_SIZE = 8;
/** NtLockVirtualMemory's MapType: MAP_PROCESS (working set) and MAP_SYSTEM (physical memory, needs SeLockMemoryPrivilege). */
const MAP_PROCESS = 1;
const MAP_SYSTEM = 2;


/** NtAllocateVirtualMemory(ProcessHandle, *BaseAddress, ZeroBits, *RegionSize, AllocationType, Protect) */
export const NtAllocateVirtualMemory: NtService = {
  number: 0x11,
  name: 'NtAllocateVirtualMemory',
  argCount: 6,
  handler({ process }, [handle, baseAddress, zeroBits, regionSize, allocationType, protect]) {
    const { base, size } = captureRegion(process.memory, baseAddress!, regionSize!);
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    const result = allocateVirtualMemory(process.space, { base, size, zeroBits: zeroBits!, allocationType: allocationType!, protect: protect! });
    if (!result.region) return result.status;
    writeRegion(process.memory, baseAddress!, regionSize!, result.region);
    return STATUS_SUCCESS;
  },
};

/** NtFreeVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, FreeType) */
export const NtFreeVirtualMemory: NtService = {
  number: 0x53,
  name: 'NtFreeVirtualMemory',
  argCount: 4,
  handler({ process }, [handle, baseAddress, regionSize, freeType]) {
    const { base, size } = captureRegion(process.memory, baseAddress!, regionSize!);
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    const result = freeVirtualMemory(process.space, { base, size, freeType: freeType! });
    if (!result.region) return result.status;
    writeRegion(process.memory, baseAddress!, regionSize!, result.region);
    return STATUS_SUCCESS;
  },
};

/** NtProtectVirtualMemory(ProcessHandle, *BaseAddress, *NumberOfBytesToProtect, NewAccessProtection, *OldAccessProtection) */
export const NtProtectVirtualMemory: NtService = {
  number: 0x89,
  name: 'NtProtectVirtualMemory',
  argCount: 5,
  handler({ process }, [handle, baseAddress, bytesToProtect, newProtect, oldProtect]) {
    const { base, size } = captureRegion(process.memory, baseAddress!, bytesToProtect!);
    captureInOut(process.memory, oldProtect!);
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    const result = protectVirtualMemory(process.space, { base, size, protect: newProtect! });
    if (!result.region) return result.status;
    writeRegion(process.memory, baseAddress!, bytesToProtect!, result.region);
    process.memory.writeU32(oldProtect!, result.oldProtect);
    return STATUS_SUCCESS;
  },
};

/** NtQueryVirtualMemory(ProcessHandle, BaseAddress, MemoryInformationClass, Buffer, Length, *ReturnLength) */
export const NtQueryVirtualMemory: NtService = {
  number: 0xb2,
  name: 'NtQueryVirtualMemory',
  argCount: 6,
  handler({ process }, [handle, baseAddress, informationClass, buffer, length, returnLength]): NtStatus {
    if (informationClass === MemoryWorkingSetInformation) return queryWorkingSet(process, handle!, buffer!, length!, returnLength!);
    if (informationClass === MemoryWorkingSetExInformation) return queryWorkingSetEx(process, handle!, buffer!, length!, returnLength!);
    if (informationClass !== MemoryBasicInformation) return STATUS_INVALID_INFO_CLASS;
    if (length! < MEMORY_BASIC_INFORMATION_SIZE) return STATUS_INFO_LENGTH_MISMATCH;
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    const info = queryVirtualMemory(process.space, baseAddress!);
    if (typeof info === 'number') return info;
    const bytes = new Uint8Array(MEMORY_BASIC_INFORMATION_SIZE);
    const view = new DataView(bytes.buffer);
    [info.baseAddress, info.allocationBase, info.allocationProtect, info.regionSize, info.state, info.protect, info.type]
      .forEach((value, i) => view.setUint32(i * 4, value >>> 0, true));
    process.memory.write(buffer!, bytes);
    if (returnLength) process.memory.writeU32(returnLength, MEMORY_BASIC_INFORMATION_SIZE);
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
export const NtLockVirtualMemory = lockService(0x76, 'NtLockVirtualMemory', (process, base, size) => lockVirtualMemory(process.space, base, size));

/** NtUnlockVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, MapType): VirtualUnlock. */
export const NtUnlockVirtualMemory = lockService(0x10f, 'NtUnlockVirtualMemory', (process, base, size) => unlockVirtualMemory(process.space, base, size));
