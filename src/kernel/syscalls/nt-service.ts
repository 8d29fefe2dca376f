// The shape of an NT system service and what its handler may use.
import type { NtStatus } from '../../nt/status.js';
import type { Process } from '../process.js';

export interface NtServiceContext {
  process: Process;
}

export interface NtService {
  /** Service number in EAX (the numbers of Windows XP SP3 where Windows has the service). */
  number: number;
  name: string;
  argCount: number;
  handler(context: NtServiceContext, args: readonly number[]): NtStatus;
}

export const NtCurrentProcess = 0xffffffff;
