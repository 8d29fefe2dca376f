// A Linux i386 personality on `int 0x80` (EAX number, EBX/ECX/EDX args,
// result or -errno in EAX): exit, exit_group, write to fds 1 and 2 and
// getpid, so a static -nostdlib program runs here and under qemu-i386 alike.
// Dispatch allocates nothing: the trap layer passes its own argument array
// and asks for names only when it traces.
import { UserAccessViolation } from '../../mm/user-memory.js';
import type { Process } from '../process.js';
import { PROCESS_ID } from '../process-environment.js';

const ENOSYS = 38, EBADF = 9, EFAULT = 14;

interface LinuxSyscall {
  name: string;
  argCount: number;
  handler(process: Process, args: readonly number[]): number;
}

const SYSCALLS = new Map<number, LinuxSyscall>([
  [1, { name: 'exit', argCount: 1, handler: (p, [status]) => { p.terminate(status! & 0xff); return 0; } }],
  [252, { name: 'exit_group', argCount: 1, handler: (p, [status]) => { p.terminate(status! & 0xff); return 0; } }],
  [4, { name: 'write', argCount: 3, handler: linuxWrite }],
  [20, { name: 'getpid', argCount: 0, handler: () => PROCESS_ID }],
]);

function linuxWrite(process: Process, [fd, buffer, count]: readonly number[]): number {
  const stream = fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : undefined;
  if (!stream) return -EBADF;
  if (count === 0) return 0;
  process.writeConsole(stream, process.memory.read(buffer!, count!));
  return count!;
}

/**
 * Runs system call `number` with `registers` = [EBX, ECX, EDX]; returns the
 * value for EAX (a result or -errno: -ENOSYS for unknown numbers, -EFAULT for
 * bad pointers, as Linux).
 */
export function dispatchLinuxSyscall(process: Process, number: number, registers: readonly number[]): number {
  const syscall = SYSCALLS.get(number);
  if (!syscall) return -ENOSYS;
  try {
    return syscall.handler(process, registers);
  } catch (error) {
    if (error instanceof UserAccessViolation) return -EFAULT;
    throw error;
  }
}

/** How a traced call is shown: its name and the arguments it takes. */
export function describeLinuxSyscall(number: number, registers: readonly number[]): { name: string; args: number[] } {
  const syscall = SYSCALLS.get(number);
  return syscall ? { name: syscall.name, args: registers.slice(0, syscall.argCount) } : { name: `syscall_${number}`, args: [] };
}
