// The balance set manager's pass and the working-set manager's trimming on
// the memory manager alone (no CPU). Thresholds are WRK's (mminit.c,
// wsmanage.c) scaled to the machine; the expected numbers below are worked
// out from those rules by hand:
//   MmPlentyFreePages = min(400, max(8, frames / 16)), MmMinimumFreePages =
//   min(26, max(2, frames / 150)), MmModifiedPageMaximum = min(800, max(16,
//   frames / 5)); DesiredFreeGoal = plenty + plenty / 2; MM_ENORMOUS_LIMIT =
//   20,000 pages; clusters of at most 16 pages (MM_MAXIMUM_WRITE_CLUSTER).
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/mm/address-space.js';
import { BALANCE_SET_INTERVAL, BalanceSetManager, MM_ENORMOUS_LIMIT, desiredFreeGoal } from '../../src/mm/balance-set.js';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import type { MemoryEventSink, TrimReport } from '../../src/mm/memory-events.js';
import {
  MINIMUM_TRIM_BATCH, MM_CODE_CLUSTER_SIZE, MM_DATA_CLUSTER_SIZE, MM_MAXIMUM_WRITE_CLUSTER, MM_MINIMUM_FREE_PAGES, MM_MODIFIED_PAGE_MAXIMUM,
  MM_PLENTY_FREE_PAGES, MM_READ_CLUSTER_SIZE, memoryThresholds,
} from '../../src/mm/memory-thresholds.js';
import { writeModifiedPages } from '../../src/mm/modified-page-writer.js';
import { PageTables } from '../../src/mm/page-tables.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { PTE_ACCESSED, PTE_DIRTY, isAccessedPte, isTransitionPte } from '../../src/mm/pte.js';
import { emptyWorkingSet } from '../../src/mm/working-set-manager.js';
import { RecordingHardware, createAddressSpace } from '../helpers/memory-manager.js';

const BASE_VPN = 0x100;
const addressOf = (vpn: number) => vpn * 0x1000;

/** Writes `pages` pages of a committed private region at `baseVpn` (each frame gets the page's number). */
function writePages(space: AddressSpace, pages: number, baseVpn = BASE_VPN): void {
  space.createVad({ startingVpn: baseVpn, endingVpn: baseVpn + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: true });
  for (let i = 0; i < pages; i++) {
    const result = resolvePageFault(space, { address: addressOf(baseVpn + i), write: true, user: true });
    if (result.kind !== 'resolved') throw new Error(`fault ${i}: ${result.kind}`);
    space.frameBytes(result.pfn)[0] = i;
    const address = addressOf(baseVpn + i);
    space.pageTables.updateValidPte(address, (space.pageTables.readPte(address) | PTE_DIRTY) >>> 0); // the MMU's Dirty bit
  }
}

/** Takes every zeroed, free and standby frame, then gives them back: each standby page taken counts as repurposed. */
function repurposeAllStandby(space: AddressSpace): void {
  const hogs: number[] = [];
  for (let pfn = space.frames.allocateFrame(0xc0001000); pfn !== undefined; pfn = space.frames.allocateFrame(0xc0001000)) hogs.push(pfn);
  for (const pfn of hogs) space.frames.releaseFrame(pfn);
}

describe('the thresholds, scaled from WRK', () => {
  it('are WRK\'s constants', () => {
    expect([MM_MINIMUM_FREE_PAGES, MM_PLENTY_FREE_PAGES, MM_MODIFIED_PAGE_MAXIMUM]).toEqual([26, 400, 800]);
    expect([MM_MAXIMUM_WRITE_CLUSTER, MM_READ_CLUSTER_SIZE, MM_CODE_CLUSTER_SIZE, MM_DATA_CLUSTER_SIZE]).toEqual([16, 7, 7, 3]);
    expect(MM_ENORMOUS_LIMIT).toBe(20_000);
    expect(BALANCE_SET_INTERVAL).toBe(10_000_000);
    expect(MINIMUM_TRIM_BATCH).toBe(64);
  });

  it('take a sixteenth, a hundred-and-fiftieth and a fifth of RAM between their floors and WRK\'s values', () => {
    // 3,000 frames: 187, 20 and 600, none clamped.
    expect(memoryThresholds(3000)).toEqual({ plentyFreePages: 187, minimumFreePages: 20, modifiedPageMaximum: 600 });
    // 64 frames: 4, 0 and 12 are below the floors 8, 2 and 16.
    expect(memoryThresholds(64)).toEqual({ plentyFreePages: 8, minimumFreePages: 2, modifiedPageMaximum: 16 });
    // 16 MiB (4,096 frames): 256; 27 and 819 are above WRK's 26 and 800.
    expect(memoryThresholds(4096)).toEqual({ plentyFreePages: 256, minimumFreePages: 26, modifiedPageMaximum: 800 });
    // 1 GiB: every one at WRK's value.
    expect(memoryThresholds(262_144)).toEqual({ plentyFreePages: 400, minimumFreePages: 26, modifiedPageMaximum: 800 });
    // Floors are exact: 16 frames * 8 = 128 gives 8; 2 * 150 = 300 gives 2; 16 * 5 = 80 gives 16; one frame less each rounds down.
    expect(memoryThresholds(150 * 3 - 1)).toMatchObject({ minimumFreePages: 2 });
    expect(memoryThresholds(150 * 3)).toMatchObject({ minimumFreePages: 3 });
    expect(memoryThresholds(16 * 9)).toMatchObject({ plentyFreePages: 9 });
    expect(memoryThresholds(5 * 17)).toMatchObject({ modifiedPageMaximum: 17 });
  });

  it('set the trimming goal at one and a half times MmPlentyFreePages', () => {
    expect(desiredFreeGoal(createAddressSpace(3000, 3000).space)).toBe(187 + 93);
    expect(desiredFreeGoal(createAddressSpace(64, 64).space)).toBe(12);
  });
});

describe('a balance set pass', () => {
  it('does nothing without processes', () => {
    const manager = new BalanceSetManager();
    expect(manager.runPass([])).toEqual({ action: 'none', trimmed: 0, written: 0 });
    expect(manager.passes).toEqual({ trim: 0, age: 0, none: 1 });
  });

  it('leaves working sets alone when at least MM_ENORMOUS_LIMIT pages are available', () => {
    const { space } = createAddressSpace(20_000 + 8, 20_000);
    writePages(space, 4);
    expect(space.frames.availablePages).toBeGreaterThanOrEqual(20_000);
    space.pageTables.updateValidPte(addressOf(BASE_VPN), (space.pageTables.readPte(addressOf(BASE_VPN)) | PTE_ACCESSED) >>> 0);
    const manager = new BalanceSetManager();
    expect(manager.runPass([space])).toEqual({ action: 'none', trimmed: 0, written: 0 });
    expect(isAccessedPte(space.pageTables.readPte(addressOf(BASE_VPN)))).toBe(true); // not even aged
    // With fewer available pages than the limit, the same pass ages.
    writePages(space, 20, 0x400);
    expect(space.frames.availablePages).toBeLessThan(20_000);
    expect(manager.runPass([space])).toEqual({ action: 'age', trimmed: 0, written: 0 });
    expect(manager.passes).toEqual({ trim: 0, age: 1, none: 1 });
  });

  it('ages when memory is neither low nor plentiful: Accessed bits cleared with their TLB entries, untouched pages one age older', () => {
    const { space, hardware } = createAddressSpace(256, 256);
    writePages(space, 6);
    for (const vpn of [BASE_VPN + 1, BASE_VPN + 4]) {
      space.pageTables.updateValidPte(addressOf(vpn), (space.pageTables.readPte(addressOf(vpn)) | PTE_ACCESSED) >>> 0);
    }
    const ws = space.workingSet;
    const ageOf = (vpn: number) => ws.ageAt(ws.pages().indexOf(vpn));
    hardware.tlbFlushes.length = 0;
    const manager = new BalanceSetManager();
    for (let pass = 1; pass <= 5; pass++) expect(manager.runPass([space]).action).toBe('age');
    // Pages 0, 2, 3, 5 were never touched again: age 1, 2, 3, then 3 (two bits); 1 and 4 were touched before the first pass only.
    expect([0, 1, 2, 3, 4, 5].map((i) => ageOf(BASE_VPN + i))).toEqual([3, 3, 3, 3, 3, 3]);
    expect(isAccessedPte(space.pageTables.readPte(addressOf(BASE_VPN + 1)))).toBe(false);
    expect(hardware.tlbFlushes).toEqual(expect.arrayContaining([addressOf(BASE_VPN + 1), addressOf(BASE_VPN + 4)]));
    expect(ws.size).toBe(6);
    space.pageTables.updateValidPte(addressOf(BASE_VPN + 2), (space.pageTables.readPte(addressOf(BASE_VPN + 2)) | PTE_ACCESSED) >>> 0);
    manager.runPass([space]);
    expect(ageOf(BASE_VPN + 2)).toBe(0);
    expect(ageOf(BASE_VPN + 3)).toBe(3);
    checkAddressSpaceInvariants(space);
  });

  it('ages one step per pass', () => {
    const { space } = createAddressSpace(256, 256);
    writePages(space, 2);
    const manager = new BalanceSetManager();
    manager.runPass([space]);
    expect(space.workingSet.ageAt(0)).toBe(1);
    manager.runPass([space]);
    expect(space.workingSet.ageAt(0)).toBe(2);
  });

  it('trims toward the goal when available pages fall to MmPlentyFreePages, oldest first, and writes what it trimmed dirty', () => {
    // 64 frames: plenty 8, goal 12, minimum free 2, modified maximum 16.
    const { space } = createAddressSpace(64, 64, 128);
    space.workingSet.minimumPages = 0;
    const events: TrimReport[] = [];
    space.events = { trim: (event: TrimReport) => events.push(event), pageWrite: () => {}, repurpose: () => {} } satisfies MemoryEventSink;
    writePages(space, 40);
    space.workingSet.maximumPages = 1000;
    const manager = new BalanceSetManager();
    // Make memory low: take frames until exactly 8 are available.
    const hogs: number[] = [];
    while (space.frames.availablePages > 8) hogs.push(space.frames.allocateFrame(0xc0001000)!);
    const available = space.frames.availablePages;
    expect(available).toBe(8);
    const pass = manager.runPass([space]);
    // Goal 12 - 8 available - 0 modified = 4 pages wanted; trimWorkingSet takes them all (floor 0).
    expect(pass.action).toBe('trim');
    expect(pass.trimmed).toBe(4);
    expect(events.map((e) => [e.pages, e.why])).toEqual([[4, 'balance-set']]);
    // The 4 dirty pages went to the modified list; 8 + 0 standby < 12, so the writer writes them (one cluster at most 16).
    expect(pass.written).toBe(4);
    expect(space.frames.standbyCount).toBe(4);
    expect(space.frames.availablePages).toBe(12);
    expect(manager.passes.trim).toBe(1);
    for (const pfn of hogs) space.frames.releaseFrame(pfn);
    checkAddressSpaceInvariants(space);
  });

  it('trims when a quarter of the available pages were repurposed since the last pass, even with memory to spare', () => {
    const { space } = createAddressSpace(256, 256, 512);
    space.workingSet.minimumPages = 0;
    writePages(space, 100);
    emptyWorkingSet(space);
    const manager = new BalanceSetManager();
    expect(manager.runPass([space]).written).toBeGreaterThanOrEqual(100 - 25); // 100 modified ≥ 51: write down to 25
    writeModifiedPages(space, space.frames.modifiedCount);
    expect(isTransitionPte(space.pageTables.readPte(addressOf(BASE_VPN)))).toBe(true);
    repurposeAllStandby(space);
    expect(space.frames.repurposedCount).toBe(100);
    writePages(space, 10, 0x400);
    const available = space.frames.availablePages;
    expect(available).toBeGreaterThan(16); // not low
    expect(100).toBeGreaterThanOrEqual(available >> 2);
    const pass = manager.runPass([space]);
    expect(pass.action).toBe('trim');
    // The next pass: no repurposing since, memory not low: it ages.
    expect(manager.runPass([space]).action).toBe('age');
  });

  it('writes modified pages past MmModifiedPageMaximum down to half of it, in whole clusters of 16', () => {
    const { space } = createAddressSpace(256, 256, 512); // modified maximum 51
    space.workingSet.minimumPages = 0;
    writePages(space, 60);
    emptyWorkingSet(space);
    expect(space.frames.modifiedCount).toBe(60);
    const pass = new BalanceSetManager().runPass([space]);
    // 60 - 51 / 2 (25) = 35 wanted: three clusters of 16.
    expect(pass).toEqual({ action: 'age', trimmed: 0, written: 48 });
    expect(space.frames.modifiedCount).toBe(12);
  });

  it('writes nothing below MmModifiedPageMaximum, or without a page file', () => {
    const below = createAddressSpace(256, 256, 512).space;
    below.workingSet.minimumPages = 0;
    writePages(below, 50);
    emptyWorkingSet(below);
    expect(new BalanceSetManager().runPass([below]).written).toBe(0);
    const none = createAddressSpace(256, 256).space;
    none.workingSet.minimumPages = 0;
    writePages(none, 60);
    emptyWorkingSet(none);
    expect(new BalanceSetManager().runPass([none])).toEqual({ action: 'age', trimmed: 0, written: 0 });
    expect(none.frames.modifiedCount).toBe(60);
  });

  it('trims the largest working set first, each above its maximum down to it, never below a minimum unless memory is critical', () => {
    const { space: small } = createAddressSpace(128, 128, 256);
    const tables = new PageTables(small.frames, small.memory, new RecordingHardware(), small.pageTables);
    const large = new AddressSpace(tables, small.frames, small.memory, small.commit, small.pagedPool, small.system);
    // 128 frames: plenty 8, goal 12, minimum free 2.
    writePages(small, 10);
    writePages(large, 30);
    small.workingSet.minimumPages = large.workingSet.minimumPages = 0;
    small.workingSet.maximumPages = 8;
    large.workingSet.maximumPages = 25;
    const order: string[] = [];
    small.events = { trim: () => order.push('small'), pageWrite: () => {}, repurpose: () => {} };
    large.events = { trim: () => order.push('large'), pageWrite: () => {}, repurpose: () => {} };
    const hogs: number[] = [];
    while (small.frames.availablePages > 8) hogs.push(small.frames.allocateFrame(0xc0001000)!);
    const pass = new BalanceSetManager().runPass([small, large]);
    expect(order).toEqual(['large', 'small']);
    // large: max(30 - 25, 12 - 8 - 0) = 5; small: max(10 - 8, 12 - 8 - 5 modified pending) = 2.
    expect(pass.trimmed).toBe(7);
    expect(large.workingSet.size).toBe(25);
    expect(small.workingSet.size).toBe(8);
    for (const pfn of hogs) small.frames.releaseFrame(pfn);
    checkAddressSpaceInvariants(small);
    checkAddressSpaceInvariants(large);
  });

  it('keeps a working set at its minimum unless memory is critically low (or the minimum is hard)', () => {
    const run = (hardMinimum: boolean, leaveAvailable: number) => {
      const { space } = createAddressSpace(64, 64, 128); // minimum free 2, plenty 8, goal 12
      writePages(space, 40);
      space.workingSet.minimumPages = 38;
      space.workingSet.hardMinimum = hardMinimum;
      while (space.frames.availablePages > leaveAvailable) space.frames.allocateFrame(0xc0001000);
      return new BalanceSetManager().runPass([space]).trimmed;
    };
    expect(run(false, 2)).toBe(2); // 2 available is not below MmMinimumFreePages (2): floor 38, so 40 - 38
    expect(run(false, 1)).toBe(11); // critical: goal 12 - 1 available = 11, floor 0
    expect(run(true, 1)).toBe(2); // a hard minimum holds even then
  });
});

