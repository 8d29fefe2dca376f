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

  it('stays balanced and consistent over thousands of random inserts and removes', () => {
    const next = random(1234);
    const tree = new VadTree();
    const live: Vad[] = [];
    for (let step = 0; step < 5000; step++) {
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
