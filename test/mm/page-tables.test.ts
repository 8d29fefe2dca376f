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

describe('PageTables: frame 0 is a frame like any other', () => {
  /**
   * Frame 0 taken before the directory (which gets frame 1), then given back:
   * the next table comes from the free list, frame 0. Two frames in all.
   */
  function tableInFrameZero() {
    const memory = { frameCount: 2, bytes: new Uint8Array(2 * 4096) };
    const frames = new PfnDatabase(memory);
    const zero = frames.allocateZeroedFrame(0)!;
    const hardware = new Hardware();
    const tables = new PageTables(frames, memory, hardware);
    frames.releaseFrame(zero);
    expect(tables.ensureTable(0x00400000)).toBe(true);
    return { zero, tables, hardware, memory, frames };
  }

  it('the directory in frame 0 is a table (the self-map PDE\'s)', () => {
    const { tables } = setUp();
    expect(tables.directoryPfn).toBe(0);
    expect(tables.hasTable(0xc0300000)).toBe(true);
    expect(tables.tableFrameOf(0xc0300000)).toBe(0);
  });

  it('a user page table in frame 0: present, walked, counted, written, read', () => {
    const { zero, tables, hardware } = tableInFrameZero();
    expect([zero, tables.directoryPfn]).toEqual([0, 1]);
    expect(tables.hasTable(0x00400000)).toBe(true);
    expect(tables.tableFrameOf(0x00400000)).toBe(0);
    expect(tables.ensureTable(0x00400000)).toBe(true); // already there: no frame needed (none is left)
    expect(hardware.aliases.get(0xc0001000)).toBe(0);
    tables.writeValidPte(0x00401000, RW);
    expect(tables.readPte(0x00401000)).toBe(RW);
    expect(tables.walk(0x00401000)).toMatchObject({ pde: 0xc0001007, pte: RW, tablePfn: 0 });
    expect([tables.tableCount(), tables.userTableCount()]).toEqual([2, 1]);
    const seen: number[] = [];
    tables.forEachValidPte(0x80000000, (address) => seen.push(address));
    expect(seen).toEqual([0x00401000]);
    tables.forEachTable((address, pfn) => seen.push(address, pfn));
    expect(seen.slice(1)).toEqual([0xc0001000, 0, 0xc0300000, 1]);
    tables.invalidatePte(0x00401000, 0);
    tables.deleteProcessTables();
    expect(tables.hasTable(0x00400000)).toBe(false);
  });

  it('the directory in frame 1 holds the PDEs (not frame 0)', () => {
    const { tables, memory } = tableInFrameZero();
    // PDE 1 (0x400000) is word 1 of frame 1: bytes 0x1004..0x1007, little-endian 0xC0001007.
    expect(Array.from(memory.bytes.subarray(0x1004, 0x1008))).toEqual([0x07, 0x10, 0x00, 0xc0]);
    expect(tables.readPde(0x00400000)).toBe(0xc0001007);
    // The self-map PDE 0x300 is word 0x300 of frame 1.
    expect(Array.from(memory.bytes.subarray(0x1c00, 0x1c04))).toEqual([0x03, 0x00, 0x30, 0xc0]);
  });

  it('a second process whose first process\'s directory is not frame 0 copies the kernel PDEs from that directory', () => {
    const memory = { frameCount: 16, bytes: new Uint8Array(16 * 4096) };
    const frames = new PfnDatabase(memory);
    const zero = frames.allocateZeroedFrame(0)!;
    const first = new PageTables(frames, memory, new Hardware());
    expect(first.directoryPfn).toBe(1);
    first.mapKernelPage(0x80000000, 0x0f, true);
    frames.releaseFrame(zero);
    const second = new PageTables(frames, memory, new Hardware(), first);
    expect(second.readPde(0x80000000)).toBe(0xc0200003);
    expect(second.readPte(0x80000000)).toBe(0x0000f003);
    expect(second.kernelTableCount()).toBe(1);
  });

  it('copying the kernel PDEs writes nothing past the new directory (its next frame stays zero)', () => {
    const first = setUp(16);
    first.tables.mapKernelPage(0x80000000, 0x0f, true);   // the kernel table: frame 1, its word 0 non-zero
    const second = new PageTables(first.frames, first.memory, new Hardware(), first.tables);
    second.ensureTable(0x00400000);                        // the frame after the second directory
    expect(second.tableFrameOf(0x00400000)).toBe(second.directoryPfn + 1);
    expect(second.readPte(0x00400000)).toBe(0);
  });
});

describe('PageTables without a working set or write watch attached', () => {
  it('writes and invalidates valid PTEs, dirty ones too', () => {
    const memory = { frameCount: 8, bytes: new Uint8Array(8 * 4096) };
    const tables = new PageTables(new PfnDatabase(memory), memory, new Hardware());
    tables.ensureTable(0x00400000);
    tables.writeValidPte(0x00400000, RW);
    tables.updateValidPte(0x00400000, RW_AD);
    tables.updateValidPte(0x00400000, RW_A);
    tables.updateValidPte(0x00400000, RW_AD);
    expect(tables.invalidatePte(0x00400000, 0)).toBe(RW_AD);
  });
});

describe('PageTables: kernel pages and teardown details', () => {
  it('a kernel page at 0x80000000 itself is not a user page: the working set is not told', () => {
    const { tables, valid, invalid } = setUp();
    tables.mapKernelPage(0x80000000, 0x31, true);
    tables.invalidatePte(0x80000000, 0);
    tables.ensureTable(0x7ffff000);
    tables.writeValidPte(0x7ffff000, RW);
    tables.invalidatePte(0x7ffff000, 0);
    expect([valid, invalid]).toEqual([[0x7ffff000], [0x7ffff000]]);
  });

  it('invalidatePte names itself when there is no table', () => {
    const { tables } = setUp();
    expect(() => tables.invalidatePte(0x00800000, 0)).toThrow('invalidatePte: no page table for 800000');
  });

  it('teardown zeroes the user tables\' frames and only them: the kernel\'s table (a lower frame) keeps its PTEs', () => {
    const { tables, memory, frames } = setUp();
    tables.mapKernelPage(0x80000000, 0x35, true);          // kernel table: frame 1
    tables.ensureTable(0x00400000);                        // frame 2
    tables.writeInvalidPte(0x00401000, 0x80);
    tables.ensureTable(0x7fc00000);                        // frame 3
    tables.writeInvalidPte(0x7fc00000, 0x80);
    const userTables = [tables.tableFrameOf(0x00400000)!, tables.tableFrameOf(0x7fc00000)!];
    expect(tables.tableFrameOf(0x80000000)).toBe(1);
    tables.deleteProcessTables();
    for (const pfn of userTables) expect(memory.bytes.subarray(pfn * 4096, (pfn + 1) * 4096).every((b) => b === 0)).toBe(true);
    expect(tables.readPte(0x80000000)).toBe(0x00035003);
    expect(frames.shareCountOf(1)).toBe(1);
  });
});
