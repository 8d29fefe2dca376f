// Experiments that damage the memory manager's state on purpose, to watch what
// it does next (mmscope run --allow-experiments). The services in
// kernel/syscalls/debug-services.ts check the permission and call these.
//
// What the memory manager does next with a frame mapped where no VAD is
// follows ReactOS ARM3 (ntoskrnl/mm/ARM3/virtual.c, procsup.c); nothing here
// special-cases the stray page, the ordinary paths meet it:
// - NtAllocateVirtualMemory(MEM_RESERVE) over it only inserts a VAD; PTEs
//   are not touched, so the page stays valid (and readable) inside a
//   reservation, and NtQueryVirtualMemory, which looks at the PTE first,
//   reports it committed. The VAD's CommitCharge is 0: the checker says so.
// - MEM_RESERVE|MEM_COMMIT in one call makes a MemCommit VAD and also leaves
//   the PTEs alone: the first touch finds the valid PTE, so the "fresh"
//   memory holds the old page's data — the frame is silently reused.
// - MEM_COMMIT inside a reservation: MiCalculatePageCommitment counts a
//   non-zero PTE as already committed and the commit loop writes only zero
//   PTEs, so the page keeps its frame and commit is charged one page short.
// - NtFreeVirtualMemory on it: no VAD, STATUS_MEMORY_NOT_ALLOCATED; the page stays.
//   Once a VAD covers it, MEM_RELEASE (MiDeleteVirtualAddresses → MiDeletePte)
//   finds the PFN's PteAddress pointing at this PTE and frees the frame with
//   no bug check (the 0x401 check there is for a PFN that points elsewhere).
// - Process exit deletes the VADs and then the page tables
//   (MmDeleteProcessAddressSpace asserts no PTE is still in use; a free build
//   goes on): the stray frame is leaked, and the invariant checker reports
//   "frames active with no VAD".
import type { AddressSpace } from './address-space.js';
import { BugCheck, MEMORY_MANAGEMENT, MM_PTE_CORRUPTED } from './bugcheck.js';
import { MM_SYSTEM_RANGE_START, hex32, pteAddressOf, type Pfn } from './layout.js';
import { KernelPanic } from './panic.js';
import { MM_READWRITE } from './protection.js';
import { makeValidUserPte, type PteValue } from './pte.js';
import {
  STATUS_CONFLICTING_ADDRESSES, STATUS_INVALID_PARAMETER, STATUS_NO_MEMORY, STATUS_SUCCESS, type NtStatus,
} from '../nt/status.js';

export type MapFrameResult = { status: typeof STATUS_SUCCESS; pfn: Pfn; pte: PteValue } | { status: NtStatus; pfn?: undefined; pte?: undefined };

/**
 * MmsExperimentMapFrame: attach a zeroed frame to the user page of `address`
 * with a valid read-write PTE, written through the checked PTE writer (the
 * page table is created if missing), with no VAD and no commit charge, as a
 * driver writing the PTE by hand would. The PFN entry is what
 * MiInitializePfn leaves: active, share count 1, PteAddress this PTE.
 *
 * Errors: kernel space (0x80000000 and up) STATUS_INVALID_PARAMETER; a page a
 * VAD covers STATUS_CONFLICTING_ADDRESSES; no free frame STATUS_NO_MEMORY.
 * A page no VAD covers but that is already valid (mapped by an earlier
 * call) fails the writer's check, as MI_WRITE_VALID_PTE asserts the PTE is
 * not valid (ReactOS ARM3 miarm.h): a MEMORY_MANAGEMENT bug check.
 */
export function mapStrayFrame(space: AddressSpace, address: number): MapFrameResult {
  if (address >>> 0 >= MM_SYSTEM_RANGE_START) return { status: STATUS_INVALID_PARAMETER };
  if (space.findVad(address)) return { status: STATUS_CONFLICTING_ADDRESSES };
  const tables = space.pageTables;
  if (!tables.ensureTable(address)) return { status: STATUS_NO_MEMORY };
  const pfn = space.frames.allocateZeroedFrame(pteAddressOf(address));
  if (pfn === undefined) return { status: STATUS_NO_MEMORY };
  const pte = makeValidUserPte(pfn, MM_READWRITE);
  try {
    tables.writeValidPte(address, pte);
  } catch (error) {
    if (!(error instanceof KernelPanic)) throw error;
    space.frames.releaseFrame(pfn);
    const old = tables.readPte(address);
    throw new BugCheck(MEMORY_MANAGEMENT, [MM_PTE_CORRUPTED, pteAddressOf(address), old, 0],
      ['a page table entry has been corrupted', 'the address of the PTE', 'the PTE (low 32 bits)', 'the PTE (high 32 bits)'],
      `a valid PTE was about to be written over the valid PTE of ${hex32(address)}, which names PFN ${(old >>> 12).toString(16)} and belongs to no VAD`);
  }
  space.frames.setProtection(pfn, MM_READWRITE);
  space.damagedByExperiment = true;
  return { status: STATUS_SUCCESS, pfn, pte };
}
