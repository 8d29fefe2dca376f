// The virtual-memory system services: capture the guest's arguments (every
// pointer probed, in/out parameters checked for writing before any work),
// call the memory manager, write the results back.
import {
  allocateVirtualMemory, freeVirtualMemory, protectVirtualMemory, queryVirtualMemory,
} from '../../mm/virtual-memory.js';
import {
  STATUS_INFO_LENGTH_MISMATCH, STATUS_INVALID_HANDLE, STATUS_INVALID_INFO_CLASS, STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { isCurrentProcess, type NtService } from './nt-service.js';
import { captureInOut, captureRegion, writeRegion } from './user-structures.js';

const MemoryBasicInformation = 0;
const MEMORY_BASIC_INFORMATION_SIZE = 28;



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
