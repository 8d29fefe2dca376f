// The initial thread's stack: a private committed VAD, and at its top the
// i386 System V start-up block (argc, argv[], NULL, envp NULL, auxv AT_NULL)
// so the same static program starts here and under qemu-i386.
import type { AddressSpace } from '../mm/address-space.js';
import { ALLOCATION_GRANULARITY, MM_HIGHEST_USER_ADDRESS, MM_LOWEST_USER_ADDRESS, PAGE_SIZE, vpnOf } from '../mm/layout.js';
import { MM_READWRITE } from '../mm/protection.js';
import type { UserMemory } from '../mm/user-memory.js';
import type { Vad } from '../mm/vad.js';
import { STATUS_NO_MEMORY, type NtStatus } from '../nt/status.js';

export const DEFAULT_STACK_RESERVE = 1024 * 1024;

export interface UserStack { vad: Vad; initialEsp: number }

export function createUserStack(space: AddressSpace, memory: UserMemory, argv: readonly string[], reserveBytes: number): UserStack | NtStatus {
  const pages = Math.ceil(reserveBytes / PAGE_SIZE);
  const start = space.vads.findEmptyRangeBottomUp(pages, ALLOCATION_GRANULARITY / PAGE_SIZE, vpnOf(MM_LOWEST_USER_ADDRESS), vpnOf(MM_HIGHEST_USER_ADDRESS));
  if (start === undefined) return STATUS_NO_MEMORY;
  const vad = space.createVad({ startingVpn: start, endingVpn: start + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: true });
  if (typeof vad === 'number') return vad;
  const { bytes, initialEsp } = buildStartupBlock(vad.endAddress, argv);
  memory.write(initialEsp, bytes);
  return { vad, initialEsp };
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
