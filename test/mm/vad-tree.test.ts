import { describe, expect, it } from 'vitest';
import { VadTree } from '../../src/mm/vad-tree.js';
import { Vad } from '../../src/mm/vad.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { KernelPanic } from '../../src/mm/panic.js';

const vad = (start: number, end: number): Vad =>
  new Vad({ startingVpn: start, endingVpn: end, protection: MM_READWRITE, privateMemory: true, memCommit: false });

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
        const start = next() < 0.5
          ? tree.findEmptyRangeBottomUp(pages, 16, 0x10, 0x7ffef)
          : tree.findEmptyRangeTopDown(pages, 16, 0x10, 0x7ffef);
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
    a.height = 7;
    expect(() => tree.checkInvariants()).toThrow(/height/);
  });
});
