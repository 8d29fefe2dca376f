// Exact AVL shapes and subtree summaries of small VAD trees. Every expected
// shape is worked out by hand from the AVL rules (a single rotation when the
// heavy child leans the same way or is even, a double rotation when it leans
// the other way; a node with two children is replaced by its in-order
// successor), and every summary from the VADs' own page numbers, so a wrong
// rotation or summary that leaves the tree balanced and ordered (which the
// invariant checker accepts) still fails here.
import { describe, expect, it } from 'vitest';
import { VadTree } from '../../src/mm/vad-tree.js';
import { Vad } from '../../src/mm/vad.js';
import { MM_READWRITE } from '../../src/mm/protection.js';

/** VAD number n spans VPNs n*0x10 .. n*0x10+0xf (16 pages, 64 KiB). */
const vadNumber = (n: number): Vad =>
  new Vad({ startingVpn: n * 0x10, endingVpn: n * 0x10 + 0xf, protection: MM_READWRITE, privateMemory: true, memCommit: false });

/** The tree as "root(left,right)" in VAD numbers, "." for an empty child, leaves bare. */
function shape(node: Vad | null): string {
  if (!node) return '.';
  const n = (node.startingVpn / 0x10).toString();
  if (!node.left && !node.right) return n;
  return `${n}(${shape(node.left)},${shape(node.right)})`;
}

function build(...numbers: number[]): { tree: VadTree; vads: Map<number, Vad> } {
  const tree = new VadTree();
  const vads = new Map<number, Vad>();
  for (const n of numbers) {
    const v = vadNumber(n);
    vads.set(n, v);
    tree.insert(v);
  }
  tree.checkInvariants();
  return { tree, vads };
}

describe('VadTree shapes: the four insert rotations', () => {
  it.each([
    ['left-left: a single right rotation', [3, 2, 1], '2(1,3)'],
    ['right-right: a single left rotation', [1, 2, 3], '2(1,3)'],
    ['left-right: a left then a right rotation', [3, 1, 2], '2(1,3)'],
    ['right-left: a right then a left rotation', [1, 3, 2], '2(1,3)'],
    ['seven in order: a perfect tree', [1, 2, 3, 4, 5, 6, 7], '4(2(1,3),6(5,7))'],
    ['seven in reverse: a perfect tree', [7, 6, 5, 4, 3, 2, 1], '4(2(1,3),6(5,7))'],
    ['a right-left below the root', [2, 1, 5, 6, 3, 4], '3(2(1,.),5(4,6))'],
    ['a left-right below the root', [5, 6, 2, 1, 4, 3], '4(2(1,3),5(.,6))'],
  ])('%s', (_name, order, expected) => {
    const { tree } = build(...order);
    expect(shape(tree.rootVad)).toBe(expected);
  });

  it('heights: a leaf is 1, the root of seven in a perfect tree is 3', () => {
    const { tree, vads } = build(1, 2, 3, 4, 5, 6, 7);
    expect(tree.rootVad!.height).toBe(3);
    expect(vads.get(2)!.height).toBe(2);
    expect(vads.get(7)!.height).toBe(1);
  });
});

describe('VadTree shapes: removals', () => {
  it.each([
    // 4(2(1,3),6): removing 6 leaves the left child even (1 and 3): a single rotation.
    ['a removal that leaves the heavy child even', [4, 2, 6, 1, 3], 6, '2(1,4(3,.))'],
    ['its mirror', [2, 1, 4, 3, 5], 1, '4(2(.,3),5)'],
    // 3(2(1,.),4): removing 4 leaves 2 leaning left: a single rotation.
    ['a removal that leaves the heavy child leaning the same way', [3, 2, 4, 1], 4, '2(1,3)'],
    // 3(1(.,2),4): removing 4 leaves 1 leaning right: a double rotation.
    ['a removal that leaves the heavy child leaning the other way', [3, 1, 4, 2], 4, '2(1,3)'],
    ['its mirror', [2, 1, 4, 3], 1, '3(2,4)'],
    // A node with two children is replaced by the lowest VAD of its right subtree.
    ['the root with two children', [2, 1, 3], 2, '3(1,.)'],
    ['the root, its successor deep in the right subtree', [4, 2, 6, 1, 3, 5, 7], 4, '5(2(1,3),6(.,7))'],
    ['a leaf', [2, 1, 3], 3, '2(1,.)'],
    ['a node with one child', [2, 1, 3, 4], 3, '2(1,4)'],
    ['removing the minimum rebalances on the way up', [4, 2, 6, 1, 5, 7, 8], 6, '4(2(1,.),7(5,8))'],
    ['removing the successor unbalances the right subtree', [3, 2, 5, 1, 4, 6, 7], 3, '4(2(1,.),6(5,7))'],
  ])('%s', (_name, order, removed, expected) => {
    const { tree, vads } = build(...order);
    tree.remove(vads.get(removed)!);
    tree.checkInvariants();
    expect(shape(tree.rootVad)).toBe(expected);
    const removedVad = vads.get(removed)!;
    expect(removedVad.left).toBeNull();
    expect(removedVad.right).toBeNull();
  });
});

describe('VadTree subtree summaries (lowest start, highest end, largest gap)', () => {
  it('of a perfect tree of 1, 3, 5, 7, 9, 11, 13 (gaps of 16 pages) after removing 9 (a gap of 48)', () => {
    const { tree, vads } = build(7, 3, 11, 1, 5, 9, 13);
    const root = tree.rootVad!;
    expect(root).toBe(vads.get(7));
    // 1 starts at 0x10 and 13 ends at 0xdf; the gaps between them are 16 pages each.
    expect([root.subtreeStartingVpn, root.subtreeEndingVpn, root.subtreeLargestGap]).toEqual([0x10, 0xdf, 0x10]);
    const left = vads.get(3)!;
    expect([left.subtreeStartingVpn, left.subtreeEndingVpn, left.subtreeLargestGap]).toEqual([0x10, 0x5f, 0x10]);
    const leaf = vads.get(13)!;
    expect([leaf.subtreeStartingVpn, leaf.subtreeEndingVpn, leaf.subtreeLargestGap]).toEqual([0xd0, 0xdf, 0]);
    tree.remove(vads.get(9)!);
    // 7 ends at 0x7f, 11 starts at 0xb0: 0x80..0xaf free, 48 pages.
    expect([root.subtreeStartingVpn, root.subtreeEndingVpn, root.subtreeLargestGap]).toEqual([0x10, 0xdf, 0x30]);
    const right = vads.get(11)!;
    expect([right.subtreeStartingVpn, right.subtreeEndingVpn, right.subtreeLargestGap]).toEqual([0xb0, 0xdf, 0x10]);
    tree.remove(vads.get(1)!);
    expect([root.subtreeStartingVpn, root.subtreeEndingVpn, root.subtreeLargestGap]).toEqual([0x30, 0xdf, 0x30]);
    tree.remove(vads.get(13)!);
    expect([root.subtreeStartingVpn, root.subtreeEndingVpn, root.subtreeLargestGap]).toEqual([0x30, 0xbf, 0x30]);
  });

  it('gaps on the left of a node count as much as those on its right', () => {
    // 5(1,6): the gap 0x20..0x4f (48 pages) lies between the left child and the root.
    const { tree } = build(5, 1, 6);
    expect(tree.rootVad!.subtreeLargestGap).toBe(0x30);
    // 2(1,6): the gap 0x30..0x5f lies between the root and the right child.
    const other = build(2, 1, 6).tree;
    expect(other.rootVad!.subtreeLargestGap).toBe(0x30);
    // A gap inside the left child's own subtree: 8(2(1,6),9) has 0x30..0x5f inside 2's subtree.
    const deep = build(8, 2, 9, 1, 6).tree;
    expect(deep.rootVad!.subtreeLargestGap).toBe(0x30);
    // ...and inside the right child's: 2(1,5(4,9)) has 0x60..0x8f (48) inside 5's subtree.
    const deepRight = build(2, 1, 5, 4, 9).tree;
    expect(deepRight.rootVad!.subtreeLargestGap).toBe(0x30);
  });

  it('a rotation recomputes the summaries of both nodes it moves', () => {
    // 1, 2, 4 in order: the root 1 rotates left under 2; 2's subtree spans 0x10..0x4f with a 16-page gap.
    const { tree, vads } = build(1, 2, 4);
    const one = vads.get(1)!, two = vads.get(2)!;
    expect(tree.rootVad).toBe(two);
    expect([one.subtreeStartingVpn, one.subtreeEndingVpn, one.subtreeLargestGap, one.height]).toEqual([0x10, 0x1f, 0, 1]);
    expect([two.subtreeStartingVpn, two.subtreeEndingVpn, two.subtreeLargestGap, two.height]).toEqual([0x10, 0x4f, 0x10, 2]);
    const mirror = build(4, 3, 1);
    const three = mirror.vads.get(3)!, four = mirror.vads.get(4)!;
    expect(mirror.tree.rootVad).toBe(three);
    expect([four.subtreeStartingVpn, four.subtreeEndingVpn, four.subtreeLargestGap, four.height]).toEqual([0x40, 0x4f, 0, 1]);
    expect([three.subtreeStartingVpn, three.subtreeEndingVpn, three.subtreeLargestGap, three.height]).toEqual([0x10, 0x4f, 0x10, 2]);
  });
});

describe('VadTree free-range searches skip only subtrees that cannot hold the request', () => {
  // 2(1,6): free 0x00..0x0f (16), 0x30..0x5f (48), 0x70.. (open).
  it('a gap wide enough only before the lowest VAD, after the highest, or between', () => {
    const { tree } = build(2, 1, 6);
    expect(tree.findEmptyRangeBottomUp(0x10, 1, 0, 0xfff)).toBe(0);
    expect(tree.findEmptyRangeBottomUp(0x11, 1, 0, 0xfff)).toBe(0x30);
    expect(tree.findEmptyRangeBottomUp(0x30, 1, 0, 0xfff)).toBe(0x30);
    expect(tree.findEmptyRangeBottomUp(0x31, 1, 0, 0xfff)).toBe(0x70);
    expect(tree.findEmptyRangeTopDown(0x30, 1, 0, 0x6f)).toBe(0x30);
    expect(tree.findEmptyRangeTopDown(0x31, 1, 0, 0x6f)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(0x10, 1, 0, 0x2f)).toBe(0);
    expect(tree.findEmptyRangeTopDown(0x11, 1, 0, 0x2f)).toBeUndefined();
    // A window that starts inside the free run before the lowest VAD.
    expect(tree.findEmptyRangeBottomUp(0x8, 1, 0x8, 0xfff)).toBe(0x8);
    expect(tree.findEmptyRangeBottomUp(0x9, 1, 0x8, 0xfff)).toBe(0x30);
    // A window that ends inside the free run after the highest VAD.
    expect(tree.findEmptyRangeTopDown(0x8, 1, 0, 0x77)).toBe(0x70);
    expect(tree.findEmptyRangeTopDown(0x9, 1, 0, 0x77)).toBe(0x57); // the top of 0x30..0x5f
    // Aligned on 0x20: 0x20 pages fit at 0x40 (0x40..0x5f, free); 0x30 pages from 0x80 only
    // (0x40..0x6f runs into VAD 6), and not at all below 0x80.
    expect(tree.findEmptyRangeBottomUp(0x20, 0x20, 0, 0xfff)).toBe(0x40);
    expect(tree.findEmptyRangeBottomUp(0x30, 0x20, 0, 0xfff)).toBe(0x80);
    expect(tree.findEmptyRangeTopDown(0x30, 0x20, 0, 0x7f)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(0x10, 0x20, 0, 0x7f)).toBe(0x40);
  });

  it('an empty tree: the window itself, aligned', () => {
    const tree = new VadTree();
    expect(tree.findEmptyRangeBottomUp(4, 0x10, 0x11, 0x40)).toBe(0x20);
    expect(tree.findEmptyRangeTopDown(4, 0x10, 0x11, 0x40)).toBe(0x30);
    expect(tree.findEmptyRangeBottomUp(4, 0x10, 0x11, 0x22)).toBeUndefined();
    expect(tree.findEmptyRangeBottomUp(4, 0x10, 0x11, 0x23)).toBe(0x20);
    expect(tree.findEmptyRangeTopDown(4, 0x10, 0x21, 0x33)).toBe(0x30);
    expect(tree.findEmptyRangeTopDown(4, 0x10, 0x31, 0x40)).toBeUndefined();
  });

  it('windows wholly inside one VAD, or beyond every VAD', () => {
    const { tree } = build(2, 1, 6);
    expect(tree.findEmptyRangeBottomUp(1, 1, 0x60, 0x6f)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(1, 1, 0x60, 0x6f)).toBeUndefined();
    expect(tree.findEmptyRangeBottomUp(1, 1, 0x100, 0x100)).toBe(0x100);
    expect(tree.findEmptyRangeTopDown(1, 1, 0x100, 0x100)).toBe(0x100);
  });
});

describe('VadTree free-range searches at the edges of a window and of a gap', () => {
  it('a window of one page at either end of a free run', () => {
    // 1(0x10-0x1f) and 3(0x30-0x3f): the free run 0x20..0x2f.
    const { tree } = build(1, 3);
    expect(tree.findEmptyRangeBottomUp(1, 1, 0x2f, 0x2f)).toBe(0x2f);
    expect(tree.findEmptyRangeBottomUp(1, 1, 0x20, 0x20)).toBe(0x20);
    expect(tree.findEmptyRangeTopDown(1, 1, 0x2f, 0x2f)).toBe(0x2f);
    expect(tree.findEmptyRangeTopDown(1, 1, 0x20, 0x20)).toBe(0x20);
    expect(tree.findEmptyRangeBottomUp(1, 1, 0x1f, 0x1f)).toBeUndefined();
    expect(tree.findEmptyRangeTopDown(1, 1, 0x30, 0x30)).toBeUndefined();
  });

  it('a gap of exactly the size asked, deep inside the tree between tight neighbours', () => {
    // VADs 0..20 without 9: the only gap is 0x90..0x9f (16 pages), wherever the tree put it.
    const numbers = Array.from({ length: 21 }, (_, n) => n).filter((n) => n !== 9);
    for (const order of [numbers, [...numbers].reverse()]) {
      const { tree } = build(...order);
      expect(tree.findEmptyRangeBottomUp(16, 1, 0, 0xfff)).toBe(0x90);
      expect(tree.findEmptyRangeBottomUp(17, 1, 0, 0xfff)).toBe(0x150);
      expect(tree.findEmptyRangeTopDown(16, 1, 0, 0x14f)).toBe(0x90);
      expect(tree.findEmptyRangeTopDown(16, 16, 0, 0x14f)).toBe(0x90);
    }
  });

  it('the first overlap of a range that ends on a VAD\'s first page', () => {
    const { tree, vads } = build(3, 1, 5);
    expect(tree.findFirstOverlap(0x20, 0x30)).toBe(vads.get(3));
    expect(tree.findFirstOverlap(0x40, 0x50)).toBe(vads.get(5));
    expect(tree.findFirstOverlap(0x00, 0x10)).toBe(vads.get(1));
    expect(tree.findFirstOverlap(0x20, 0x2f)).toBeUndefined();
  });
});

describe('VadTree invariant checker: each check on its own', () => {
  const asMutable = (v: Vad) => v as unknown as { startingVpn: number; endingVpn: number };

  it('a left child that ends on its parent\'s first page overlaps it', () => {
    const { tree, vads } = build(3, 1, 5);
    asMutable(vads.get(1)!).endingVpn = 0x30;
    expect(() => tree.checkInvariants()).toThrow('VAD 10 out of order or overlapping');
  });

  it('a left child that ends past its parent overlaps it', () => {
    const { tree, vads } = build(3, 1, 5);
    asMutable(vads.get(1)!).endingVpn = 0x35;
    expect(() => tree.checkInvariants()).toThrow('VAD 10 out of order or overlapping');
  });

  it('a right child that starts on its parent\'s last page overlaps it', () => {
    const { tree, vads } = build(3, 1, 5);
    asMutable(vads.get(5)!).startingVpn = 0x3f;
    expect(() => tree.checkInvariants()).toThrow('VAD 3f out of order or overlapping');
  });

  it('a chain of three, its heights and summaries right, is unbalanced at its root', () => {
    const { tree, vads } = build(2, 1, 3);
    const [one, two, three] = [vads.get(1)!, vads.get(2)!, vads.get(3)!];
    // Re-link as 1 → 2 → 3 down the right, with what each node's fields must then hold.
    (tree as unknown as { root: Vad }).root = one;
    one.left = null; one.right = two; two.left = null; two.right = three;
    one.height = 3; two.height = 2; three.height = 1;
    Object.assign(one, { subtreeStartingVpn: 0x10, subtreeEndingVpn: 0x3f, subtreeLargestGap: 0 });
    Object.assign(two, { subtreeStartingVpn: 0x20, subtreeEndingVpn: 0x3f, subtreeLargestGap: 0 });
    expect(() => tree.checkInvariants()).toThrow('VAD tree unbalanced at 10');
  });

  it.each([
    ['lowest start', { subtreeStartingVpn: 0x20 }],
    ['highest end', { subtreeEndingVpn: 0x4f }],
    ['largest gap', { subtreeLargestGap: 1 }],
  ])('a wrong %s in a node\'s summary', (_what, wrong) => {
    const { tree, vads } = build(3, 1, 5);
    Object.assign(vads.get(3)!, wrong);
    expect(() => tree.checkInvariants()).toThrow('VAD subtree summary wrong at 30');
  });
});
