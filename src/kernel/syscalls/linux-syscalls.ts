// A Linux i386 personality on `int 0x80` (EAX number, EBX/ECX/EDX args,
// result or -errno in EAX): exit, exit_group and write to fds 1 and 2, so a
// static -nostdlib program runs here and under qemu-i386 alike.
import { UserAccessViolation } from '../../mm/user-memory.js';
import type { Process } from '../process.js';

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
]);

function linuxWrite(process: Process, [fd, buffer, count]: readonly number[]): number {
  const stream = fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : undefined;
  if (!stream) return -EBADF;
  if (count === 0) return 0;
  process.writeConsole(stream, process.memory.read(buffer!, count!));
  return count!;
}

export interface LinuxSyscallCall { name: string; args: number[]; result: number }

export function dispatchLinuxSyscall(process: Process, number: number, registers: readonly number[]): LinuxSyscallCall {
  const syscall = SYSCALLS.get(number);
  if (!syscall) return { name: `syscall_${number}`, args: [], result: -ENOSYS };
  const args = registers.slice(0, syscall.argCount);
  try {
    return { name: syscall.name, args, result: syscall.handler(process, args) };
  } catch (error) {
    if (error instanceof UserAccessViolation) return { name: syscall.name, args, result: -EFAULT };
    throw error;
  }
}
