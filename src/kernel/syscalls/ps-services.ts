// Process services: NtCreateUserProcess and NtOpenProcess, and the
// cross-process copies NtReadVirtualMemory and NtWriteVirtualMemory.
//
// mmscope creates processes with Vista's NtCreateUserProcess rather than XP's
// NtCreateProcessEx + NtCreateThread: the kernel already builds a process's
// address space, image view, initial stack, PEB and TEB itself (as it does for
// the first program), so one service with the image path and command line
// (RTL_USER_PROCESS_PARAMETERS) is what kernel32's CreateProcess needs; XP's
// path would need kernel32 to build the stack, the initial CONTEXT and the
// process parameters in the child from user mode.
import {
  STATUS_ACCESS_VIOLATION, STATUS_INVALID_CID, STATUS_INVALID_PARAMETER, STATUS_NOT_SUPPORTED, STATUS_PARTIAL_COPY, STATUS_SUCCESS,
  type NtStatus,
} from '../../nt/status.js';
import { MM_HIGHEST_USER_ADDRESS, PAGE_SIZE } from '../../mm/layout.js';
import { UserAccessViolation, type UserMemory } from '../../mm/user-memory.js';
import { PROCESS_VM_READ, PROCESS_VM_WRITE, processGrantedAccess } from '../ps/process-access.js';
import type { Process } from '../process.js';
import { processForMemoryService, type NtService } from './nt-service.js';
import { insertHandle } from './object-services.js';
import { threadAccess as grantedThreadAccess, threadObject } from './thread-services.js';
import { readUnicodeString } from './user-structures.js';

/** RTL_USER_PROCESS_PARAMETERS (x86): ImagePathName and CommandLine, UNICODE_STRINGs. */
const PARAMETERS_IMAGE_PATH_NAME = 0x38;
const PARAMETERS_COMMAND_LINE = 0x40;
/** NtCreateUserProcess's ThreadFlags: THREAD_CREATE_FLAGS_CREATE_SUSPENDED. */
const THREAD_CREATE_FLAGS_CREATE_SUSPENDED = 0x1;
/** PS_ATTRIBUTE_LIST { SIZE_T TotalLength; PS_ATTRIBUTE Attributes[]; }, PS_ATTRIBUTE { Attribute, Size, Value, ReturnLength } (16 bytes on x86). */
const PS_ATTRIBUTE_SIZE = 16;
/** PsAttributeClientId | PS_ATTRIBUTE_THREAD: the new thread's CLIENT_ID { UniqueProcess, UniqueThread }. */
const PS_ATTRIBUTE_CLIENT_ID = 0x10003;

/**
 * NtCreateUserProcess(*ProcessHandle, *ThreadHandle, ProcessDesiredAccess,
 * ThreadDesiredAccess, ProcessObjectAttributes, ThreadObjectAttributes,
 * ProcessFlags, ThreadFlags, ProcessParameters, CreateInfo, AttributeList):
 * the program at ProcessParameters->ImagePathName (a file in the --root
 * sandbox) with ProcessParameters->CommandLine; THREAD_CREATE_FLAGS_CREATE_SUSPENDED
 * leaves the initial thread suspended. PS_ATTRIBUTE_CLIENT_ID in the
 * attribute list receives the new process and thread ids.
 */
export const NtCreateUserProcess: NtService = {
  number: 0x5d,
  name: 'NtCreateUserProcess',
  argCount: 11,
  handler({ process, processes }, args): NtStatus {
    const [processHandle, threadHandle, processAccess, threadAccess, , , , threadFlags, parameters, , attributeList] = args;
    process.memory.writeU32(processHandle!, 0);
    process.memory.writeU32(threadHandle!, 0);
    if (!parameters) return STATUS_INVALID_PARAMETER;
    const imagePath = readUnicodeString(process.memory, parameters + PARAMETERS_IMAGE_PATH_NAME);
    if (typeof imagePath === 'number') return imagePath;
    const commandLine = readUnicodeString(process.memory, parameters + PARAMETERS_COMMAND_LINE);
    if (typeof commandLine === 'number') return commandLine;
    const clientIdOut = attributeList ? findAttribute(process.memory, attributeList, PS_ATTRIBUTE_CLIENT_ID) : undefined;
    if (!processes) return STATUS_NOT_SUPPORTED;
    const created = processes.createProcess(process, { imagePath, commandLine: commandLine || imagePath, suspended: (threadFlags! & THREAD_CREATE_FLAGS_CREATE_SUSPENDED) !== 0 });
    if (typeof created === 'number') return created;
    let status = insertHandle(process, created.process.object!.reference(), processHandle!, processGrantedAccess(processAccess!));
    if (status === STATUS_SUCCESS) status = insertHandle(process, threadObject(created.thread), threadHandle!, grantedThreadAccess(threadAccess!));
    if (status !== STATUS_SUCCESS) {
      processes.terminateProcess(created.process, status);
      return status;
    }
    if (clientIdOut) {
      process.memory.writeU32(clientIdOut, created.process.id);
      process.memory.writeU32(clientIdOut + 4, created.thread.tid);
    }
    return STATUS_SUCCESS;
  },
};

/** The ValuePtr of the first attribute of type `attribute` in a PS_ATTRIBUTE_LIST, if any. */
function findAttribute(memory: UserMemory, list: number, attribute: number): number | undefined {
  const total = memory.readU32(list);
  for (let at = list + 4; at + PS_ATTRIBUTE_SIZE <= list + total; at += PS_ATTRIBUTE_SIZE) {
    if (memory.readU32(at) === attribute) return memory.readU32(at + 8);
  }
  return undefined;
}

/**
 * NtOpenProcess(*ProcessHandle, DesiredAccess, ObjectAttributes, ClientId):
 * by CLIENT_ID.UniqueProcess; an id that names no process (or one whose
 * object is gone) is STATUS_INVALID_CID, as Windows answers (OpenProcess:
 * ERROR_INVALID_PARAMETER). The handle is granted what was asked for, generic
 * rights mapped (objects have no security descriptors).
 */
export const NtOpenProcess: NtService = {
  number: 0x7a,
  name: 'NtOpenProcess',
  argCount: 4,
  handler({ process, processes }, [processHandle, desiredAccess, , clientId]): NtStatus {
    process.memory.writeU32(processHandle!, 0);
    if (!clientId) return STATUS_INVALID_PARAMETER;
    const id = process.memory.readU32(clientId);
    const target = id === process.id ? process : processes?.findById(id);
    if (!target) return STATUS_INVALID_CID;
    return insertHandle(process, target.object!.reference(), processHandle!, processGrantedAccess(desiredAccess!));
  },
};

/** The range lies in user space and does not wrap (WRK NtReadVirtualMemory's first check, for both buffers). */
const inUserSpace = (address: number, size: number): boolean => address + size >= address && address + size <= MM_HIGHEST_USER_ADDRESS + 1;

/**
 * MmCopyVirtualMemory: copies `size` bytes page by page from `from` in one
 * process to `to` in another (faulting pages in on both sides, as the
 * kernel's own accesses do). Stops at the first byte either side cannot
 * reach: STATUS_PARTIAL_COPY with the bytes copied until then (WRK
 * MiDoMappedCopy answers a fault on either side so).
 */
function copyVirtualMemory(source: Process, from: number, destination: Process, to: number, size: number): { status: NtStatus; copied: number } {
  let copied = 0;
  while (copied < size) {
    const chunk = Math.min(size - copied, PAGE_SIZE - ((from + copied) % PAGE_SIZE), PAGE_SIZE - ((to + copied) % PAGE_SIZE));
    try {
      destination.memory.write(to + copied, source.memory.read(from + copied, chunk));
    } catch (error) {
      if (error instanceof UserAccessViolation) return { status: STATUS_PARTIAL_COPY, copied };
      throw error;
    }
    copied += chunk;
  }
  return { status: STATUS_SUCCESS, copied };
}

/** NtReadVirtualMemory and NtWriteVirtualMemory: the same checks and copy, in opposite directions. */
function copyService(number: number, name: string, access: number, reading: boolean): NtService {
  return {
    number, name, argCount: 5,
    handler(context, [processHandle, baseAddress, buffer, size, bytesCopied]): NtStatus {
      const { process } = context;
      if (!inUserSpace(baseAddress!, size!) || !inUserSpace(buffer!, size!)) return STATUS_ACCESS_VIOLATION;
      if (bytesCopied) process.memory.writeU32(bytesCopied, process.memory.readU32(bytesCopied));
      let result = { status: STATUS_SUCCESS as NtStatus, copied: 0 };
      // Nothing to copy: the handle is not even looked at (WRK).
      if (size !== 0) {
        const target = processForMemoryService(context, processHandle!, access);
        if (target.status !== undefined) return target.status;
        result = reading
          ? copyVirtualMemory(target.process, baseAddress!, process, buffer!, size!)
          : copyVirtualMemory(process, buffer!, target.process, baseAddress!, size!);
      }
      if (bytesCopied) process.memory.writeU32(bytesCopied, result.copied);
      return result.status;
    },
  };
}

/** NtReadVirtualMemory(ProcessHandle, BaseAddress, Buffer, NumberOfBytesToRead, *NumberOfBytesRead): PROCESS_VM_READ. */
export const NtReadVirtualMemory = copyService(0xba, 'NtReadVirtualMemory', PROCESS_VM_READ, true);

/** NtWriteVirtualMemory(ProcessHandle, BaseAddress, Buffer, NumberOfBytesToWrite, *NumberOfBytesWritten): PROCESS_VM_WRITE. */
export const NtWriteVirtualMemory = copyService(0x115, 'NtWriteVirtualMemory', PROCESS_VM_WRITE, false);
