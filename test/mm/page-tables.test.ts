// The page directory and page tables without a CPU. Every PDE and PTE word is
// a literal worked out from the x86 (non-PAE) format (Intel SDM vol. 3A,
// 4.3: bit 0 Present, 1 R/W, 2 U/S, 5 Accessed, 6 Dirty, 12-31 the frame)
// and the Windows self-map (Windows Internals 7th ed. ch. 5, "x86 virtual
// address translation": PTEs at 0xC0000000, the directory at 0xC0300000,
// its own PDE at index 0x300).
import { describe, expect, it } from 'vitest';
import { OutOfFramesError, PageTables, type TranslationHardware } from '../../src/mm/page-tables.js';
import { PfnDatabase } from '../../src/mm/pfn-database.js';
import { KernelPanic } from '../../src/mm/panic.js';

class Hardware implements TranslationHardware {
  readonly aliases = new Map<number, number>();
  readonly flushes: number[] = [];
  fullFlushes = 0;
  room = true;
  aliasFrame(page: number, pfn: number): void { this.aliases.set(page, pfn); }
  releaseAlias(page: number): void { this.aliases.delete(page); }
  flushTlbPage(page: number): void { this.flushes.push(page); }
}

class BatchHardware extends Hardware {
  flushTlb(): void { this.fullFlushes++; }
  hasMappingRoom(): boolean { return this.room; }
}

function setUp(frameCount = 64, hardware: Hardware = new Hardware()) {
  const memory = { frameCount, bytes: new Uint8Array(frameCount * 4096) };
  const frames = new PfnDatabase(memory);
  const tables = new PageTables(frames, memory, hardware);
  const valid: number[] = [];
  const invalid: number[] = [];
  tables.residency = { pageMadeValid: (a) => valid.push(a), pageInvalidated: (a) => invalid.push(a) };
  return { memory, frames, tables, hardware, valid, invalid };
}

// Valid user PTEs for frame 0x30: read-only (P|U = 0x5), read-write (P|W|U = 0x7), with Accessed and Dirty (+0x60).
const RO = 0x00030005, RW = 0x00030007, RW_AD = 0x00030067, RW_A = 0x00030027;

describe('PageTables: the directory and its self-map', () => {
  it('maps the directory at 0xC0300000 through its own PDE 0x300 (present, writable, supervisor)', () => {
    const { tables, hardware, frames } = setUp();
    expect(tables.cr3).toBe(0xc0300000);
    expect(tables.readPde(0xc0300000)).toBe(0xc0300003);
    expect(hardware.aliases.get(0xc0300000)).toBe(tables.directoryPfn);
    // The directory's frame records the PTE that maps it: the self-map PDE at 0xC0300000 + 0x300*4.
    expect(frames.pteAddressOf(tables.directoryPfn)).toBe(0xc0300c00);
    expect([tables.tableCount(), tables.userTableCount(), tables.kernelTableCount()]).toEqual([1, 0, 0]);
    expect(tables.hasTable(0x00400000)).toBe(false);
    expect(tables.readPte(0x00400000)).toBe(0);
    expect(tables.tableFrameOf(0x00400000)).toBeUndefined();
  });

  it('a new user page table: PDE = its self-map page 0xC0001 | P|W|U, one frame, aliased at 0xC0001000', () => {
    const { tables, hardware, frames } = setUp();
    const before = frames.counts().active;
    expect(tables.ensureTable(0x00400000)).toBe(true);
    expect(tables.readPde(0x00400000)).toBe(0xc0001007);
    const walk = tables.walk(0x00401000);
    expect(walk).toEqual({ pdeAddress: 0xc0300004, pde: 0xc0001007, pteAddress: 0xc0001004, pte: 0, tablePfn: walk.tablePfn });
    expect(walk.tablePfn).toBe(tables.tableFrameOf(0x007ff000));
    expect(hardware.aliases.get(0xc0001000)).toBe(walk.tablePfn);
    expect(frames.pteAddressOf(walk.tablePfn!)).toBe(0xc0300004);
    expect(frames.counts().active).toBe(before + 1);
    // The same table again: no second frame.
    expect(tables.ensureTable(0x007ff000)).toBe(true);
    expect(frames.counts().active).toBe(before + 1);
    expect([tables.tableCount(), tables.userTableCount(), tables.kernelTableCount()]).toEqual([2, 1, 0]);
    expect(tables.hasTable(0x00400000)).toBe(true);
    expect(tables.hasTable(0x00800000)).toBe(false);
    expect(tables.hasTable(0x003fffff)).toBe(false);
  });

  it('a kernel page table: supervisor PDE 0xC0200003 for 0x80000000; the last user table (0x7FC00000) is PDE 0x1FF', () => {
    const { tables } = setUp();
    tables.ensureTable(0x80000000);
    expect(tables.readPde(0x80000000)).toBe(0xc0200003);
    tables.ensureTable(0x7ffe0000);
    expect(tables.readPde(0x7ffe0000)).toBe(0xc01ff007);
    expect(tables.walk(0x7ffe0000).pdeAddress).toBe(0xc03007fc);
    expect([tables.tableCount(), tables.userTableCount(), tables.kernelTableCount()]).toEqual([3, 1, 1]);
  });

  it('a second process copies the kernel PDEs but not the user ones, and has its own directory', () => {
    const first = setUp();
    first.tables.ensureTable(0x80000000);
    first.tables.ensureTable(0xffc00000);
    first.tables.ensureTable(0x00400000);
    const hardware = new Hardware();
    const second = new PageTables(first.frames, first.memory, hardware, first.tables);
    expect(second.directoryPfn).not.toBe(first.tables.directoryPfn);
    expect(second.readPde(0x80000000)).toBe(0xc0200003);
    expect(second.readPde(0xffc00000)).toBe(0xc03ff003);
    expect(second.tableFrameOf(0x80000000)).toBe(first.tables.tableFrameOf(0x80000000));
    expect(second.readPde(0x00400000)).toBe(0);
    expect(second.hasTable(0x00400000)).toBe(false);
    // Its self-map PDE is its own (same literal, its own frame behind it).
    expect(second.readPde(0xc0300000)).toBe(0xc0300003);
    expect(second.tableFrameOf(0xc0300000)).toBe(second.directoryPfn);
    expect(hardware.aliases.get(0xc0300000)).toBe(second.directoryPfn);
    expect([second.tableCount(), second.userTableCount(), second.kernelTableCount()]).toEqual([3, 0, 2]);
  });

  it('runs out of frames: no directory is OutOfFramesError, no table is false, or OutOfFramesError from the writers', () => {
    expect(() => setUp(0)).toThrow(OutOfFramesError);
    const { tables } = setUp(2);
    expect(tables.ensureTable(0x00400000)).toBe(true);
    expect(tables.ensureTable(0x00800000)).toBe(false);
    expect(tables.hasTable(0x00800000)).toBe(false);
    expect(tables.readPde(0x00800000)).toBe(0);
    expect(() => tables.writeInvalidPte(0x00800000, 0x80)).toThrow(OutOfFramesError);
    expect(() => tables.mapKernelPage(0x80000000, 1, true)).toThrow(OutOfFramesError);
    expect(new OutOfFramesError().name).toBe('OutOfFramesError');
    expect(new OutOfFramesError().message).toBe('no free physical frame');
  });

  it('canMapMorePages asks the hardware, and is true when it cannot tell', () => {
    expect(setUp().tables.canMapMorePages()).toBe(true);
    const hardware = new BatchHardware();
    const { tables } = setUp(64, hardware);
    expect(tables.canMapMorePages()).toBe(true);
    hardware.room = false;
    expect(tables.canMapMorePages()).toBe(false);
  });
});

describe('PageTables: the checking writers', () => {
  it('writeValidPte stores the word, aliases the page, tells the working set of user pages only', () => {
    const { tables, hardware, valid } = setUp();
    tables.ensureTable(0x00400000);
    tables.writeValidPte(0x00400123, RW);
    expect(tables.readPte(0x00400000)).toBe(RW);
    expect(tables.walk(0x00400000).pte).toBe(RW);
    expect(hardware.aliases.get(0x00400000)).toBe(0x30);
    expect(valid).toEqual([0x00400000]);
    expect(hardware.flushes).toEqual([]);
    tables.mapKernelPage(0x80001000, 0x31, true);
    expect(tables.readPte(0x80001000)).toBe(0x00031003);
    tables.mapKernelPage(0x80002000, 0x32, false);
    expect(tables.readPte(0x80002000)).toBe(0x00032001);
    expect(valid).toEqual([0x00400000]);
    expect(tables.kernelPageCount()).toBe(2);
  });

  it('writeValidPte refuses a missing table, an invalid word and a valid PTE already there', () => {
    const { tables } = setUp();
    expect(() => tables.writeValidPte(0x00400000, RW)).toThrow(/writeValidPte: no page table for 400000/);
    tables.ensureTable(0x00400000);
    expect(() => tables.writeValidPte(0x00400000, 0x80)).toThrow(/writeValidPte with invalid PTE 80/);
    tables.writeValidPte(0x00400000, RW);
    expect(() => tables.writeValidPte(0x00400000, RO)).toThrow(/writeValidPte over valid PTE at 400000/);
  });

  it('updateValidPte flushes the TLB only when rights shrink or Accessed/Dirty are cleared', () => {
    const { tables, hardware } = setUp();
    tables.ensureTable(0x00400000);
    tables.writeValidPte(0x00400000, RO);
    tables.updateValidPte(0x00400000, RW);           // more rights: no flush
    expect(hardware.flushes).toEqual([]);
    tables.updateValidPte(0x00400000, RW_AD);        // A and D set: no flush
    expect(hardware.flushes).toEqual([]);
    tables.updateValidPte(0x00400000, RW_A);         // D cleared
    expect(hardware.flushes).toEqual([0x00400000]);
    tables.updateValidPte(0x00400000, RW);           // A cleared
    expect(hardware.flushes).toEqual([0x00400000, 0x00400000]);
    tables.updateValidPte(0x00400000, RO);           // write taken away
    expect(hardware.flushes.length).toBe(3);
    tables.updateValidPte(0x00400000, 0x00030001);   // owner (user) taken away
    expect(hardware.flushes.length).toBe(4);
    tables.updateValidPte(0x00400000, 0x00030001);   // unchanged
    expect(hardware.flushes.length).toBe(4);
    expect(tables.readPte(0x00400000)).toBe(0x00030001);
  });

  it('updateValidPte reports a dropped Dirty bit with the old word, and refuses a frame change or an invalid PTE', () => {
    const { tables } = setUp();
    const dropped: [number, number][] = [];
    tables.onDirtyBitDropped = (address, old) => dropped.push([address, old]);
    tables.ensureTable(0x00400000);
    tables.writeValidPte(0x00400000, RW_AD);
    tables.updateValidPte(0x00400000, RW_AD);
    expect(dropped).toEqual([]);
    tables.updateValidPte(0x00400000, RW_A);
    expect(dropped).toEqual([[0x00400000, RW_AD]]);
    tables.updateValidPte(0x00400000, RW);
    expect(dropped.length).toBe(1);
    expect(() => tables.updateValidPte(0x00400000, 0x00031007)).toThrow(/updateValidPte 30007 → 31007 at 400000/);
    expect(() => tables.updateValidPte(0x00400000, 0x00030006)).toThrow(KernelPanic);
    expect(() => tables.updateValidPte(0x00401000, RW)).toThrow(/updateValidPte 0 → 30007 at 401000/);
    expect(() => tables.updateValidPte(0x00800000, RW)).toThrow(/updateValidPte: no page table for 800000/);
  });

  it('invalidatePte returns the old word, releases the alias, flushes, tells the working set and write watch', () => {
    const { tables, hardware, invalid } = setUp();
    const dropped: number[] = [];
    tables.onDirtyBitDropped = (_address, old) => dropped.push(old);
    tables.ensureTable(0x00400000);
    tables.writeValidPte(0x00400000, RW_AD);
    tables.writeValidPte(0x00401000, 0x00031025);
    expect(tables.invalidatePte(0x00400fff, 0x80)).toBe(RW_AD);
    expect(tables.readPte(0x00400000)).toBe(0x80);
    expect(hardware.aliases.has(0x00400000)).toBe(false);
    expect(hardware.flushes).toEqual([0x00400000]);
    expect(invalid).toEqual([0x00400000]);
    expect(dropped).toEqual([RW_AD]);
    expect(tables.invalidatePte(0x00401000, 0)).toBe(0x00031025); // clean: nothing for write watch
    expect(dropped).toEqual([RW_AD]);
    tables.mapKernelPage(0x80000000, 0x32, true);
    tables.invalidatePte(0x80000000, 0);
    expect(invalid).toEqual([0x00400000, 0x00401000]);
    expect(() => tables.invalidatePte(0x00400000, 0)).toThrow(/invalidatePte 80 → 0 at 400000/);
    tables.writeValidPte(0x00402000, RW);
    expect(() => tables.invalidatePte(0x00402000, RW)).toThrow(/invalidatePte 30007 → 30007 at 402000/);
    expect(tables.readPte(0x00402000)).toBe(RW);
  });

  it('writeInvalidPte: a zero PTE where no table exists creates none; anything else does; never over or with a valid PTE', () => {
    const { tables } = setUp();
    tables.writeInvalidPte(0x00400000, 0);
    expect(tables.tableCount()).toBe(1);
    tables.writeInvalidPte(0x00400000, 0x80);
    expect(tables.tableCount()).toBe(2);
    expect(tables.readPte(0x00400000)).toBe(0x80);
    tables.writeInvalidPte(0x00400000, 0);
    expect(tables.readPte(0x00400000)).toBe(0);
    expect(() => tables.writeInvalidPte(0x00401000, RW)).toThrow(/writeInvalidPte with valid PTE at 401000/);
    tables.writeValidPte(0x00401000, RW);
    expect(() => tables.writeInvalidPte(0x00401000, 0x80)).toThrow(/writeInvalidPte over valid PTE at 401000/);
  });

  it('clearAccessedBits: one full flush for the batch where the hardware has one, else an update (and flush) per page', () => {
    const batch = setUp(64, new BatchHardware());
    batch.tables.ensureTable(0x00400000);
    batch.tables.writeValidPte(0x00400000, RW_AD);
    batch.tables.writeValidPte(0x00401000, 0x00031025);
    batch.tables.clearAccessedBits([0x00400000, 0x00401000]);
    expect([batch.tables.readPte(0x00400000), batch.tables.readPte(0x00401000)]).toEqual([0x00030047, 0x00031005]);
    expect(batch.hardware.fullFlushes).toBe(1);
    expect(batch.hardware.flushes).toEqual([]);
    batch.tables.clearAccessedBits([]);
    expect(batch.hardware.fullFlushes).toBe(1);
    expect(() => batch.tables.clearAccessedBits([0x00402000])).toThrow(/clearAccessedBits on invalid PTE 0 at 402000/);
    expect(() => batch.tables.clearAccessedBits([0x00800000])).toThrow(/clearAccessedBits: no page table for 800000/);

    const single = setUp();
    single.tables.ensureTable(0x00400000);
    single.tables.writeValidPte(0x00400000, RW_AD);
    single.tables.writeValidPte(0x00401000, 0x00031025);
    single.tables.clearAccessedBits([0x00400000, 0x00401000]);
    expect([single.tables.readPte(0x00400000), single.tables.readPte(0x00401000)]).toEqual([0x00030047, 0x00031005]);
    expect(single.hardware.flushes).toEqual([0x00400000, 0x00401000]);
  });
});

describe('PageTables: walks over the tables', () => {
  function populated() {
    const setup = setUp();
    const { tables } = setup;
    tables.ensureTable(0x00400000);
    tables.writeValidPte(0x00400000, RW);
    tables.writeInvalidPte(0x00401000, 0x00031800);  // transition: frame 0x31, bit 11
    tables.writeInvalidPte(0x00402000, 0x80);        // demand zero (protection 4 in bits 5-9)
    tables.writeInvalidPte(0x00c04000, 0x00034c00);
    tables.writeValidPte(0x00c03000, 0x00033005);  // prototype | transition: not a transition PTE
    tables.mapKernelPage(0x80000000, 0x35, true);
    return setup;
  }

  it('forEachValidPte and forEachPresentOrTransitionPte visit in address order below the limit', () => {
    const { tables } = populated();
    const seen: [number, number][] = [];
    tables.forEachValidPte(0x80000000, (a, p) => seen.push([a, p]));
    expect(seen).toEqual([[0x00400000, RW], [0x00c03000, 0x00033005]]);
    seen.length = 0;
    tables.forEachValidPte(0x00c00000, (a, p) => seen.push([a, p]));
    expect(seen).toEqual([[0x00400000, RW]]);
    seen.length = 0;
    tables.forEachValidPte(0x00c00001, (a, p) => seen.push([a, p]));
    expect(seen).toEqual([[0x00400000, RW], [0x00c03000, 0x00033005]]);
    seen.length = 0;
    tables.forEachPresentOrTransitionPte(0x80000000, (a, p) => seen.push([a, p]));
    expect(seen).toEqual([[0x00400000, RW], [0x00401000, 0x00031800], [0x00c03000, 0x00033005]]);
  });

  it('forEachPte starts at the table of `from`, skips the self-map, reaches the last table', () => {
    const { tables } = populated();
    tables.ensureTable(0xffc00000);
    tables.writeValidPte(0xfffff000, 0x00036003);
    const seen: number[] = [];
    tables.forEachPte(0x00800000, 2 ** 32, (p) => p !== 0, (a) => seen.push(a));
    expect(seen).toEqual([0x00c03000, 0x00c04000, 0x80000000, 0xfffff000]);
    expect(tables.kernelPageCount()).toBe(2);
  });

  it('forEachTable gives every table\'s self-map address with its frame, the directory at 0xC0300000', () => {
    const { tables } = populated();
    const seen: number[] = [];
    tables.forEachTable((address, pfn) => {
      seen.push(address);
      expect(pfn).toBe(tables.tableFrameOf(((address - 0xc0000000) / 4096) * 0x400000));
    });
    expect(seen).toEqual([0xc0001000, 0xc0003000, 0xc0200000, 0xc0300000]);
    expect([tables.tableCount(), tables.userTableCount(), tables.kernelTableCount()]).toEqual([4, 2, 1]);
  });

  it('deleteProcessTables frees the user tables and the directory, keeps the kernel\'s, refuses a valid user PTE', () => {
    const { tables } = populated();
    expect(() => tables.deleteProcessTables()).toThrow(/deleteProcessTables: valid PTE left at 400000/);
    const { tables: clean, frames: cleanFrames } = setUp();
    clean.ensureTable(0x00400000);
    clean.writeInvalidPte(0x00401000, 0x80);
    clean.ensureTable(0x7fc00000);
    clean.mapKernelPage(0x80000000, 0x35, true);
    const kernelTable = clean.tableFrameOf(0x80000000)!;
    const before = cleanFrames.counts().active;
    clean.deleteProcessTables();
    // Two user tables and the directory: three frames freed; the kernel table stays active.
    expect(cleanFrames.counts().active).toBe(before - 3);
    expect(clean.hasTable(0x00400000)).toBe(false);
    expect(clean.hasTable(0x7fc00000)).toBe(false);
    expect(clean.tableFrameOf(0x80000000)).toBe(kernelTable);
    expect(cleanFrames.shareCountOf(kernelTable)).toBe(1);
  });
});
