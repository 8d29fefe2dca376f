// The NT service table, indexed by the number in EAX. Data, not code:
// adding a service is adding a row. Arguments are fetched through EDX from
// the user stack before the handler runs; a bad pointer anywhere becomes
// STATUS_ACCESS_VIOLATION.
import { STATUS_ACCESS_VIOLATION, STATUS_INVALID_SYSTEM_SERVICE, type NtStatus } from '../../nt/status.js';
import { UserAccessViolation } from '../../mm/user-memory.js';
import type { NtService, NtServiceContext } from './nt-service.js';
import { NtTerminateProcess } from './process-services.js';
import {
  NtCreateFile, NtOpenFile, NtQueryInformationFile, NtReadFile, NtSetInformationFile, NtWriteFile,
} from './file-services.js';
import { NtClose } from './object-services.js';
import { NtDelayExecution } from './time-services.js';
import {
  NtCreateSection, NtFlushVirtualMemory, NtMapViewOfSection, NtOpenSection, NtUnmapViewOfSection,
} from './section-services.js';
import { NtAllocateVirtualMemory, NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory } from './memory-services.js';
import { MmsRegisterExceptionDispatcher, NtContinue, NtRaiseException } from './exception-services.js';
import { MmsDumpPte, MmsDumpVad, MmsExperimentMapFrame, MmsExperimentRemoveVad } from './debug-services.js';

export const NT_SERVICES: readonly NtService[] = [
  NtAllocateVirtualMemory, NtContinue, NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory,
  NtRaiseException, NtTerminateProcess, NtWriteFile, NtClose, NtCreateFile, NtOpenFile, NtReadFile,
  NtQueryInformationFile, NtSetInformationFile, NtCreateSection, NtOpenSection, NtMapViewOfSection,
  NtUnmapViewOfSection, NtFlushVirtualMemory, NtDelayExecution,
  MmsDumpVad, MmsDumpPte, MmsRegisterExceptionDispatcher, MmsExperimentRemoveVad, MmsExperimentMapFrame,
];

const BY_NUMBER = new Map(NT_SERVICES.map((s) => [s.number, s]));

export interface NtServiceCall {
  service: NtService | undefined;
  args: number[];
  status: NtStatus;
}

export function dispatchNtService(context: NtServiceContext, number: number, argsPointer: number): NtServiceCall {
  const service = BY_NUMBER.get(number);
  if (!service) return { service, args: [], status: STATUS_INVALID_SYSTEM_SERVICE };
  let args: number[] = [];
  try {
    const raw = context.process.memory.read(argsPointer, service.argCount * 4);
    const view = new DataView(raw.buffer);
    args = Array.from({ length: service.argCount }, (_, i) => view.getUint32(i * 4, true));
    return { service, args, status: service.handler(context, args) >>> 0 };
  } catch (error) {
    if (error instanceof UserAccessViolation) return { service, args, status: STATUS_ACCESS_VIOLATION };
    throw error;
  }
}
