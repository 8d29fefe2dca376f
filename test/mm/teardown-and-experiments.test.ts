// Process teardown, the stray-frame experiment and its bug check, the
// system-wide owner lookup and the argument-check table, without a CPU.
// Bug check 0x1A MEMORY_MANAGEMENT with first argument 0x411 ("a page table
// entry has been corrupted", Arg2 the PTE's address, Arg3 its contents) as
// Microsoft's bug check code reference gives them; the STOP line as the blue
// screen prints it. Statuses from ntstatus.h.
import { describe, expect, it } from 'vitest';
import { deleteAddressSpace } from '../../src/mm/process-teardown.js';
import { mapStrayFrame } from '../../src/mm/experiments.js';
import { BugCheck, bugCheckName, formatBugCheck } from '../../src/mm/bugcheck.js';
import { runArgumentChecks, type ArgumentCheck } from '../../src/mm/argument-checks.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { AddressSpace } from '../../src/mm/address-space.js';
import { PageTables } from '../../src/mm/page-tables.js';
import { mapSharedUserDataIntoProcess, mapSharedUserDataPage } from '../../src/mm/fixed-regions.js';
import { MEM_COMMIT, MEM_RESERVE, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { PAGE_READWRITE } from '../../src/mm/protection.js';
import { RecordingHardware, createAddressSpace } from '../helpers/memory-manager.js';

/** A second process on the same machine as `first`. */
function secondProcess(first: AddressSpace): AddressSpace {
  const tables = new PageTables(first.frames, first.memory, new RecordingHardware(), first.pageTables);
  return new AddressSpace(tables, first.frames, first.memory, first.commit, first.pagedPool, first.system);
}

describe('process teardown (MmCleanProcessAddressSpace, MmDeleteProcessAddressSpace)', () => {
  it('frees private memory, views, the shared page\'s mapping, the tables and the directory; commit comes back', () => {
    const { space } = createAddressSpace();
    const sharedPfn = mapSharedUserDataPage(space);
    const before = space.frames.counts().active;
    const other = secondProcess(space);
    mapSharedUserDataIntoProcess(other, sharedPfn);
    expect(allocateVirtualMemory(other, { base: 0x100000, size: 0x3000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(0);
    new UserMemory(other).write(0x100000, new Uint8Array(0x3000).fill(1));
    const section = createSection(other, { sizeBytes: 0x1000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const view = mapViewOfSection(other, section, { base: 0x200000, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
    if (!('base' in view)) throw new Error(`view ${view.status}`);
    new UserMemory(other).write(0x200000, new Uint8Array([2]));
    expect(other.commitCharge).toBe(3);
    expect(space.system.spaces.has(other)).toBe(true);
    deleteAddressSpace(other);
    expect(space.system.spaces.has(other)).toBe(false);
    expect(other.vads.size).toBe(0);
    expect(other.commitCharge).toBe(0);
    // The section's page stays resident (the section object still references it), on standby or modified now; everything
    // else of the process is gone: its directory, its two user page tables (0x0 and 0x7FC00000), its 3 private pages.
    const counts = space.frames.counts();
    expect(counts.active).toBe(before);
    expect(counts.standby + counts.modified).toBe(1);
    // System commit: the section's one page only.
    expect(space.commit.totalPages).toBe(1);
    expect(space.pageTables.readPte(0x7ffe0000) >>> 12).toBe(sharedPfn);
    checkAddressSpaceInvariants(space);
  });

  it('refuses to finish when commit is left charged', () => {
    const { space } = createAddressSpace();
    space.commitCharge = 2;
    expect(() => deleteAddressSpace(space)).toThrow('process teardown left 2 pages of commit charged');
  });

  it('a process with no shared page mapped tears down as well', () => {
    const { space } = createAddressSpace();
    const other = secondProcess(space);
    const before = space.frames.counts().active;
    deleteAddressSpace(other);
    expect(space.frames.counts().active).toBe(before - 1);
  });
});

describe('SystemMemory.ownerOfPrivateFrame', () => {
  it('finds the process whose PTE at the self-map address names the frame, valid or in transition', () => {
    const { space } = createAddressSpace();
    const other = secondProcess(space);
    for (const each of [space, other]) {
      expect(allocateVirtualMemory(each, { base: 0x100000, size: 0x2000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(0);
      new UserMemory(each).write(0x100000, new Uint8Array([1]));
    }
    const mine = space.pageTables.readPte(0x100000) >>> 12;
    const theirs = other.pageTables.readPte(0x100000) >>> 12;
    expect(mine).not.toBe(theirs);
    // The PTE of 0x100000 is at 0xC0000400 in every process.
    expect(space.system.ownerOfPrivateFrame(mine, 0xc0000400)).toBe(space);
    expect(space.system.ownerOfPrivateFrame(theirs, 0xc0000400)).toBe(other);
    expect(space.system.ownerOfPrivateFrame(theirs, 0xc0000404)).toBeUndefined();
    other.pageTables.invalidatePte(0x100000, ((theirs << 12) | 0x800 | 0x80) >>> 0);
    expect(space.system.ownerOfPrivateFrame(theirs, 0xc0000400)).toBe(other);
    other.pageTables.writeInvalidPte(0x100000, ((theirs << 12) | 0x80) >>> 0); // a page-file PTE naming the same number: no frame
    expect(space.system.ownerOfPrivateFrame(theirs, 0xc0000400)).toBeUndefined();
  });
});

describe('MmsExperimentMapFrame: a frame mapped where no VAD is', () => {
  it('maps a zeroed frame read-write (Valid|Write|Owner) with no VAD and no commit; the checker reports it', () => {
    const { space } = createAddressSpace();
    const result = mapStrayFrame(space, 0x00500123);
    expect(result.status).toBe(0);
    expect(result.pte).toBe(((result.pfn! << 12) | 0x7) >>> 0);
    expect(space.pageTables.readPte(0x00500000)).toBe(result.pte);
    expect(space.frames.pteAddressOf(result.pfn!)).toBe(0xc0001400);
    expect(space.commit.totalPages).toBe(0);
    expect(space.damagedByExperiment).toBe(true);
    expect(() => checkAddressSpaceInvariants(space)).toThrow(/frames active with no VAD/);
  });

  it('refuses kernel space, a page a VAD covers, and a machine out of frames', () => {
    const { space } = createAddressSpace();
    expect(mapStrayFrame(space, 0x80000000)).toEqual({ status: 0xc000000d });
    expect(mapStrayFrame(space, 0xffff0000)).toEqual({ status: 0xc000000d });
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x1000, zeroBits: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE }).status).toBe(0);
    expect(mapStrayFrame(space, 0x100000)).toEqual({ status: 0xc0000018 });
    expect(space.damagedByExperiment).toBe(false);
    const noTable = createAddressSpace(1).space;
    expect(mapStrayFrame(noTable, 0x100000)).toEqual({ status: 0xc0000017 });
    const noFrame = createAddressSpace(2).space;
    expect(mapStrayFrame(noFrame, 0x100000)).toEqual({ status: 0xc0000017 });
    expect(noFrame.pageTables.hasTable(0x100000)).toBe(true);
  });

  it('a second map over the same page is bug check 0x1A/0x411 naming the PTE, and gives the new frame back', () => {
    const { space } = createAddressSpace();
    const first = mapStrayFrame(space, 0x00500000);
    const active = space.frames.counts().active;
    let check: BugCheck | undefined;
    try { mapStrayFrame(space, 0x00500000); } catch (error) { check = error as BugCheck; }
    expect(check).toBeInstanceOf(BugCheck);
    expect(check!.code).toBe(0x1a);
    expect(check!.parameters).toEqual([0x411, 0xc0001400, first.pte, 0]);
    expect(check!.name).toBe('BugCheck');
    expect(check!.message).toBe(`MEMORY_MANAGEMENT (1a): a valid PTE was about to be written over the valid PTE of 0x00500000, which names PFN ${first.pfn!.toString(16)} and belongs to no VAD`);
    expect(space.frames.counts().active).toBe(active);
    expect(formatBugCheck(check!)).toBe([
      'bugcheck MEMORY_MANAGEMENT (1a)',
      `  a valid PTE was about to be written over the valid PTE of 0x00500000, which names PFN ${first.pfn!.toString(16)} and belongs to no VAD`,
      '  Arguments:',
      '  Arg1: 00000411, a page table entry has been corrupted',
      '  Arg2: c0001400, the address of the PTE',
      `  Arg3: ${first.pte!.toString(16).padStart(8, '0')}, the PTE (low 32 bits)`,
      '  Arg4: 00000000, the PTE (high 32 bits)',
      `  *** STOP: 0x0000001A (0x00000411,0xC0001400,0x${first.pte!.toString(16).padStart(8, '0').toUpperCase()},0x00000000)`,
    ].join('\n'));
  });

  it('a bug check without a name or notes', () => {
    expect(bugCheckName(0x1a)).toBe('MEMORY_MANAGEMENT');
    expect(bugCheckName(0x50)).toBe('BUGCHECK');
    const check = new BugCheck(0x50, [1, 2, 3, 0xffffffff], ['first'], 'why');
    expect(formatBugCheck(check)).toBe([
      'bugcheck BUGCHECK (50)', '  why', '  Arguments:',
      '  Arg1: 00000001, first', '  Arg2: 00000002', '  Arg3: 00000003', '  Arg4: ffffffff',
      '  *** STOP: 0x00000050 (0x00000001,0x00000002,0x00000003,0xFFFFFFFF)',
    ].join('\n'));
  });
});

describe('argument checks in Windows\' order', () => {
  type Context = { a: number; captured: string[] };
  const rows: ArgumentCheck<Context>[] = [
    { check: 'a above 10', fails: (c) => c.a > 10, status: 0xc00000f1 },
    { capture: 'probe', run: (c) => c.captured.push('probe') },
    { check: 'a odd', fails: (c) => c.a % 2 === 1, status: 0xc00000f2, statusOf: (c) => (c.a === 7 ? 0xc0000022 : 0xc00000f2) },
    { check: 'a zero', fails: (c) => c.a === 0, status: 0xc00000f3 },
  ];

  it('the first failing check gives the status; captures run in their place; all passing gives undefined', () => {
    const run = (a: number) => { const c = { a, captured: [] as string[] }; return [runArgumentChecks(rows, c), c.captured.length]; };
    expect(run(11)).toEqual([0xc00000f1, 0]);
    expect(run(3)).toEqual([0xc00000f2, 1]);
    expect(run(7)).toEqual([0xc0000022, 1]);
    expect(run(0)).toEqual([0xc00000f3, 1]);
    expect(run(4)).toEqual([undefined, 1]);
    expect(runArgumentChecks([], { a: 0, captured: [] })).toBeUndefined();
  });

  it('a KernelPanic is named so', () => {
    expect(new KernelPanic('x').name).toBe('KernelPanic');
    expect(new KernelPanic('x').message).toBe('x');
  });
});
