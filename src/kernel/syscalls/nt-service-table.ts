// The NT service table, indexed by the number in EAX. Data, not code:
// adding a service is adding a row. Arguments are fetched through EDX from
// the user stack before the handler runs; a bad pointer anywhere becomes
// STATUS_ACCESS_VIOLATION.
import type { NtStatus } from '../../nt/status.js';
import { UserAccessViolation } from '../../mm/user-memory.js';
import type { NtService, NtServiceContext } from './nt-service.js';
import { NtQueryInformationProcess, NtSetInformationProcess, NtTerminateProcess } from './process-services.js';
import {
  NtCreateFile, NtOpenFile, NtQueryInformationFile, NtReadFile, NtSetInformationFile, NtWriteFile,
} from './file-services.js';
import { NtClose } from './object-services.js';
import {
  NtCreateEvent, NtCreateMutant, NtCreateSemaphore, NtDelayExecution, NtOpenEvent, NtOpenMutant, NtOpenSemaphore, NtPulseEvent,
  NtReleaseMutant, NtReleaseSemaphore, NtResetEvent, NtSetEvent, NtWaitForMultipleObjects, NtWaitForSingleObject,
} from './sync-services.js';
import {
  MmsRegisterThreadStart, NtCreateThreadEx, NtQueryInformationThread, NtResumeThread, NtSetInformationThread, NtSuspendThread, NtTerminateThread,
  NtYieldExecution,
} from './thread-services.js';
import {
  NtCreateSection, NtFlushVirtualMemory, NtMapViewOfSection, NtOpenSection, NtUnmapViewOfSection,
} from './section-services.js';
import { NtGetWriteWatch, NtResetWriteWatch } from './write-watch-services.js';
import {
  NtAllocateVirtualMemory, NtFreeVirtualMemory, NtLockVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory, NtUnlockVirtualMemory,
} from './memory-services.js';
import { MmsRegisterExceptionDispatcher, NtContinue, NtRaiseException } from './exception-services.js';
import { MmsDumpPte, MmsDumpVad, MmsExperimentMapFrame, MmsExperimentRemoveVad } from './debug-services.js';
import { NtCreateUserProcess, NtOpenProcess, NtReadVirtualMemory, NtWriteVirtualMemory } from './ps-services.js';

export const NT_SERVICES: readonly NtService[] = [
  NtAllocateVirtualMemory, NtContinue, NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory,
  NtRaiseException, NtTerminateProcess, NtWriteFile, NtClose, NtCreateFile, NtOpenFile, NtReadFile,
  NtQueryInformationFile, NtSetInformationFile, NtCreateSection, NtOpenSection, NtMapViewOfSection,
  NtUnmapViewOfSection, NtFlushVirtualMemory, NtDelayExecution, NtGetWriteWatch, NtResetWriteWatch,
  NtLockVirtualMemory, NtUnlockVirtualMemory, NtQueryInformationProcess, NtSetInformationProcess,
  NtCreateUserProcess, NtOpenProcess, NtReadVirtualMemory, NtWriteVirtualMemory,
  MmsDumpVad, MmsDumpPte, MmsRegisterExceptionDispatcher, MmsExperimentRemoveVad, MmsExperimentMapFrame,
  // Threads and synchronisation (ke/).
  NtCreateThreadEx, NtTerminateThread, NtSuspendThread, NtResumeThread, NtQueryInformationThread, NtSetInformationThread, NtYieldExecution, MmsRegisterThreadStart,
  NtCreateEvent, NtOpenEvent, NtSetEvent, NtResetEvent, NtPulseEvent, NtCreateMutant, NtOpenMutant, NtReleaseMutant,
  NtCreateSemaphore, NtOpenSemaphore, NtReleaseSemaphore, NtWaitForSingleObject, NtWaitForMultipleObjects,
];

const BY_NUMBER = new Map(NT_SERVICES.map((s) => [s.number, s]));
// Two rows with one number would leave one service unreachable without a word.
if (BY_NUMBER.size !== NT_SERVICES.length) {
  const numbers = NT_SERVICES.map((s) => s.number);
  throw new Error(`NT service table: numbers used twice: ${[...new Set(numbers.filter((n, i) => numbers.indexOf(n) !== i))].map((n) => `0x${n.toString(16)}`).join(', ')}`);
}

/** The service with this number, or undefined (the caller answers STATUS_INVALID_SYSTEM_SERVICE). */
export function findNtService(number: number): NtService | undefined {
  return BY_NUMBER.get(number);
}

/**
 * Copies the service's arguments from `argsPointer` into `args` (argCount
 * values; the caller owns and reuses the array) and runs it. A bad pointer,
 * to the arguments or anywhere the handler looks, is STATUS_ACCESS_VIOLATION
 * (STATUS_IN_PAGE_ERROR for a page the page file could not give back).
 */
export function callNtService(context: NtServiceContext, service: NtService, argsPointer: number, args: number[]): NtStatus {
  try {
    context.process.memory.readU32s(argsPointer, service.argCount, args);
    return service.handler(context, args) >>> 0;
  } catch (error) {
    if (error instanceof UserAccessViolation) return error.status;
    throw error;
  }
}
