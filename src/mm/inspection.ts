// Reading and writing guest memory the way a debugger must: through the
// page tables without touching them. A byte on a page whose PTE is not
// valid is unknown (undefined: WinDbg prints `??`); nothing is faulted in,
// no Accessed or Dirty bit is set, no guard page moves, no commit is charged.
// The debugger is a user-mode one (cdb, gdb attached to a process): it sees
// what the process's own code could reach, never kernel space, whose pages
// (the GDT, the page tables, KUSER_SHARED_DATA's kernel view) a user-mode
// ReadProcessMemory cannot read either (STATUS_PARTIAL_COPY, WinDbg's `??`).
import type { AddressSpace } from './address-space.js';
import { isSharedUserDataPage } from './fixed-regions.js';
import { MM_SYSTEM_RANGE_START, PAGE_MASK, PAGE_SIZE } from './layout.js';
import { isOwnerPte, isValidPte, pfnOfPte, type PteValue } from './pte.js';

/** A PTE user mode can reach through: below the system range, valid and user-owned. */
const userReachable = (address: number, pte: PteValue): boolean =>
  address >>> 0 < MM_SYSTEM_RANGE_START && isValidPte(pte) && isOwnerPte(pte);

/** The bytes at [address, address + length), undefined where the page is not valid. */
export function readWithoutSideEffects(space: AddressSpace, address: number, length: number): (number | undefined)[] {
  const out: (number | undefined)[] = new Array(length);
  for (let i = 0; i < length;) {
    const at = (address + i) >>> 0;
    const run = Math.min(length - i, PAGE_SIZE - (at & PAGE_MASK));
    const pte = space.pageTables.readPte(at);
    const base = userReachable(at, pte) ? pfnOfPte(pte) * PAGE_SIZE + (at & PAGE_MASK) : -1;
    for (let j = 0; j < run; j++) out[i + j] = base < 0 ? undefined : space.memory.bytes[base + j];
    i += run;
  }
  return out;
}

/**
 * Writes `bytes` at `address` into the frames behind valid user PTEs,
 * stopping at the first page that is not valid, whose frame a section shares
 * (writing there would change every view and the file) or that is
 * KUSER_SHARED_DATA (the kernel's page: WriteProcessMemory cannot make it
 * writable); returns the bytes written.
 * The PTE is left as it is (no Dirty bit): the debugger, not the program, wrote.
 */
export function writeWithoutSideEffects(space: AddressSpace, address: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const at = (address + i) >>> 0;
    const pte = space.pageTables.readPte(at);
    if (!userReachable(at, pte) || isSharedUserDataPage(at) || space.frames.isPrototype(pfnOfPte(pte))) return i;
    space.memory.bytes[pfnOfPte(pte) * PAGE_SIZE + (at & PAGE_MASK)] = bytes[i]!;
  }
  return bytes.length;
}
