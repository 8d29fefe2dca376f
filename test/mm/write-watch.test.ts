// The write-watch bitmap without a CPU: the MMU's Dirty bit is set by hand,
// as the hardware would on a write, and a pager's trim is an invalidatePte.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { MM_READWRITE, PAGE_READWRITE } from '../../src/mm/protection.js';
import { PTE_DIRTY, makeTransitionPte, pfnOfPte } from '../../src/mm/pte.js';
import { MEM_COMMIT, MEM_RESERVE, MEM_WRITE_WATCH, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { WRITE_WATCH_FLAG_RESET, getWriteWatch } from '../../src/mm/write-watch.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

function watchedPage() {
  const { space } = createAddressSpace();
  const result = allocateVirtualMemory(space, { base: 0, size: 0x4000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, protect: PAGE_READWRITE });
  const base = result.region!.base;
  expect(resolvePageFault(space, { address: base + 0x1000, write: true, user: true })).toMatchObject({ kind: 'resolved' });
  const pte = space.pageTables.readPte(base + 0x1000);
  space.pageTables.updateValidPte(base + 0x1000, (pte | PTE_DIRTY) >>> 0); // what the MMU does on the write
  return { space, base, pfn: pfnOfPte(pte) };
}

const written = (space: ReturnType<typeof createAddressSpace>['space'], base: number, flags = 0) =>
  getWriteWatch(space, { flags, base, size: 0x4000, capacity: 16 }).addresses;

describe('write watch', () => {
  it('a page written, trimmed (its PTE invalidated by a pager) and read again still counts as written', () => {
    const { space, base, pfn } = watchedPage();
    space.pageTables.invalidatePte(base + 0x1000, makeTransitionPte(pfn, MM_READWRITE)); // a trim
    expect(written(space, base)).toEqual([base + 0x1000]);
    expect(resolvePageFault(space, { address: base + 0x1000, write: false, user: true })).toMatchObject({ kind: 'resolved', how: 'transition' });
    expect(written(space, base)).toEqual([base + 0x1000]);
    checkAddressSpaceInvariants(space);
  });

  it('a reset moves the Dirty bit to the frame\'s Modified bit, so the page is not taken for clean', () => {
    const { space, base, pfn } = watchedPage();
    // A demand-zero page starts Modified (nothing holds a copy); clear it as the modified page writer would after writing it out.
    space.frames.setModified(pfn, false);
    expect(written(space, base, WRITE_WATCH_FLAG_RESET)).toEqual([base + 0x1000]);
    expect(space.pageTables.readPte(base + 0x1000) & PTE_DIRTY).toBe(0);
    expect(space.frames.isModified(pfn)).toBe(true);
    expect(written(space, base)).toEqual([]);
    checkAddressSpaceInvariants(space);
  });
});
