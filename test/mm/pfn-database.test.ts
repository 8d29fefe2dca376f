// The PFN database alone: list states (MMLISTS numbering), share counts,
// the FIFO standby and modified lists, repurposing and the page-file copy a
// frame holds (Windows Internals 7th ed., ch. 5, "Page frame number
// database" and "Page list dynamics"). No page tables, no CPU: every frame
// here is driven directly, and the expected values are counted by hand.
import { describe, expect, it } from 'vitest';
import { MemoryPagingStore, PageFile } from '../../src/mm/page-file.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { PfnDatabase, PfnState } from '../../src/mm/pfn-database.js';

const PAGE = 4096;
const PTE = 0xc0001000; // a PteAddress in the self-map (the PTE of 0x00400000)

function database(frames = 8) {
  const memory = { frameCount: frames, bytes: new Uint8Array(frames * PAGE) };
  const db = new PfnDatabase(memory);
  const frame = (pfn: number) => memory.bytes.subarray(pfn * PAGE, (pfn + 1) * PAGE);
  return { db, memory, frame };
}

/** Takes every frame (PteAddress PTE + 4 * i), in the order the allocator gives them. */
function takeAll(db: PfnDatabase): number[] {
  const taken: number[] = [];
  for (let pfn = db.allocateFrame(PTE); pfn !== undefined; pfn = db.allocateFrame(PTE + 4 * taken.length)) taken.push(pfn);
  return taken;
}

describe('the PFN database: allocation', () => {
  it('starts with every frame zeroed and hands out low frames first', () => {
    const { db } = database(4);
    expect(db.counts()).toEqual({ total: 4, zeroed: 4, free: 0, active: 0, standby: 0, modified: 0 });
    expect(db.availablePages).toBe(4);
    expect([db.allocateZeroedFrame(PTE), db.allocateZeroedFrame(PTE), db.allocateZeroedFrame(PTE)]).toEqual([0, 1, 2]);
    expect(db.counts()).toEqual({ total: 4, zeroed: 1, free: 0, active: 3, standby: 0, modified: 0 });
    expect(db.availablePages).toBe(1);
    db.checkInvariants();
  });

  it('an allocated frame is active with one share, its PteAddress as an unsigned word, and Modified (no copy exists)', () => {
    const { db } = database(4);
    const pfn = db.allocateZeroedFrame(PTE | 0)!; // a negative int32 spelling of 0xC0001000
    expect(db.stateOf(pfn)).toBe(PfnState.Active);
    expect(db.stateOf(pfn)).toBe(6); // MMLISTS ActiveAndValid
    expect(db.shareCountOf(pfn)).toBe(1);
    expect(db.pteAddressOf(pfn)).toBe(0xc0001000);
    expect(db.isModified(pfn)).toBe(true);
    expect(db.isPrototype(pfn)).toBe(false);
  });

  it('zeroes a frame taken from the free list for allocateZeroedFrame, and not for allocateFrame, which prefers free frames', () => {
    const { db, frame } = database(4);
    const a = db.allocateFrame(PTE)!, b = db.allocateFrame(PTE)!;
    frame(a).fill(0xaa);
    frame(b).fill(0xbb);
    db.releaseFrame(a);
    db.releaseFrame(b);
    expect(db.counts()).toMatchObject({ zeroed: 2, free: 2, active: 0 });
    expect(db.stateOf(a)).toBe(PfnState.Free);
    // allocateFrame takes the last freed frame (a stack) although zeroed frames are left, and keeps its bytes.
    expect(db.allocateFrame(PTE)).toBe(b);
    expect(frame(b)[0]).toBe(0xbb);
    expect(frame(b)[PAGE - 1]).toBe(0xbb);
    // allocateZeroedFrame prefers the zeroed list (frame 2), then zeroes free frame a.
    expect(db.allocateZeroedFrame(PTE)).toBe(2);
    expect(db.allocateZeroedFrame(PTE)).toBe(3);
    expect(db.allocateZeroedFrame(PTE)).toBe(a);
    expect(frame(a).every((byte) => byte === 0)).toBe(true);
    expect(db.allocateZeroedFrame(PTE)).toBeUndefined();
    expect(db.allocateFrame(PTE)).toBeUndefined();
    db.checkInvariants();
  });

  it('a free frame taken by allocateZeroedFrame is zeroed over exactly its own page', () => {
    const { db, memory } = database(3);
    const [a, b, c] = [db.allocateFrame(PTE)!, db.allocateFrame(PTE)!, db.allocateFrame(PTE)!];
    memory.bytes.fill(0x77);
    db.releaseFrame(b);
    expect(db.allocateZeroedFrame(PTE)).toBe(b);
    expect(memory.bytes[b * PAGE - 1]).toBe(0x77); // the last byte of frame a
    expect(memory.bytes.subarray(b * PAGE, (b + 1) * PAGE).every((byte) => byte === 0)).toBe(true);
    expect(memory.bytes[(b + 1) * PAGE]).toBe(0x77); // the first byte of frame c
    expect([a, c]).toEqual([0, 2]);
  });

  it('takes a preferred frame when it is zeroed or free (page colouring), else another one', () => {
    const { db, frame } = database(8);
    const taken = [db.allocateZeroedFrame(PTE, 5)];
    expect(taken[0]).toBe(5);
    db.checkInvariants(); // 5 came out of the middle of the zeroed stack
    taken.push(db.allocateZeroedFrame(PTE, 5)!, db.allocateZeroedFrame(PTE, -1)!, db.allocateZeroedFrame(PTE, 8)!);
    expect(taken.slice(1)).not.toContain(5); // 5 is active; -1 and 8 are no frames
    expect(new Set(taken).size).toBe(4);
    frame(5).fill(1);
    db.releaseFrame(5);
    expect(db.allocateZeroedFrame(PTE, 5)).toBe(5);
    expect(frame(5)[123]).toBe(0);
    frame(5).fill(2);
    db.releaseFrame(5);
    expect(db.allocateFrame(PTE, 5)).toBe(5);
    expect(frame(5)[123]).toBe(2);
    const left = [0, 1, 2, 3, 4, 6, 7].filter((pfn) => !taken.includes(pfn));
    expect(db.allocateFrame(PTE, left[1])).toBe(left[1]);
    db.checkInvariants();
    const rest = [db.allocateFrame(PTE), db.allocateFrame(PTE), db.allocateFrame(PTE)];
    expect(rest.sort()).toEqual([left[0], left[2], left[3]]);
    expect(db.allocateFrame(PTE)).toBeUndefined();
    db.checkInvariants();
  });
});

describe('the PFN database: shares and the transition lists', () => {
  it('a shared private frame goes to the free list only when its last share is dropped', () => {
    const { db } = database(4);
    const pfn = db.allocateFrame(PTE)!;
    db.addShare(pfn);
    expect(db.shareCountOf(pfn)).toBe(2);
    db.releaseFrame(pfn);
    expect(db.stateOf(pfn)).toBe(PfnState.Active);
    expect(db.counts().active).toBe(1);
    db.releaseFrame(pfn);
    expect(db.stateOf(pfn)).toBe(PfnState.Free);
    expect(db.shareCountOf(pfn)).toBe(0);
    expect(db.pteAddressOf(pfn)).toBe(0);
    expect(db.counts()).toMatchObject({ active: 0, free: 1 });
    expect(() => db.releaseFrame(pfn)).toThrow(/releaseFrame: PFN 0 is not active \(state 1\)/);
    expect(() => db.addShare(pfn)).toThrow(/addShare: PFN 0 is not active/);
    expect(() => db.releaseFrame(-1)).toThrow(KernelPanic);
    expect(() => db.releaseFrame(4)).toThrow(KernelPanic);
    db.checkInvariants();
  });

  it('trimmed private frames queue FIFO on the modified list (written) or standby (clean), and soft faults take them back', () => {
    const { db } = database(8);
    const [a, b, c, d] = [0, 1, 2, 3].map(() => db.allocateFrame(PTE)!) as [number, number, number, number];
    db.setModified(c, false);
    db.moveToTransitionList(a);
    db.moveToTransitionList(b);
    db.moveToTransitionList(c);
    db.moveToTransitionList(d);
    expect(db.modifiedFrames()).toEqual([a, b, d]);
    expect(db.standbyFrames()).toEqual([c]);
    expect(db.modifiedFrames(2)).toEqual([a, b]);
    expect(db.counts()).toEqual({ total: 8, zeroed: 4, free: 0, active: 0, standby: 1, modified: 3 });
    expect(db.availablePages).toBe(5); // 4 zeroed + 1 standby; modified pages are not available
    expect(db.stateOf(a)).toBe(3); // MMLISTS ModifiedPageList
    expect(db.stateOf(c)).toBe(2); // MMLISTS StandbyPageList
    expect(db.shareCountOf(a)).toBe(0);
    expect(db.pteAddressOf(a)).toBe(PTE); // still names its (now transition) PTE
    db.checkInvariants();
    // Out of the middle, the head and the tail of the modified list.
    db.reclaimFromList(b);
    expect(db.modifiedFrames()).toEqual([a, d]);
    db.reclaimFromList(a);
    expect(db.modifiedFrames()).toEqual([d]);
    db.moveToTransitionList(a);
    expect(db.modifiedFrames()).toEqual([d, a]);
    db.reclaimFromList(a);
    expect(db.modifiedFrames()).toEqual([d]);
    expect(db.stateOf(b)).toBe(PfnState.Active);
    expect(db.shareCountOf(b)).toBe(1);
    expect(db.counts()).toMatchObject({ active: 2, modified: 1, standby: 1 });
    db.checkInvariants();
    db.freeListedFrame(d);
    db.freeListedFrame(c);
    expect(db.modifiedFrames()).toEqual([]);
    expect(db.standbyFrames()).toEqual([]);
    expect(db.counts()).toMatchObject({ free: 2, modified: 0, standby: 0, active: 2 });
    db.checkInvariants();
    expect(() => db.reclaimFromList(d)).toThrow(/reclaimFromList: PFN 3 is not on the standby or modified list \(state 1\)/);
    expect(() => db.freeListedFrame(a)).toThrow(/freeListedFrame: PFN 0 is not on the standby or modified list/);
  });

  it('moveToTransitionList refuses a frame that is shared, a prototype frame or not active', () => {
    const { db } = database(4);
    const shared = db.allocateFrame(PTE)!;
    db.addShare(shared);
    expect(() => db.moveToTransitionList(shared)).toThrow(/moveToTransitionList: PFN 0 is not a private frame with one share/);
    const prototype = db.allocateFrame(PTE)!;
    db.makePrototype(prototype, 0xe1000000);
    expect(() => db.moveToTransitionList(prototype)).toThrow(/PFN 1 is not a private frame/);
    expect(() => db.moveToTransitionList(3)).toThrow(/moveToTransitionList: PFN 3 is not active/);
    expect(db.counts().active).toBe(2);
  });

  it('setModified moves a listed frame between standby and modified and keeps the Modified bit', () => {
    const { db } = database(4);
    const a = db.allocateFrame(PTE)!, b = db.allocateFrame(PTE)!;
    db.moveToTransitionList(a);
    db.moveToTransitionList(b);
    db.setModified(a, false);
    expect(db.standbyFrames()).toEqual([a]);
    expect(db.modifiedFrames()).toEqual([b]);
    expect(db.isModified(a)).toBe(false);
    db.setModified(a, false); // no change: stays where it is
    expect(db.standbyFrames()).toEqual([a]);
    db.setModified(b, false);
    expect(db.standbyFrames()).toEqual([a, b]);
    db.setModified(a, true);
    expect(db.standbyFrames()).toEqual([b]);
    expect(db.modifiedFrames()).toEqual([a]);
    expect(db.isModified(a)).toBe(true);
    db.setModified(a, true);
    expect(db.modifiedFrames()).toEqual([a]);
    expect(db.counts()).toMatchObject({ standby: 1, modified: 1 });
    db.checkInvariants();
  });
});

describe('the PFN database: prototype frames', () => {
  it('a section frame stays resident when its last view lets go: standby if clean, modified if written, and says so', () => {
    const { db } = database(4);
    const told: [number, number][] = [];
    db.prototypeUnmapped = (pfn, address) => told.push([pfn, address]);
    const clean = db.allocateZeroedFrame(PTE)!;
    db.makePrototype(clean, 0xe1000010, 0x80);
    expect(db.isPrototype(clean)).toBe(true);
    expect(db.isModified(clean)).toBe(false); // a demand-zero section page matches its backing store
    expect(db.pteAddressOf(clean)).toBe(0xe1000010);
    expect(db.originalPteOf(clean)).toBe(0x80);
    const written = db.allocateZeroedFrame(PTE)!;
    db.makePrototype(written, 0xe1000014);
    db.setModified(written, true);
    db.releaseFrame(clean);
    db.releaseFrame(written);
    expect(told).toEqual([[clean, 0xe1000010], [written, 0xe1000014]]);
    expect(db.standbyFrames()).toEqual([clean]);
    expect(db.modifiedFrames()).toEqual([written]);
    expect(db.pteAddressOf(clean)).toBe(0xe1000010);
    expect(db.counts().active).toBe(0);
    db.checkInvariants();
    // Mapped again: active with one share, off its list.
    db.addShare(clean);
    expect(db.stateOf(clean)).toBe(PfnState.Active);
    expect(db.shareCountOf(clean)).toBe(1);
    expect(db.standbyFrames()).toEqual([]);
    expect(db.counts().active).toBe(1);
    db.addShare(written);
    expect(db.modifiedFrames()).toEqual([]);
    db.checkInvariants();
  });

  it('private listed frames cannot be shared, and prototype frames cannot be freed as private ones', () => {
    const { db } = database(4);
    const pfn = db.allocateFrame(PTE)!;
    db.moveToTransitionList(pfn);
    expect(() => db.addShare(pfn)).toThrow(/addShare: PFN 0 is Modified but not a prototype frame/);
    db.setModified(pfn, false);
    expect(() => db.addShare(pfn)).toThrow(/addShare: PFN 0 is Standby but not a prototype frame/);
    const prototype = db.allocateFrame(PTE)!;
    db.makePrototype(prototype, 0xe1000000);
    db.releaseFrame(prototype);
    expect(() => db.freeListedFrame(prototype)).toThrow(/freeListedFrame: PFN 1 is a prototype frame/);
    expect(() => db.movePrototype(pfn, 0xe1001000)).toThrow(/movePrototype: PFN 0 is not a prototype frame/);
    expect(() => db.releasePrototypeFrame(pfn)).toThrow(/releasePrototypeFrame: PFN 0 is not an unmapped prototype frame/);
    expect(() => db.makePrototype(3, 0xe1000000)).toThrow(/makePrototype: PFN 3 is not active/);
  });

  it('a prototype frame follows its PTE when the segment moves, and goes to the free list with its section', () => {
    const { db } = database(4);
    const pfn = db.allocateFrame(PTE)!;
    db.makePrototype(pfn, 0xe1000000, 0x2a0);
    db.movePrototype(pfn, 0xe1003ffc | 0);
    expect(db.pteAddressOf(pfn)).toBe(0xe1003ffc);
    expect(() => db.releasePrototypeFrame(pfn)).toThrow(/not an unmapped prototype frame/); // still mapped
    db.releaseFrame(pfn);
    expect(db.stateOf(pfn)).toBe(PfnState.Standby);
    db.releasePrototypeFrame(pfn);
    expect(db.stateOf(pfn)).toBe(PfnState.Free);
    expect(db.isPrototype(pfn)).toBe(false);
    expect(db.originalPteOf(pfn)).toBe(0);
    expect(db.pteAddressOf(pfn)).toBe(0);
    expect(db.counts()).toMatchObject({ free: 1, standby: 0 });
    db.checkInvariants();
  });

  it('OriginalPte is kept as an unsigned word', () => {
    const { db } = database(2);
    const pfn = db.allocateFrame(PTE)!;
    db.makePrototype(pfn, 0xe1000000, 0x80000400 | 0);
    expect(db.originalPteOf(pfn)).toBe(0x80000400);
    db.setOriginalPte(pfn, 0xfffff480 | 0);
    expect(db.originalPteOf(pfn)).toBe(0xfffff480);
  });
});

describe('the PFN database: repurposing the oldest standby page', () => {
  it('takes standby frames oldest first once no zeroed or free frame is left, telling the owner which PTE to fix', () => {
    const { db, frame } = database(4);
    const calls: [number, number, boolean][] = [];
    db.repurposeHandler = (pfn, address, prototype) => calls.push([pfn, address, prototype]);
    const taken = takeAll(db);
    expect(taken).toEqual([0, 1, 2, 3]);
    // Frames 2, 0 (private, clean) and 3 (a prototype frame) go to standby in that order; 1 stays active.
    db.setModified(2, false);
    db.moveToTransitionList(2);
    db.setModified(0, false);
    db.moveToTransitionList(0);
    db.makePrototype(3, 0xe1000008, 0x80);
    db.releaseFrame(3);
    expect(db.standbyFrames()).toEqual([2, 0, 3]);
    expect(db.availablePages).toBe(3);
    frame(2).fill(9);
    expect(db.allocateZeroedFrame(0xc0002000)).toBe(2);
    expect(frame(2).every((byte) => byte === 0)).toBe(true); // a repurposed frame is zeroed like a free one
    expect(calls).toEqual([[2, PTE + 8, false]]);
    expect(db.repurposedCount).toBe(1);
    expect(db.pteAddressOf(2)).toBe(0xc0002000);
    expect(db.allocateFrame(0xc0002004)).toBe(0);
    expect(db.allocateFrame(0xc0002008)).toBe(3);
    expect(calls).toEqual([[2, PTE + 8, false], [0, PTE, false], [3, 0xe1000008, true]]);
    expect(db.isPrototype(3)).toBe(false);
    expect(db.originalPteOf(3)).toBe(0);
    expect(db.repurposedCount).toBe(3);
    expect(db.allocateFrame(PTE)).toBeUndefined();
    db.checkInvariants();
  });

  it('never takes a standby frame without a handler to fix its PTE', () => {
    const { db } = database(2);
    takeAll(db);
    db.setModified(0, false);
    db.moveToTransitionList(0);
    expect(db.allocateFrame(PTE)).toBeUndefined();
    expect(db.standbyFrames()).toEqual([0]);
    expect(db.repurposedCount).toBe(0);
  });

  it('a repurposed frame\'s page-file copy passes to the PTE the handler wrote: the slot stays allocated', () => {
    const { db } = database(2);
    const pageFile = new PageFile(16, new MemoryPagingStore());
    db.pageFile = pageFile;
    db.repurposeHandler = () => {};
    takeAll(db);
    const run = pageFile.allocateRun(1)!;
    db.moveToTransitionList(0);
    db.recordPageFileCopy(0, run.slot);
    expect(db.standbyFrames()).toEqual([0]);
    expect(db.allocateFrame(PTE)).toBe(0);
    expect(db.pageFileSlotOf(0)).toBe(0);
    expect(pageFile.isAllocated(run.slot)).toBe(true);
    expect(pageFile.usedPages).toBe(1);
    db.checkInvariants();
  });
});

describe('the PFN database: page-file copies', () => {
  function withPageFile() {
    const made = database(4);
    const pageFile = new PageFile(16, new MemoryPagingStore());
    made.db.pageFile = pageFile;
    return { ...made, pageFile };
  }

  it('a written page is clean and holds its slot; writing to it again releases the stale copy', () => {
    const { db, pageFile } = withPageFile();
    const pfn = db.allocateFrame(PTE)!;
    db.moveToTransitionList(pfn);
    const first = pageFile.allocateRun(1)!.slot;
    db.recordPageFileCopy(pfn, first);
    expect(db.pageFileSlotOf(pfn)).toBe(first);
    expect(db.isModified(pfn)).toBe(false);
    expect(db.standbyFrames()).toEqual([pfn]);
    db.checkInvariants();
    // Written again to another slot: the first is given back.
    const second = pageFile.allocateRun(1)!.slot;
    db.recordPageFileCopy(pfn, second);
    expect(pageFile.isAllocated(first)).toBe(false);
    expect(pageFile.usedPages).toBe(1);
    // Modified again (a write after a soft fault): the copy is stale and goes back.
    db.reclaimFromList(pfn);
    db.setModified(pfn, true);
    expect(db.pageFileSlotOf(pfn)).toBe(0);
    expect(pageFile.usedPages).toBe(0);
    db.releasePageFileCopy(pfn); // nothing left to release
    expect(pageFile.usedPages).toBe(0);
  });

  it('a frame that goes to the free list releases its page-file copy', () => {
    const { db, pageFile } = withPageFile();
    const pfn = db.allocateFrame(PTE)!;
    db.recordPageFileCopy(pfn, pageFile.allocateRun(1)!.slot);
    db.releaseFrame(pfn);
    expect(pageFile.usedPages).toBe(0);
    expect(db.pageFileSlotOf(pfn)).toBe(0);
    const listed = db.allocateFrame(PTE)!;
    db.moveToTransitionList(listed);
    db.recordPageFileCopy(listed, pageFile.allocateRun(1)!.slot);
    db.freeListedFrame(listed);
    expect(pageFile.usedPages).toBe(0);
    db.checkInvariants();
  });

  it('clearing Modified on a page already clean keeps its page-file copy', () => {
    const { db, pageFile } = withPageFile();
    const pfn = db.allocateFrame(PTE)!;
    const slot = pageFile.allocateRun(1)!.slot;
    db.recordPageFileCopy(pfn, slot);
    db.setModified(pfn, false);
    expect(db.pageFileSlotOf(pfn)).toBe(slot);
    expect(pageFile.isAllocated(slot)).toBe(true);
  });
});

describe('the PFN database invariant checker', () => {
  // The checker's job is to notice a broken database, so each case breaks one private field on purpose.
  type Internals = Record<string, unknown> & {
    state: Uint8Array; shareCount: Uint16Array; stackPosition: Int32Array; pageFileSlot: Int32Array; modified: Uint8Array;
    zeroedList: Int32Array; flink: Int32Array; blink: Int32Array; listTail: Record<number, number>; listCount: Record<number, number>;
    activeCount: number; zeroedCount: number;
  };
  const internals = (db: PfnDatabase) => db as unknown as Internals;

  /** Frames 0 and 1 active, 2 modified, 3 standby, 4 and 5 free, 6 and 7 zeroed. */
  function populated() {
    const { db } = database(8);
    const pageFile = new PageFile(16, new MemoryPagingStore());
    db.pageFile = pageFile;
    const frames = [0, 1, 2, 3, 4, 5].map(() => db.allocateFrame(PTE)!);
    db.moveToTransitionList(frames[2]!);
    db.setModified(frames[3]!, false);
    db.moveToTransitionList(frames[3]!);
    db.releaseFrame(frames[4]!);
    db.releaseFrame(frames[5]!);
    db.checkInvariants();
    return { db, pageFile, raw: internals(db) };
  }

  it('accepts a database with frames in every state', () => {
    const { db } = populated();
    expect(db.counts()).toEqual({ total: 8, zeroed: 2, free: 2, active: 2, standby: 1, modified: 1 });
  });

  it.each([
    ['a frame on two lists', (raw: Internals) => { raw.zeroedList[1] = raw.zeroedList[0]!; }, /PFN \d is on two lists/],
    ['a zeroed frame linked into the standby list too', (raw: Internals) => { raw.flink[3] = 6; }, /PFN 6 is on two lists/],
    ['a zeroed-list frame whose state says otherwise', (raw: Internals) => { raw.state[7] = PfnState.Free; }, /PFN 7 on the zeroed list has state 1/],
    ['a free-list frame whose state says otherwise', (raw: Internals) => { raw.state[5] = PfnState.Zeroed; }, /PFN 5 on the free list has state 0/],
    ['a stack position out of step', (raw: Internals) => { raw.stackPosition[6] = 5; }, /PFN 6 on the zeroed list records position 5, not 1/],
    ['a free frame holding a page-file slot', (raw: Internals) => { raw.pageFileSlot[4] = 1; }, /free PFN 4 still holds page-file slot 1/],
    ['an active frame with share count 0', (raw: Internals) => { raw.shareCount[0] = 0; }, /active PFN 0 has share count 0/],
    ['an active frame on a list', (raw: Internals) => { raw.state[3] = PfnState.Active; raw.activeCount = 3; }, /PFN 3 on the Standby list has state 6/],
    ['a listed frame with shares', (raw: Internals) => { raw.shareCount[2] = 1; }, /Modified PFN 2 has share count 1/],
    ['a modified-list frame without its Modified bit', (raw: Internals) => { raw.modified[2] = 0; }, /PFN 2: state Modified disagrees with its Modified bit/],
    ['a standby frame with its Modified bit', (raw: Internals) => { raw.modified[3] = 1; }, /PFN 3: state Standby disagrees with its Modified bit/],
    ['a broken back link', (raw: Internals) => { raw.blink[2] = 5; }, /PFN 2 on the Modified list links back to 5, not -1/],
    ['a list tail that is not its last frame', (raw: Internals) => { raw.listTail[PfnState.Standby] = 0; }, /the Standby list ends at 3 but its tail is 0/],
    ['a list count that is off', (raw: Internals) => { raw.listCount[PfnState.Modified] = 2; }, /the Modified list holds 1 frames but counts 2/],
    ['a frame in a list state on no list', (raw: Internals) => { raw.state[1] = PfnState.Standby; raw.shareCount[1] = 0; raw.activeCount = 1; }, /Standby PFN 1 is not on its list/],
    ['a zeroed frame on no list', (raw: Internals) => { raw.zeroedCount = 1; }, /PFN 6 in state 0 is on no list/],
    ['an active count that is off', (raw: Internals) => { raw.activeCount = 3; }, /2 active frames but the count says 3/],
  ])('notices %s', (_, breakIt, message) => {
    const { db, raw } = populated();
    breakIt(raw);
    expect(() => db.checkInvariants()).toThrow(KernelPanic);
    expect(() => db.checkInvariants()).toThrow(message);
  });

  it('notices a page-file slot that is not allocated, and a modified frame keeping a stale copy', () => {
    const { db, pageFile, raw } = populated();
    raw.pageFileSlot[0] = 3;
    expect(() => db.checkInvariants()).toThrow(/PFN 0 names page-file slot 3, which is not allocated/);
    raw.pageFileSlot[0] = 0;
    const slot = pageFile.allocateRun(1)!.slot;
    raw.pageFileSlot[2] = slot;
    expect(() => db.checkInvariants()).toThrow(/modified PFN 2 keeps a stale page-file copy \(slot 1\)/);
    raw.pageFileSlot[2] = 0;
    raw.pageFileSlot[3] = slot; // a clean standby frame may hold its copy
    db.checkInvariants();
  });

  it('notices a slot named when there is no page file at all', () => {
    const { db } = database(2);
    db.allocateFrame(PTE);
    internals(db).pageFileSlot[0] = 1;
    expect(() => db.checkInvariants()).toThrow(/PFN 0 names page-file slot 1, which is not allocated/);
  });
});
