// The initial thread's stack, created the way Windows creates one: a
// reservation (1 MiB unless the ELF's PT_GNU_STACK or an option says
// otherwise), its top pages committed, and a PAGE_GUARD page below them
// that the fault handler moves down as the stack grows (see
// mm/stack-growth.ts). At the top sits the i386 System V start-up block
// (argc, argv[], NULL, envp NULL, auxv AT_NULL) so the same static program
// starts here and under qemu-i386.
import type { AddressSpace } from '../mm/address-space.js';
import { ALLOCATION_GRANULARITY, PAGE_SIZE } from '../mm/layout.js';
import { MM_READWRITE, PAGE_GUARD, PAGE_READWRITE } from '../mm/protection.js';
import type { UserMemory } from '../mm/user-memory.js';
import type { Vad } from '../mm/vad.js';
import { MEM_COMMIT, allocateVirtualMemory, releaseVad } from '../mm/virtual-memory.js';
import { STATUS_NO_MEMORY, STATUS_SUCCESS, type NtStatus } from '../nt/status.js';

export const DEFAULT_STACK_RESERVE = 1024 * 1024;
/** Committed pages, the guard page, and the bottom page that always stays reserved. */
const MINIMUM_STACK_RESERVE = ALLOCATION_GRANULARITY;

export interface UserStack {
  vad: Vad;
  initialEsp: number;
  /** TEB.StackBase: one past the top of the stack. */
  stackBase: number;
  /** TEB.StackLimit: the lowest committed page that is not the guard page. */
  stackLimit: number;
}

/** Rounds a requested reservation the way RtlCreateUserStack does (to 64 KiB). */
export function stackReserveBytes(requested: number): number {
  const rounded = Math.ceil(requested / ALLOCATION_GRANULARITY) * ALLOCATION_GRANULARITY;
  return Math.max(MINIMUM_STACK_RESERVE, rounded);
}

/** `commitBytes`: what to commit at the top at least (a PE's SizeOfStackCommit); the start-up block is always committed. */
export function createUserStack(space: AddressSpace, memory: UserMemory, argv: readonly string[], reserveBytes: number, commitBytes = 0): UserStack | NtStatus {
  const pages = stackReserveBytes(reserveBytes) / PAGE_SIZE;
  // The block's size is the same under any page-aligned top: measure it first, then build it where it goes.
  const blockBytes = buildStartupBlock(0, argv).bytes.length;
  const stack = reserveStack(space, pages, Math.max(Math.ceil(blockBytes / PAGE_SIZE), Math.ceil(commitBytes / PAGE_SIZE)));
  if (typeof stack === 'number') return stack;
  const { bytes, initialEsp } = buildStartupBlock(stack.stackBase, argv);
  memory.write(initialEsp, bytes);
  space.userStack = stack.vad;
  return { ...stack, initialEsp };
}

/**
 * A new thread's stack, as RtlCreateUserStack makes one: `reserveBytes`
 * reserved (rounded to 64 KiB), the top `commitBytes` (at least a page)
 * committed, the guard page below them. ESP starts at StackBase.
 */
export function createThreadStack(space: AddressSpace, reserveBytes: number, commitBytes: number): UserStack | NtStatus {
  const pages = stackReserveBytes(reserveBytes) / PAGE_SIZE;
  const stack = reserveStack(space, pages, Math.max(1, Math.ceil(commitBytes / PAGE_SIZE)));
  if (typeof stack === 'number') return stack;
  return { ...stack, initialEsp: stack.stackBase };
}

/** Reserves `pages` (bottom-up, 64 KiB aligned), commits the top `committedPages` and the guard page below them. */
function reserveStack(space: AddressSpace, pages: number, committedPages: number): Omit<UserStack, 'initialEsp'> | NtStatus {
  if (committedPages + 2 > pages) return STATUS_NO_MEMORY;
  const start = space.findEmptyAddressRange(pages);
  if (start === undefined) return STATUS_NO_MEMORY;
  const vad = space.createVad({ startingVpn: start, endingVpn: start + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: false });
  if (typeof vad === 'number') return vad;
  const stackLimit = vad.endAddress - committedPages * PAGE_SIZE;
  for (const [base, size, protect] of [[stackLimit, committedPages * PAGE_SIZE, PAGE_READWRITE], [stackLimit - PAGE_SIZE, PAGE_SIZE, PAGE_READWRITE | PAGE_GUARD]] as const) {
    const result = allocateVirtualMemory(space, { base, size, zeroBits: 0, allocationType: MEM_COMMIT, protect });
    if (result.status !== STATUS_SUCCESS) {
      releaseVad(space, vad);
      return result.status;
    }
  }
  return { vad, stackBase: vad.endAddress, stackLimit };
}

/** The block from the initial ESP up to `top`: pointers first, then the strings. */
function buildStartupBlock(top: number, argv: readonly string[]): { bytes: Uint8Array; initialEsp: number } {
  const strings = argv.map((arg) => Buffer.from(arg + '\0', 'utf8'));
  const stringBytes = strings.reduce((n, s) => n + s.length, 0);
  const stringsStart = (top - stringBytes) & ~3;
  const words = 1 + argv.length + 1 + 1 + 2; // argc, argv[], NULL, envp NULL, AT_NULL pair
  const initialEsp = (stringsStart - words * 4) & ~15;
  const bytes = new Uint8Array(top - initialEsp);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, argv.length, true);
  let cursor = stringsStart;
  strings.forEach((s, i) => {
    view.setUint32(4 + i * 4, cursor >>> 0, true);
    bytes.set(s, cursor - initialEsp);
    cursor += s.length;
  });
  return { bytes, initialEsp: initialEsp >>> 0 };
}
