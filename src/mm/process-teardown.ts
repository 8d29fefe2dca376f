// Deleting a process's address space when the process ends (WRK
// MmCleanProcessAddressSpace, then MmDeleteProcessAddressSpace): every VAD
// goes — private memory is freed, views are unmapped, so a section another
// process still maps or holds a handle to lives on — then KUSER_SHARED_DATA's
// user mapping, the user page tables and the directory. Commit charged to the
// process comes back; system-wide state (control areas still referenced,
// frames other processes share) stays.
import type { AddressSpace } from './address-space.js';
import { MM_SHARED_USER_DATA_VA } from './layout.js';
import { KernelPanic } from './panic.js';
import { isValidPte } from './pte.js';
import { unmapViewOfSection } from './section-view.js';
import { releaseVad } from './virtual-memory.js';

/** Frees everything `space` holds and removes it from the system; it must not be used afterwards. */
export function deleteAddressSpace(space: AddressSpace): void {
  for (const vad of [...space.vads.inOrder()]) {
    if (vad.view) unmapViewOfSection(space, vad.startAddress);
    else releaseVad(space, vad);
  }
  if (isValidPte(space.pageTables.readPte(MM_SHARED_USER_DATA_VA))) space.pageTables.invalidatePte(MM_SHARED_USER_DATA_VA, 0);
  if (space.commitCharge !== 0) throw new KernelPanic(`process teardown left ${space.commitCharge} pages of commit charged`);
  space.pageTables.deleteProcessTables();
  space.system.spaces.delete(space);
}
