// What the system services need from the machine's process list: creating a
// process from a program file, finding one by id, ending one.
import type { NtStatus } from '../../nt/status.js';
import type { KThread } from '../ke/thread.js';
import type { Process } from '../process.js';

/** NtCreateUserProcess's request, decoded from RTL_USER_PROCESS_PARAMETERS and the thread flags. */
export interface ProcessCreateRequest {
  /** ImagePathName: a guest path, resolved in the --root sandbox. */
  imagePath: string;
  /** CommandLine, split into the child's argv by CommandLineToArgvW's rules. */
  commandLine: string;
  /** THREAD_CREATE_FLAGS_CREATE_SUSPENDED: the initial thread starts with a suspend count of 1. */
  suspended: boolean;
}

export interface CreatedProcess {
  process: Process;
  /** Its initial thread, in the scheduler (suspended when the request said so). */
  thread: KThread;
}

export interface ProcessManager {
  /**
   * Creates a process running the program at `request.imagePath` on behalf
   * of `parent`; returns the NTSTATUS CreateProcess would fail with
   * (STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND,
   * STATUS_INVALID_IMAGE_FORMAT, STATUS_COMMITMENT_LIMIT…).
   */
  createProcess(parent: Process, request: ProcessCreateRequest): CreatedProcess | NtStatus;
  /** The process with this UniqueProcessId whose object still exists (NtOpenProcess), if any. */
  findById(id: number): Process | undefined;
  /**
   * Ends `target` with `status` (NtTerminateProcess): its handles are closed
   * and its address space deleted; objects others hold live on. Ending the
   * calling process stops the CPU after the service returns.
   */
  terminateProcess(target: Process, status: number): void;
}
