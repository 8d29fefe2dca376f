// The object manager's services: handles to kernel objects (NtClose) and
// handing a new handle back to the caller.
import { STATUS_INSUFFICIENT_RESOURCES, STATUS_INVALID_HANDLE, STATUS_SUCCESS, type NtStatus } from '../../nt/status.js';
import type { KernelObject } from '../ob/handle-table.js';
import type { Process } from '../process.js';
import type { NtService } from './nt-service.js';

/**
 * Puts `object` (one reference, which the handle takes over) in the handle
 * table, granting `grantedAccess` (default: everything), and writes the handle to `out`.
 */
export function insertHandle(process: Process, object: KernelObject, out: number, grantedAccess?: number): NtStatus {
  const handle = process.handles.insert(object, grantedAccess);
  if (handle === undefined) {
    object.dereference();
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  process.memory.writeU32(out, handle);
  return STATUS_SUCCESS;
}

/** NtClose(Handle) */
export const NtClose: NtService = {
  number: 0x19,
  name: 'NtClose',
  argCount: 1,
  handler({ process }, [handle]) {
    return process.handles.close(handle!) ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
  },
};
