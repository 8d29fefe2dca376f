// CPU exception vectors → the NTSTATUS Windows raises for them in user mode.
import {
  STATUS_ACCESS_VIOLATION, STATUS_BREAKPOINT, STATUS_FLOAT_DIVIDE_BY_ZERO, STATUS_ILLEGAL_INSTRUCTION,
  STATUS_INTEGER_DIVIDE_BY_ZERO, STATUS_INTEGER_OVERFLOW, STATUS_PRIVILEGED_INSTRUCTION, STATUS_SINGLE_STEP,
  type NtStatus,
} from '../nt/status.js';

export const VECTOR_INVALID_OPCODE = 6;
export const VECTOR_PAGE_FAULT = 14;
export const VECTOR_GENERAL_PROTECTION = 13;
/** Windows 2000-style system-service interrupt. */
export const VECTOR_NT_SYSTEM_SERVICE = 0x2e;
export const VECTOR_LINUX_SYSCALL = 0x80;

const STATUS_ARRAY_BOUNDS_EXCEEDED = 0xc000008c;

const VECTOR_STATUS = new Map<number, NtStatus>([
  [0, STATUS_INTEGER_DIVIDE_BY_ZERO],
  [1, STATUS_SINGLE_STEP],
  [3, STATUS_BREAKPOINT],
  [4, STATUS_INTEGER_OVERFLOW],
  [5, STATUS_ARRAY_BOUNDS_EXCEEDED],
  [6, STATUS_ILLEGAL_INSTRUCTION],
  [16, STATUS_FLOAT_DIVIDE_BY_ZERO],
]);

/** Instructions whose #GP in ring 3 Windows reports as STATUS_PRIVILEGED_INSTRUCTION. */
const PRIVILEGED = /^(hlt|cli|sti|in|out|ins[bwd]?|outs[bwd]?|lgdt|lidt|lldt|ltr|lmsw|clts|invd|wbinvd|invlpg|rdmsr|wrmsr|mov\s+(cr|dr)\d)/;

/**
 * The status for `vector` (never a page fault). `instruction` is the decoded
 * faulting instruction for #GP. Software `int n` to a gate user mode may not
 * use is a #GP on Windows, so it is an access violation here too.
 */
export function statusForVector(vector: number, instruction: string | undefined): NtStatus {
  if (vector === VECTOR_GENERAL_PROTECTION && instruction && PRIVILEGED.test(instruction)) return STATUS_PRIVILEGED_INSTRUCTION;
  return VECTOR_STATUS.get(vector) ?? STATUS_ACCESS_VIOLATION;
}
