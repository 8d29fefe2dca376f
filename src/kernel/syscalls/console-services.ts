// Console output through NtWriteFile on the standard handles (file-services
// dispatches NtWriteFile here for them). The handle
// values are the console pseudo-handles Windows XP hands out (3, 7, 11).
import { STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER, STATUS_SUCCESS } from '../../nt/status.js';
import type { ConsoleStream, Process } from '../process.js';
import type { NtStatus } from '../../nt/status.js';
import { writeIoStatus } from './user-structures.js';

export const STD_INPUT_CONSOLE_HANDLE = 3;
export const STD_OUTPUT_CONSOLE_HANDLE = 7;
export const STD_ERROR_CONSOLE_HANDLE = 11;

const CONSOLE_STREAMS = new Map<number, ConsoleStream>([
  [STD_OUTPUT_CONSOLE_HANDLE, 'stdout'],
  [STD_ERROR_CONSOLE_HANDLE, 'stderr'],
]);

/** Largest single write accepted (Windows caps console writes too). */
const MAX_CONSOLE_WRITE = 1 << 20;

export const isConsoleHandle = (handle: number): boolean => handle === STD_INPUT_CONSOLE_HANDLE || CONSOLE_STREAMS.has(handle);

/** NtWriteFile on a console handle. */
export function writeConsoleService(process: Process, [handle, event, apcRoutine, , ioStatusBlock, buffer, length]: readonly number[]): NtStatus {
  const stream = CONSOLE_STREAMS.get(handle!);
  if (!stream || event !== 0) return STATUS_INVALID_HANDLE;
  if (apcRoutine !== 0 || length! > MAX_CONSOLE_WRITE) return STATUS_INVALID_PARAMETER;
  const bytes = process.memory.read(buffer!, length!);
  writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, length!);
  process.writeConsole(stream, bytes);
  return STATUS_SUCCESS;
}
