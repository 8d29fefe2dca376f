// SystemMemory.ownerOfPrivateFrame without a CPU: two processes with private
// pages at one virtual address (so at one self-map PTE address), each frame
// owned by the process whose PTE names it, valid or in transition.
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/mm/address-space.js';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { PageTables } from '../../src/mm/page-tables.js';
import { pfnOfPte } from '../../src/mm/pte.js';
import { trimPage } from '../../src/mm/working-set-manager.js';
import { RecordingHardware, createAddressSpace } from '../helpers/memory-manager.js';

/** The self-map puts the PTE of `address` at 0xC0000000 + (address >> 12) * 4 (Windows Internals 7th ed., ch. 5, x86 non-PAE). */
const pteAddressOf = (address: number) => 0xc0000000 + (address >>> 12) * 4;
const ADDRESS = 0x100000;

function twoProcessesWithPrivatePages(touchSecond: boolean) {
  const { space: first } = createAddressSpace(256, 256);
  const tables = new PageTables(first.frames, first.memory, new RecordingHardware(), first.pageTables);
  const second = new AddressSpace(tables, first.frames, first.memory, first.commit, first.pagedPool, first.system);
  for (const space of [first, second]) {
    space.createVad({ startingVpn: ADDRESS >>> 12, endingVpn: (ADDRESS >>> 12) + 3, protection: MM_READWRITE, privateMemory: true, memCommit: true });
  }
  expect(resolvePageFault(first, { address: ADDRESS, write: true, user: true })).toMatchObject({ kind: 'resolved' });
  if (touchSecond) expect(resolvePageFault(second, { address: ADDRESS, write: true, user: true })).toMatchObject({ kind: 'resolved' });
  return { first, second };
}

describe('the owner of a private frame', () => {
  it('is the process whose valid PTE at that self-map address names the frame', () => {
    const { first, second } = twoProcessesWithPrivatePages(true);
    const firstPfn = pfnOfPte(first.pageTables.readPte(ADDRESS));
    const secondPfn = pfnOfPte(second.pageTables.readPte(ADDRESS));
    expect(firstPfn).not.toBe(secondPfn);
    expect(first.system.ownerOfPrivateFrame(firstPfn, pteAddressOf(ADDRESS))).toBe(first);
    expect(first.system.ownerOfPrivateFrame(secondPfn, pteAddressOf(ADDRESS))).toBe(second);
    // The same frame at another address's PTE: nobody's.
    expect(first.system.ownerOfPrivateFrame(secondPfn, pteAddressOf(ADDRESS + 0x1000))).toBeUndefined();
  });

  it('is still found when the page was trimmed (a transition PTE names the frame)', () => {
    const { first, second } = twoProcessesWithPrivatePages(true);
    const secondPfn = pfnOfPte(second.pageTables.readPte(ADDRESS));
    trimPage(second, ADDRESS >>> 12);
    expect(second.pageTables.readPte(ADDRESS) & 1).toBe(0); // no longer valid
    expect(first.system.ownerOfPrivateFrame(secondPfn, pteAddressOf(ADDRESS))).toBe(second);
  });

  it('is nobody for a PTE that names no frame, whatever its frame-number bits read', () => {
    // The second process's page is committed by its VAD but never touched: its
    // PTE is zero (the VAD's protection applies; Windows Internals 7th ed., ch. 5,
    // "Page fault handling"), so its frame-number bits read 0.
    const { first, second } = twoProcessesWithPrivatePages(false);
    expect(second.pageTables.readPte(ADDRESS)).toBe(0);
    expect(pfnOfPte(first.pageTables.readPte(ADDRESS))).not.toBe(0);
    expect(first.system.ownerOfPrivateFrame(0, pteAddressOf(ADDRESS))).toBeUndefined();
  });
});
