// The !pte and !vad dumps as data and as text. PTE words are literals from
// the x86 and Windows software-PTE formats (Windows Internals 7th ed. ch. 5,
// "Page table entries", "Software PTEs": Valid bit 0, Accessed 0x20, Dirty
// 0x40, Protection in bits 5-9 of a not-present PTE, Prototype bit 10,
// Transition bit 11, the page-file offset in bits 12-31, the page file in
// bits 1-4); MM_* protections from WRK mi.h (MM_READWRITE 4, MM_GUARDPAGE
// 0x10, MM_NOCACHE 8, MM_DECOMMIT 0x10, MM_NOACCESS 0x18). The text columns
// are written out in full here.
import { describe, expect, it } from 'vitest';
import { decodePte, formatPteView, type PteView } from '../../src/mm/pte-view.js';
import { describeVads, findImageModules, formatModuleTable, formatVadTable, type VadView } from '../../src/mm/vad-view.js';
import { MEM_COMMIT, MEM_RESERVE, allocateVirtualMemory } from '../../src/mm/virtual-memory.js';
import { SEC_COMMIT, SEC_RESERVE, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { PAGE_READWRITE } from '../../src/mm/protection.js';
import { VadType } from '../../src/mm/vad.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const hex = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

/** A page table for 0x400000-0x7fffff with the given not-present words at 0x400000, 0x401000, ... */
function tableWith(...ptes: number[]) {
  const { space } = createAddressSpace();
  ptes.forEach((pte, i) => space.pageTables.writeInvalidPte(0x400000 + i * 0x1000, pte));
  const tablePfn = space.pageTables.walk(0x400000).tablePfn!;
  return { space, tablePfn };
}

describe('!pte: decodePte', () => {
  it('no page table: the PDE is empty and the VAD decides', () => {
    const { space } = createAddressSpace();
    expect(decodePte(space, 0x00500123)).toEqual({
      address: 0x00500123, pdeAddress: 0xc0300004, pde: 0, pteAddress: 0xc0001400, pte: 0, state: 'no-page-table', flags: [],
    });
    expect(formatPteView(decodePte(space, 0x00500123))).toBe([
      'VA 0x00500123',
      'PDE at 0xc0300004    contains 0x00000000',
      'PTE at 0xc0001400    contains 0x00000000',
      'no page table (the VAD decides)',
    ].join('\n'));
  });

  it.each([
    // word, state, protection, the line WinDbg-style
    [0x00000000, 'zero', undefined, 'not valid, zero PTE (the VAD decides)'],
    [0x00000200, 'decommitted', undefined, 'not valid, Decommitted'],
    [0x00000080, 'demand-zero', 'READWRITE', 'not valid, DemandZero    Protect: READWRITE'],
    [0x00000180, 'demand-zero', 'READWRITE|NOCACHE', 'not valid, DemandZero    Protect: READWRITE|NOCACHE'],
    [0x00000300, 'demand-zero', 'NO_ACCESS', 'not valid, DemandZero    Protect: NO_ACCESS'],
    [0x00000280, 'guard', 'READWRITE|GUARD', 'not valid, DemandZero, guard page    Protect: READWRITE|GUARD'],
    [0x00000220, 'guard', 'READONLY|GUARD', 'not valid, DemandZero, guard page    Protect: READONLY|GUARD'],
  ])('%s: %s', (word, state, protection, line) => {
    const { space, tablePfn } = tableWith(0x80, word);
    const view = decodePte(space, 0x401000);
    expect(view).toEqual({
      address: 0x401000, pdeAddress: 0xc0300004, pde: 0xc0001007, pteAddress: 0xc0001004, pte: word, tablePfn, state, flags: [],
      ...(protection ? { protection } : {}),
    });
    expect(formatPteView(view).split('\n')).toEqual([
      'VA 0x00401000',
      `PDE at 0xc0300004    contains 0xc0001007    page table pfn ${tablePfn.toString(16)}`,
      `PTE at 0xc0001004    contains ${hex(word)}`,
      line,
    ]);
  });

  it('page-file PTEs: page file 0 at offset 0x1a2, page file 1 at offset 0x1', () => {
    const { space } = tableWith(0x001a2080, 0x00001082);
    expect(decodePte(space, 0x400000)).toMatchObject({ state: 'pagefile', pageFile: { number: 0, offset: 0x1a2 }, protection: 'READWRITE' });
    expect(formatPteView(decodePte(space, 0x400000)).split('\n')[3]).toBe('not valid, in the page file    PageFile: 0, Offset: 1a2    Protect: READWRITE');
    expect(decodePte(space, 0x401000)).toMatchObject({ state: 'pagefile', pageFile: { number: 1, offset: 1 } });
  });

  it('valid and transition PTEs name their frame; a trimmed one its list', () => {
    const { space } = createAddressSpace();
    const pfn = space.frames.allocateZeroedFrame(0xc0001000)!;
    space.pageTables.ensureTable(0x400000);
    space.pageTables.writeValidPte(0x400000, ((pfn << 12) | 0x67) >>> 0);
    const valid = decodePte(space, 0x400000);
    expect(valid).toMatchObject({ state: 'valid', pfn, flags: ['Valid', 'Write', 'Owner', 'Accessed', 'Dirty'] });
    expect(formatPteView(valid).split('\n')[3]).toBe(`pfn ${pfn.toString(16)}    Valid Write Owner Accessed Dirty`);
    space.pageTables.invalidatePte(0x400000, ((pfn << 12) | 0x800 | 0x300) >>> 0); // a PAGE_NOACCESS page keeps its frame active
    const noAccess = decodePte(space, 0x400000);
    expect(noAccess).toMatchObject({ state: 'transition', pfn, list: 'Active', protection: 'NO_ACCESS' });
    expect(formatPteView(noAccess).split('\n')[3]).toBe(`not valid, Transition (the frame is kept)    pfn ${pfn.toString(16)}    Protect: NO_ACCESS`);
    space.frames.setModified(pfn, false); // clean: a trim puts it on standby
    space.frames.moveToTransitionList(pfn);
    const trimmed = decodePte(space, 0x400000);
    expect(trimmed.list).toBe('Standby');
    expect(formatPteView(trimmed).split('\n')[3]).toBe(`not valid, Transition (the frame is kept)    pfn ${pfn.toString(16)} (Standby list)    Protect: NO_ACCESS`);
  });

  it('in a view: the prototype PTE, resident with its share count, or demand-zero', () => {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0x2000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
    if (!('base' in view)) throw new Error(`view ${view.status}`);
    new UserMemory(space).write(view.base, new Uint8Array([1]));
    const segment = section.controlArea.segment;
    const resident = decodePte(space, view.base);
    const pfn = resident.pfn!;
    expect(resident.prototype).toEqual({ address: segment.prototypePteAddress(0), value: segment.prototypePtes.get(0), state: 'resident', shareCount: 1 });
    expect(segment.prototypePtes.get(0) >>> 12).toBe(pfn);
    expect(formatPteView(resident).split('\n')[4]).toBe(`Prototype PTE at ${hex(segment.prototypePteAddress(0))}    contains ${hex(segment.prototypePtes.get(0))}    resident, share count 1`);
    const untouched = decodePte(space, view.base + 0x1000);
    expect(untouched.prototype).toEqual({ address: segment.prototypePteAddress(1), value: 0x80, state: 'demand-zero' });
    expect(formatPteView(untouched).split('\n')[4]).toBe(`Prototype PTE at ${hex(segment.prototypePteAddress(1))}    contains 0x00000080    committed, demand-zero (page-file-backed)`);
    // Outside any view: no prototype part.
    expect(decodePte(space, 0x100000).prototype).toBeUndefined();
  });

  it('in a SEC_RESERVE view: not committed', () => {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0x1000, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE });
    if (!('base' in view)) throw new Error(`view ${view.status}`);
    const decoded = decodePte(space, view.base);
    expect(decoded.prototype).toMatchObject({ value: 0, state: 'not-committed' });
    expect(formatPteView(decoded).split('\n')[4]).toMatch(/contains 0x00000000    not committed \(SEC_RESERVE\)$/);
  });

  it('the prototype line names a page-file location and a transition prototype', () => {
    const view: PteView = {
      address: 0x400000, pdeAddress: 0xc0300004, pde: 0xc0001007, pteAddress: 0xc0001000, pte: 0, state: 'zero', flags: [], tablePfn: 7,
      prototype: { address: 0xe1000000, value: 0x00005080, state: 'pagefile', pageFile: { number: 0, offset: 5 } },
    };
    expect(formatPteView(view).split('\n').slice(1)).toEqual([
      'PDE at 0xc0300004    contains 0xc0001007    page table pfn 7',
      'PTE at 0xc0001000    contains 0x00000000',
      'not valid, zero PTE (the VAD decides)',
      'Prototype PTE at 0xe1000000    contains 0x00005080    in the page file (PageFile: 0, Offset: 5)',
    ]);
    view.prototype = { address: 0xe1000004, value: 0x00012880, state: 'transition', shareCount: 0 };
    expect(formatPteView(view).split('\n')[4]).toBe('Prototype PTE at 0xe1000004    contains 0x00012880    Transition: resident, no view maps it (standby or modified list), share count 0');
    view.prototype = { address: 0xe1000008, value: 0x00000480, state: 'in-file' };
    expect(formatPteView(view).split('\n')[4]).toBe('Prototype PTE at 0xe1000008    contains 0x00000480    in the file (read on first touch)');
  });
});

describe('!vad: describeVads and the table', () => {
  it('rows in address order with the tree level, commit, type and protection; views name their control area', () => {
    const { space } = createAddressSpace();
    expect(allocateVirtualMemory(space, { base: 0x100000, size: 0x4000, zeroBits: 0, allocationType: MEM_RESERVE | MEM_COMMIT, protect: PAGE_READWRITE }).status).toBe(0);
    const section = createSection(space, { sizeBytes: 0x2000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const view = mapViewOfSection(space, section, { base: 0x200000, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
    if (!('base' in view)) throw new Error(`view ${view.status}`);
    expect(describeVads(space)).toEqual([
      { level: 0, startingVpn: 0x100, endingVpn: 0x103, commitCharge: 4, privateMemory: true, memCommit: true, vadType: 'VadNone', protection: 'READWRITE' },
      {
        level: 1, startingVpn: 0x200, endingVpn: 0x201, commitCharge: 0, privateMemory: false, memCommit: false, vadType: 'VadNone', protection: 'READWRITE',
        controlArea: { id: section.controlArea.id, mappedViews: 1, sectionReferences: 1, firstPrototypePte: section.controlArea.segment.prototypePteAddress(0) },
        fileName: 'Pagefile-backed section',
      },
    ]);
    expect(findImageModules(space)).toEqual([]);
  });

  it('the table: fixed-width columns, the VAD count, then the fixed regions outside it', () => {
    const rows: VadView[] = [
      { level: 1, startingVpn: 0x100, endingVpn: 0x103, commitCharge: 4, privateMemory: true, memCommit: true, vadType: 'VadNone', protection: 'READWRITE' },
      {
        level: 0, startingVpn: 0x400, endingVpn: 0x40f, commitCharge: 12, privateMemory: false, memCommit: false, vadType: 'VadImageMap', protection: 'EXECUTE_WRITECOPY',
        fileName: 'app.exe', controlArea: { id: 3, mappedViews: 1, sectionReferences: 0, firstPrototypePte: 0 },
      },
      { level: 12, startingVpn: 0x7ffd0, endingVpn: 0x7ffdf, commitCharge: 123456, privateMemory: false, memCommit: false, vadType: 'VadNone', protection: 'READONLY', fileName: 'data.bin' },
    ];
    expect(formatVadTable(rows)).toBe([
      'Level      Start        End   Commit  Type     Protection',
      '    1        100        103        4 Private  READWRITE',
      '    0        400        40f       12 Mapped   Exe  EXECUTE_WRITECOPY  app.exe  ControlArea 3 (views 1, sections 0)',
      '   12      7ffd0      7ffdf   123456 Mapped   READONLY  data.bin',
      'Total VADs: 3',
      'Fixed regions (every process, no VAD):',
      '    -      7ffe0      7ffe0        0 Private  READONLY  KUSER_SHARED_DATA',
      '    -      7ffe1      7ffef        0 Private  NO_ACCESS  reserved after KUSER_SHARED_DATA',
      '    -      7fff0      7ffff        0 Private  NO_ACCESS  no-access area below kernel space',
    ].join('\n'));
  });

  it('modules come from image VADs only, named by their file', () => {
    const { space } = createAddressSpace();
    const vad = space.createVad({ startingVpn: 0x400, endingVpn: 0x40f, protection: 4, privateMemory: false, memCommit: false, vadType: VadType.VadImageMap });
    if (typeof vad === 'number') throw new Error('no VAD');
    // An image VAD without a view is not a module.
    expect(findImageModules(space)).toEqual([]);
    expect(formatModuleTable([{ base: 0x400000, size: 0x10000, name: 'app.exe' }, { base: 0x77000000, size: 0x3000, name: 'ntdll.dll' }])).toBe([
      'Start       End         Module (from the VAD tree)',
      '0x00400000  0x00410000  app.exe',
      '0x77000000  0x77003000  ntdll.dll',
    ].join('\n'));
  });
});
