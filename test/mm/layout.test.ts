// The x86 user address-space layout, the self-map arithmetic, the fixed
// regions around KUSER_SHARED_DATA and the address space's own bookkeeping.
// Addresses are Windows x86 (2 GiB user, non-PAE) literals: Windows
// Internals 7th ed. ch. 5 ("x86 address space layouts", "x86 virtual address
// translation"); KUSER_SHARED_DATA at 0x7FFE0000 for user mode and
// 0xFFDF0000 for the kernel (ntddk.h KI_USER_SHARED_DATA); VirtualQuery's
// answers for the fixed regions as the layout table's comment records them.
import { describe, expect, it } from 'vitest';
import {
  addressOfVpn, fixedAllocations, hex32, isKernelAddress, isUserAddress, layoutRegionOf, pageBase, pdeAddressOf, pdeIndex,
  pteAddressOf, pteIndex, virtualAddressOfPte, vpnOf,
} from '../../src/mm/layout.js';
import { checkFixedRegions, isSharedUserDataPage, mapSharedUserDataIntoProcess, mapSharedUserDataPage } from '../../src/mm/fixed-regions.js';
import { queryVirtualMemory } from '../../src/mm/virtual-memory.js';
import { OutOfFramesError } from '../../src/mm/page-tables.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { Vad } from '../../src/mm/vad.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

describe('layout: the self-map and page arithmetic', () => {
  it.each([
    // address, VPN, PDE index, PTE index, PTE address, PDE address
    [0x00000000, 0x00000, 0x000, 0x000, 0xc0000000, 0xc0300000],
    [0x00401234, 0x00401, 0x001, 0x001, 0xc0001004, 0xc0300004],
    [0x7ffe0000, 0x7ffe0, 0x1ff, 0x3e0, 0xc01fff80, 0xc03007fc],
    [0x80000000, 0x80000, 0x200, 0x000, 0xc0200000, 0xc0300800],
    [0xc0300000, 0xc0300, 0x300, 0x300, 0xc0300c00, 0xc0300c00],
    [0xffdf0000, 0xffdf0, 0x3ff, 0x1f0, 0xc03ff7c0, 0xc0300ffc],
    [0xffffffff, 0xfffff, 0x3ff, 0x3ff, 0xc03ffffc, 0xc0300ffc],
  ])('%s', (address, vpn, pde, pte, pteAddress, pdeAddress) => {
    expect(vpnOf(address)).toBe(vpn);
    expect(pdeIndex(address)).toBe(pde);
    expect(pteIndex(address)).toBe(pte);
    expect(pteAddressOf(address)).toBe(pteAddress);
    expect(pdeAddressOf(address)).toBe(pdeAddress);
    expect(virtualAddressOfPte(pteAddress)).toBe(pageBase(address));
  });

  it('page bases and VPNs of the top of the 4 GiB space stay unsigned', () => {
    expect(pageBase(0xffffffff)).toBe(0xfffff000);
    expect(pageBase(0x00401fff)).toBe(0x00401000);
    expect(addressOfVpn(0xfffff)).toBe(0xfffff000);
    expect(addressOfVpn(0x80000)).toBe(0x80000000);
    expect(virtualAddressOfPte(0xc0200000)).toBe(0x80000000);
    expect(hex32(0x1000)).toBe('0x00001000');
    expect(hex32(-1)).toBe('0xffffffff');
  });

  it('user addresses are 0x10000..0x7FFEFFFF; kernel addresses 0x80000000 and up', () => {
    expect([0xffff, 0x10000, 0x7ffeffff, 0x7fff0000].map(isUserAddress)).toEqual([false, true, true, false]);
    expect([0x7fffffff, 0x80000000, 0xffffffff, -1].map(isKernelAddress)).toEqual([false, true, true, true]);
  });
});

describe('layout: the regions of user space', () => {
  it.each([
    [0x00000000, 'free'], [0x0000ffff, 'free'], [0x00010000, 'vads'], [0x7ffdffff, 'vads'],
    [0x7ffe0000, 'shared-user-data'], [0x7ffe0fff, 'shared-user-data'], [0x7ffe1000, 'reserved'], [0x7ffeffff, 'reserved'],
    [0x7fff0000, 'reserved'], [0x7fffffff, 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(layoutRegionOf(address)!.kind).toBe(kind);
  });

  it('nothing above user space; the fixed allocations are the shared page and the two reservations', () => {
    expect(layoutRegionOf(0x80000000)).toBeUndefined();
    expect(layoutRegionOf(-1)).toBeUndefined();
    expect(fixedAllocations().map((r) => [r.start, r.end, r.allocationBase, r.allocationProtect])).toEqual([
      [0x7ffe0000, 0x7ffe0fff, 0x7ffe0000, 0x02], // PAGE_READONLY
      [0x7ffe1000, 0x7ffeffff, 0x7ffe0000, 0x02],
      [0x7fff0000, 0x7fffffff, 0x7fff0000, 0x01], // PAGE_NOACCESS
    ]);
  });
});

describe('fixed regions: KUSER_SHARED_DATA', () => {
  it('one frame at 0xFFDF0000 (kernel, writable) and 0x7FFE0000 (user, read-only), in no working set', () => {
    const { space, hardware } = createAddressSpace();
    const pfn = mapSharedUserDataPage(space);
    // Kernel PTE: frame | Present | Write (0x3); user PTE: frame | Present | User (0x5).
    expect(space.pageTables.readPte(0xffdf0000)).toBe(((pfn << 12) | 0x3) >>> 0);
    expect(space.pageTables.readPte(0x7ffe0000)).toBe(((pfn << 12) | 0x5) >>> 0);
    expect(hardware.aliases.get(0x7ffe0000)).toBe(pfn);
    expect(hardware.aliases.get(0xffdf0000)).toBe(pfn);
    expect(space.workingSet.size).toBe(0);
    checkFixedRegions(space);
    // VirtualQuery: MEM_COMMIT, PAGE_READONLY, MEM_PRIVATE, one page; the rest of its 64 KiB MEM_RESERVE, PAGE_NOACCESS.
    expect(queryVirtualMemory(space, 0x7ffe0010)).toEqual({
      baseAddress: 0x7ffe0000, allocationBase: 0x7ffe0000, allocationProtect: 0x02, regionSize: 0x1000,
      state: 0x1000, protect: 0x02, type: 0x20000,
    });
    expect(queryVirtualMemory(space, 0x7ffe5000)).toEqual({
      baseAddress: 0x7ffe5000, allocationBase: 0x7ffe0000, allocationProtect: 0x02, regionSize: 0xb000,
      state: 0x2000, protect: 0x01, type: 0x20000,
    });
    expect(queryVirtualMemory(space, 0x7fff8123)).toEqual({
      baseAddress: 0x7fff8000, allocationBase: 0x7fff0000, allocationProtect: 0x01, regionSize: 0x8000,
      state: 0x2000, protect: 0x01, type: 0x20000,
    });
  });

  it('mapped into a second process from the same frame; no frame or table is OutOfFramesError', () => {
    const { space } = createAddressSpace();
    const pfn = mapSharedUserDataPage(space);
    const other = createAddressSpace();
    mapSharedUserDataIntoProcess(other.space, pfn);
    expect(other.space.pageTables.readPte(0x7ffe0000)).toBe(((pfn << 12) | 0x5) >>> 0);
    const tiny = createAddressSpace(1);
    expect(() => mapSharedUserDataPage(tiny.space)).toThrow(OutOfFramesError);
    const two = createAddressSpace(2);
    // The directory and the frame fit; the kernel table does not.
    expect(() => mapSharedUserDataPage(two.space)).toThrow(OutOfFramesError);
    // The kernel's table for 0xFFDF0000 already there, no frame left for the page itself.
    const full = createAddressSpace(2);
    expect(full.space.pageTables.ensureTable(0xffdf0000)).toBe(true);
    expect(() => mapSharedUserDataPage(full.space)).toThrow(OutOfFramesError);
    expect(full.space.pageTables.readPte(0xffdf0000)).toBe(0);
    const noTable = createAddressSpace(1);
    expect(() => mapSharedUserDataIntoProcess(noTable.space, 0)).toThrow(OutOfFramesError);
  });

  it('the page test: 0x7FFE0000..0x7FFE0FFF only', () => {
    expect([0x7ffdffff, 0x7ffe0000, 0x7ffe0fff, 0x7ffe1000].map(isSharedUserDataPage)).toEqual([false, true, true, false]);
  });

  it.each([
    ['a writable user PTE', (pfn: number) => ((pfn << 12) | 0x7) >>> 0],
    ['a supervisor PTE', (pfn: number) => ((pfn << 12) | 0x1) >>> 0],
    ['another frame', (pfn: number) => (((pfn + 1) << 12) | 0x5) >>> 0],
  ])('the checker notices %s at 0x7FFE0000', (_what, corrupt) => {
    const { space } = createAddressSpace();
    const pfn = mapSharedUserDataPage(space);
    space.pageTables.invalidatePte(0x7ffe0000, 0);
    space.pageTables.writeValidPte(0x7ffe0000, corrupt(pfn));
    expect(() => checkFixedRegions(space)).toThrow(`KUSER_SHARED_DATA at 0x7ffe0000 is not the kernel's page mapped read-only (PTE 0x${corrupt(pfn).toString(16).padStart(8, '0')})`);
  });

  it('the checker notices a kernel page gone, and a VAD over any fixed region', () => {
    const { space } = createAddressSpace();
    mapSharedUserDataPage(space);
    space.pageTables.invalidatePte(0xffdf0000, 0);
    expect(() => checkFixedRegions(space)).toThrow(/KUSER_SHARED_DATA at 0x7ffe0000 is not the kernel's page/);
    for (const [vpn, name] of [[0x7ffe0, 'KUSER_SHARED_DATA'], [0x7ffef, 'reserved after KUSER_SHARED_DATA'], [0x7ffff, 'no-access area below kernel space']] as const) {
      const fresh = createAddressSpace().space;
      // Inserted into the tree directly: createVad refuses these ranges.
      expect(fresh.createVad({ startingVpn: vpn, endingVpn: vpn, protection: MM_READWRITE, privateMemory: true, memCommit: false })).toBe(0xc0000018);
      fresh.vads.insert(new Vad({ startingVpn: vpn, endingVpn: vpn, protection: MM_READWRITE, privateMemory: true, memCommit: false }));
      expect(() => checkFixedRegions(fresh)).toThrow(`a VAD overlaps the fixed region ${name}`);
    }
    // The last page a VAD may have, just below the shared page: no complaint.
    const edge = createAddressSpace().space;
    expect(edge.createVad({ startingVpn: 0x7ffd0, endingVpn: 0x7ffdf, protection: MM_READWRITE, privateMemory: true, memCommit: false })).not.toBe(0xc0000018);
    checkFixedRegions(edge);
  });
});
