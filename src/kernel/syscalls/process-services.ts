import { STATUS_INVALID_HANDLE, STATUS_SUCCESS } from '../../nt/status.js';
import { NtCurrentProcess, type NtService } from './nt-service.js';

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
