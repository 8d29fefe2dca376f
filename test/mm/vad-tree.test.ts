import { describe, expect, it } from 'vitest';
import { VadTree } from '../../src/mm/vad-tree.js';
import { Vad } from '../../src/mm/vad.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { KernelPanic } from '../../src/mm/panic.js';

const vad = (start: number, end: number): Vad =>
  new Vad({ startingVpn: start, endingVpn: end, protection: MM_READWRITE, privateMemory: true, memCommit: false });

/** Reference searches: a plain walk over the VADs in order, as simple as can be. */
function lowestFreeByWalk(vads: readonly Vad[], pages: number, alignment: number, low: number, high: number): number | undefined {
  const sorted = [...vads].sort((a, b) => a.startingVpn - b.startingVpn);
  for (let candidate = Math.ceil(low / alignment) * alignment; candidate + pages - 1 <= high; candidate += alignment) {
    const end = candidate + pages - 1;
    const blocker = sorted.find((v) => v.startingVpn <= end && v.endingVpn >= candidate);
    if (!blocker) return candidate;
    candidate = Math.ceil((blocker.endingVpn + 1) / alignment) * alignment - alignment;
  }
  return undefined;
}

function highestFreeByWalk(vads: readonly Vad[], pages: number, alignment: number, low: number, high: number): number | undefined {
  const sorted = [...vads].sort((a, b) => b.startingVpn - a.startingVpn);
  for (let candidate = Math.floor((high - pages + 1) / alignment) * alignment; candidate >= low; candidate -= alignment) {
    const end = candidate + pages - 1;
    const blocker = sorted.find((v) => v.startingVpn <= end && v.endingVpn >= candidate);
    if (!blocker) return candidate;
    candidate = Math.floor((blocker.startingVpn - pages) / alignment) * alignment + alignment;
  }
  return undefined;
}

/** A deterministic generator so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('VadTree', () => {
  it('finds by VPN, keeps order and rejects overlaps as a kernel bug', () => {
    const tree = new VadTree();
    const a = vad(0x10, 0x1f), b = vad(0x400, 0x414), c = vad(0x100, 0x10f);
    [a, b, c].forEach((v) => tree.insert(v));
    tree.checkInvariants();
    expect([...tree.inOrder()]).toEqual([a, c, b]);
    expect(tree.findByVpn(0x105)).toBe(c);
    expect(tree.findByVpn(0x20)).toBeUndefined();
    expect(tree.findFirstOverlap(0x1f, 0x100)).toBe(a);
    expect(() => tree.insert(vad(0x410, 0x420))).toThrow(KernelPanic);
    tree.remove(c);
    tree.checkInvariants();
    expect(tree.findByVpn(0x105)).toBeUndefined();
  });

  it('finds free ranges bottom-up and top-down on 64 KiB boundaries', () => {
    const tree = new VadTree();
    tree.insert(vad(0x10, 0x1f));
    tree.insert(vad(0x30, 0x45));
    expect(tree.findEmptyRangeBottomUp(16, 16, 0x10, 0x7ffef)).toBe(0x20);
    expect(tree.findEmptyRangeBottomUp(17, 16, 0x10, 0x7ffef)).toBe(0x50);
    expect(tree.findEmptyRangeTopDown(16, 16, 0x10, 0x7ffef)).toBe(0x7ffe0);
    tree.insert(vad(0x7ffe0, 0x7ffef));
    expect(tree.findEmptyRangeTopDown(16, 16, 0x10, 0x7ffef)).toBe(0x7ffd0);
    expect(tree.findEmptyRangeBottomUp(0x80000, 16, 0x10, 0x7ffef)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(0x80000, 16, 0x10, 0x7ffef)).toBeUndefined();
  });

  // 5,000 steps in the full suite; the fast configuration (mutation testing,
  // which reruns this test for every mutant of the tree) asks for fewer through
  // MMSCOPE_VAD_RANDOM_STEPS: the unit tests below pin each case exactly.
  const steps = Number(process.env.MMSCOPE_VAD_RANDOM_STEPS ?? 5000);
  it(`stays balanced and consistent over ${steps} random inserts and removes`, () => {
    const next = random(1234);
    const tree = new VadTree();
    const live: Vad[] = [];
    for (let step = 0; step < steps; step++) {
      if (live.length && next() < 0.4) {
        const victim = live.splice(Math.floor(next() * live.length), 1)[0]!;
        tree.remove(victim);
      } else {
        const pages = 1 + Math.floor(next() * 64);
        // Alignments of 1 and 16 pages, and windows that cut through VADs.
        const alignment = next() < 0.7 ? 16 : 1;
        const low = next() < 0.8 ? 0x10 : 0x10 + Math.floor(next() * 0x2000);
        const high = next() < 0.8 ? 0x7ffef : low + Math.floor(next() * 0x4000);
        const bottomUp = next() < 0.5;
        const start = bottomUp
          ? tree.findEmptyRangeBottomUp(pages, alignment, low, high)
          : tree.findEmptyRangeTopDown(pages, alignment, low, high);
        const reference = bottomUp
          ? lowestFreeByWalk(live, pages, alignment, low, high)
          : highestFreeByWalk(live, pages, alignment, low, high);
        expect(start).toBe(reference);
        if (start === undefined) continue;
        expect(tree.findFirstOverlap(start, start + pages - 1)).toBeUndefined();
        const created = vad(start, start + pages - 1);
        tree.insert(created);
        live.push(created);
      }
      tree.checkInvariants();
      expect(tree.size).toBe(live.length);
    }
    for (const v of live) expect(tree.findByVpn(v.startingVpn + Math.floor((v.endingVpn - v.startingVpn) / 2))).toBe(v);
    const height = tree.rootVad?.height ?? 0;
    expect(height).toBeLessThanOrEqual(Math.ceil(1.45 * Math.log2(live.length + 2)));
  });

  it('the checker catches a broken tree', () => {
    const tree = new VadTree();
    const a = vad(0x10, 0x1f);
    tree.insert(a);
    tree.insert(vad(0x30, 0x3f));
    const height = a.height;
    a.height = 7;
    expect(() => tree.checkInvariants()).toThrow(/height/);
    a.height = height;
    tree.checkInvariants();
    tree.rootVad!.subtreeLargestGap = 0;
    expect(() => tree.checkInvariants()).toThrow(/summary/);
  });
});

describe('VadTree: walks, sizes and the invariant checker', () => {
  /** 0x10-0x1f, 0x30-0x3f, 0x50-0x5f, 0x70-0x7f, 0x90-0x9f inserted in order: an AVL tree rooted at 0x30. */
  function five() {
    const tree = new VadTree();
    const vads = [0x10, 0x30, 0x50, 0x70, 0x90].map((start) => vad(start, start + 0xf));
    vads.forEach((v) => tree.insert(v));
    return { tree, vads };
  }

  it('walks forward from the VAD holding or following a VPN, backward from the one holding or preceding it', () => {
    const { tree, vads } = five();
    const starts = (list: Iterable<Vad>) => [...list].map((v) => v.startingVpn);
    expect(starts(tree.inOrderFrom(0x35))).toEqual([0x30, 0x50, 0x70, 0x90]);
    expect(starts(tree.inOrderFrom(0x40))).toEqual([0x50, 0x70, 0x90]);
    expect(starts(tree.inOrderFrom(0x3f))).toEqual([0x30, 0x50, 0x70, 0x90]);
    expect(starts(tree.inOrderFrom(0xa0))).toEqual([]);
    expect(starts(tree.reverseOrderFrom(0x55))).toEqual([0x50, 0x30, 0x10]);
    expect(starts(tree.reverseOrderFrom(0x4f))).toEqual([0x30, 0x10]);
    expect(starts(tree.reverseOrderFrom(0x50))).toEqual([0x50, 0x30, 0x10]);
    expect(starts(tree.reverseOrderFrom(0x0f))).toEqual([]);
    expect(tree.findNextAtOrAfter(0x30)).toBe(vads[1]);
    expect(tree.findNextAtOrAfter(0x31)).toBe(vads[2]);
    expect(tree.findNextAtOrAfter(0x91)).toBeUndefined();
    expect(tree.findPreviousAtOrBefore(0x70)).toBe(vads[3]);
    expect(tree.findPreviousAtOrBefore(0x6f)).toBe(vads[2]);
    expect(tree.findPreviousAtOrBefore(0x0f)).toBeUndefined();
    expect(tree.findFirstOverlap(0x20, 0x2f)).toBeUndefined();
    expect(tree.findFirstOverlap(0x1f, 0x1f)).toBe(vads[0]);
    expect(tree.findFirstOverlap(0x60, 0x90)).toBe(vads[3]);
    expect(tree.findByVpn(0x9f)).toBe(vads[4]);
    expect(tree.findByVpn(0xa0)).toBeUndefined();
  });

  it('levels: the root is 0, its children 1, theirs 2 (a balanced tree of five)', () => {
    const { tree, vads } = five();
    const levels = tree.levels();
    expect(tree.rootVad).toBe(vads[1]);
    expect(vads.map((v) => levels.get(v))).toEqual([1, 0, 2, 1, 2]);
  });

  it('VirtualSize and its peak in pages: 16 per VAD, the peak stays after a removal', () => {
    const { tree, vads } = five();
    expect(tree.size).toBe(5);
    expect(tree.virtualPages).toBe(5 * 16);
    tree.remove(vads[2]!);
    expect(tree.size).toBe(4);
    expect(tree.virtualPages).toBe(4 * 16);
    expect(tree.peakVirtualPages).toBe(5 * 16);
    tree.checkInvariants();
  });

  it('free ranges that fit exactly: a gap of exactly the size asked, bounds that end exactly at the fit', () => {
    const { tree } = five();
    // Gaps of 0x10 pages at 0x20, 0x40, 0x60, 0x80; nothing below 0x10 is asked for here.
    expect(tree.findEmptyRangeBottomUp(0x10, 0x10, 0x20, 0xfff)).toBe(0x20);
    expect(tree.findEmptyRangeBottomUp(0x11, 0x10, 0x20, 0xfff)).toBe(0xa0);
    expect(tree.findEmptyRangeBottomUp(0x10, 0x10, 0x21, 0xfff)).toBe(0x40);
    expect(tree.findEmptyRangeBottomUp(0x10, 0x10, 0x41, 0x6f)).toBe(0x60);
    expect(tree.findEmptyRangeBottomUp(0x10, 0x10, 0x41, 0x6e)).toBeUndefined();
    expect(tree.findEmptyRangeBottomUp(0x8, 0x1, 0x24, 0x2b)).toBe(0x24);
    expect(tree.findEmptyRangeTopDown(0x10, 0x10, 0x0, 0x8f)).toBe(0x80);
    expect(tree.findEmptyRangeTopDown(0x10, 0x10, 0x0, 0x8e)).toBe(0x60);
    expect(tree.findEmptyRangeTopDown(0x10, 0x10, 0x61, 0x8e)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(0x11, 0x10, 0x0, 0xaf)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(0x11, 0x10, 0x0, 0xb0)).toBe(0xa0);
    expect(tree.findEmptyRangeTopDown(0x4, 0x1, 0x0, 0x0f)).toBe(0xc);
    expect(tree.findEmptyRangeBottomUp(0x10, 0x10, 0x0, 0xf)).toBe(0x0);
  });

  it('refuses a VAD that ends before it starts and the removal of one it does not hold', () => {
    const { tree } = five();
    expect(() => tree.insert(vad(0x200, 0x1ff))).toThrow(/ends before it starts/);
    expect(() => tree.remove(vad(0x200, 0x20f))).toThrow(/not in the tree \(200\)/);
    expect(() => tree.insert(vad(0x9f, 0xa0))).toThrow(/VAD 9f overlaps 90/);
  });

  it.each([
    ['a height', (vads: Vad[]) => { vads[1]!.height = 5; }, /VAD height wrong at 30/],
    ['a subtree summary', (vads: Vad[]) => { vads[3]!.subtreeLargestGap = 0; }, /VAD subtree summary wrong at 70/],
    ['the order', (vads: Vad[]) => { vads[4]!.startingVpn = 0x60; vads[4]!.endingVpn = 0x65; }, /VAD 60 out of order or overlapping/],
    ['an end before the start', (vads: Vad[]) => { vads[0]!.endingVpn = 0x0f; }, /VAD 10 ends before it starts/],
    ['a commit charge above the VAD\'s pages', (vads: Vad[]) => { vads[2]!.commitCharge = 17; }, /VAD commit charge 17 out of range/],
    ['a negative commit charge', (vads: Vad[]) => { vads[2]!.commitCharge = -1; }, /VAD commit charge -1 out of range/],
    ['the balance', (vads: Vad[]) => { vads[3]!.left = null; vads[3]!.right = null; vads[3]!.height = 1; }, /unbalanced at 30|count 5 but 3 nodes|summary wrong/],
  ])('the invariant checker notices %s', (_name, corrupt, message) => {
    const { tree, vads } = five();
    tree.checkInvariants();
    corrupt(vads);
    expect(() => tree.checkInvariants()).toThrow(message);
  });

  it('the invariant checker accepts a commit charge of exactly the VAD\'s pages and counts the nodes', () => {
    const { tree, vads } = five();
    vads[2]!.commitCharge = 16;
    tree.checkInvariants();
    (tree as unknown as { count: number }).count = 6;
    expect(() => tree.checkInvariants()).toThrow('VAD count 6 but 5 nodes');
  });
});
