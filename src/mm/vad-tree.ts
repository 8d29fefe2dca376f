// The VAD tree: an AVL tree of non-overlapping Vads keyed by StartingVpn,
// as Windows keeps VadRoot. Callers search for conflicts before inserting.
// Each node also summarises its subtree (lowest start, highest end, largest
// free gap between its VADs), kept up to date wherever heights are, so a
// search for a free range skips whole subtrees that cannot hold it and
// costs O(log n) rather than a walk over every VAD.
import { KernelPanic } from './panic.js';
import type { Vpn } from './layout.js';
import { Vad } from './vad.js';

const heightOf = (node: Vad | null): number => (node ? node.height : 0);

interface SubtreeSummary { startingVpn: Vpn; endingVpn: Vpn; largestGap: number }

/** What a node's summary must be, given its children's. */
function summarize(node: Vad): SubtreeSummary {
  const { left, right } = node;
  return {
    startingVpn: left ? left.subtreeStartingVpn : node.startingVpn,
    endingVpn: right ? right.subtreeEndingVpn : node.endingVpn,
    largestGap: Math.max(
      left ? Math.max(left.subtreeLargestGap, node.startingVpn - left.subtreeEndingVpn - 1) : 0,
      right ? Math.max(right.subtreeLargestGap, right.subtreeStartingVpn - node.endingVpn - 1) : 0,
    ),
  };
}

function update(node: Vad): void {
  node.height = 1 + Math.max(heightOf(node.left), heightOf(node.right));
  const summary = summarize(node);
  node.subtreeStartingVpn = summary.startingVpn;
  node.subtreeEndingVpn = summary.endingVpn;
  node.subtreeLargestGap = summary.largestGap;
}

/** The free pages [low, high] around a subtree could hold `pages` somewhere (a necessary condition). */
function mayHold(node: Vad, low: number, high: number, pages: number): boolean {
  // Stryker disable ConditionalExpression,ArithmeticOperator: `true` for the first test, `+ low` and `high +` only make the condition hold more often (less pruning: the same answer, more slowly)
  return node.subtreeLargestGap >= pages
    || node.subtreeStartingVpn - low >= pages
    || high - node.subtreeEndingVpn >= pages;
  // Stryker restore ConditionalExpression,ArithmeticOperator
}

/** A free-range request: `pages` pages on an `alignment`-page boundary inside [lowVpn, highVpn]. */
interface RangeRequest { pages: number; alignment: number; lowVpn: Vpn; highVpn: Vpn }

/** Lowest fit in the free pages [low, high] around `node`'s subtree, whose neighbours end at low-1 and start at high+1. */
function lowestFit(node: Vad | null, low: number, high: number, request: RangeRequest): Vpn | undefined {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: pruning a free run outside the window; the leaf's own bounds check gives the same answer without it
  if (high < request.lowVpn || low > request.highVpn) return undefined;
  if (!node) {
    const candidate = alignUp(Math.max(low, request.lowVpn), request.alignment);
    return candidate + request.pages - 1 <= Math.min(high, request.highVpn) ? candidate : undefined;
  }
  // Stryker disable next-line ConditionalExpression: never pruning gives the same answer in O(n)
  if (!mayHold(node, low, high, request.pages)) return undefined;
  return lowestFit(node.left, low, node.startingVpn - 1, request)
    ?? lowestFit(node.right, node.endingVpn + 1, high, request);
}

/** Highest fit, the mirror of lowestFit. */
function highestFit(node: Vad | null, low: number, high: number, request: RangeRequest): Vpn | undefined {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: as in lowestFit
  if (high < request.lowVpn || low > request.highVpn) return undefined;
  if (!node) {
    const candidate = alignDown(Math.min(high, request.highVpn) - request.pages + 1, request.alignment);
    return candidate >= Math.max(low, request.lowVpn) ? candidate : undefined;
  }
  // Stryker disable next-line ConditionalExpression: as in lowestFit
  if (!mayHold(node, low, high, request.pages)) return undefined;
  return highestFit(node.right, node.endingVpn + 1, high, request)
    ?? highestFit(node.left, low, node.startingVpn - 1, request);
}

function rotateRight(node: Vad): Vad {
  const pivot = node.left!;
  node.left = pivot.right;
  pivot.right = node;
  update(node);
  update(pivot);
  return pivot;
}

function rotateLeft(node: Vad): Vad {
  const pivot = node.right!;
  node.right = pivot.left;
  pivot.left = node;
  update(node);
  update(pivot);
  return pivot;
}

function rebalance(node: Vad): Vad {
  update(node);
  const balance = heightOf(node.left) - heightOf(node.right);
  if (balance > 1) {
    if (heightOf(node.left!.left) < heightOf(node.left!.right)) node.left = rotateLeft(node.left!);
    return rotateRight(node);
  }
  if (balance < -1) {
    if (heightOf(node.right!.right) < heightOf(node.right!.left)) node.right = rotateRight(node.right!);
    return rotateLeft(node);
  }
  return node;
}

function insertNode(root: Vad | null, vad: Vad): Vad {
  if (!root) return vad;
  // Stryker disable next-line EqualityOperator: two VADs never start on the same page (insert refuses overlaps first)
  if (vad.startingVpn < root.startingVpn) root.left = insertNode(root.left, vad);
  else root.right = insertNode(root.right, vad);
  return rebalance(root);
}

function removeMinimum(root: Vad): { root: Vad | null; minimum: Vad } {
  if (!root.left) return { root: root.right, minimum: root };
  const result = removeMinimum(root.left);
  root.left = result.root;
  return { root: rebalance(root), minimum: result.minimum };
}

function removeNode(root: Vad | null, vad: Vad): Vad | null {
  if (!root) throw new KernelPanic(`removing a VAD not in the tree (${vad.startingVpn.toString(16)})`);
  if (vad === root) {
    if (!root.left || !root.right) return root.left ?? root.right;
    const { root: right, minimum } = removeMinimum(root.right);
    minimum.left = root.left;
    minimum.right = right;
    return rebalance(minimum);
  }
  // Stryker disable next-line EqualityOperator: an equal start here is a VAD not in the tree, which panics down either side
  if (vad.startingVpn < root.startingVpn) root.left = removeNode(root.left, vad);
  else root.right = removeNode(root.right, vad);
  return rebalance(root);
}

export interface VadRange { startingVpn: Vpn; endingVpn: Vpn }

export class VadTree {
  private root: Vad | null = null;
  private count = 0;
  private pages = 0;
  private peakPages = 0;

  get size(): number { return this.count; }
  /** VirtualSize and PeakVirtualSize (VM_COUNTERS), in pages: what the VADs span now and at most. */
  get virtualPages(): number { return this.pages; }
  get peakVirtualPages(): number { return this.peakPages; }
  get rootVad(): Vad | null { return this.root; }

  /** Inserts a VAD that overlaps none in the tree (checked: overlap is a kernel bug). */
  insert(vad: Vad): void {
    if (vad.endingVpn < vad.startingVpn) throw new KernelPanic('VAD ends before it starts');
    const conflict = this.findFirstOverlap(vad.startingVpn, vad.endingVpn);
    if (conflict) throw new KernelPanic(`VAD ${vad.startingVpn.toString(16)} overlaps ${conflict.startingVpn.toString(16)}`);
    vad.left = vad.right = null;
    update(vad);
    this.root = insertNode(this.root, vad);
    this.count++;
    this.pages += vad.endingVpn - vad.startingVpn + 1;
    this.peakPages = Math.max(this.peakPages, this.pages);
  }

  remove(vad: Vad): void {
    this.root = removeNode(this.root, vad);
    vad.left = vad.right = null;
    this.count--;
    this.pages -= vad.endingVpn - vad.startingVpn + 1;
  }

  /** The VAD containing `vpn`, if any. */
  findByVpn(vpn: Vpn): Vad | undefined {
    let node = this.root;
    while (node) {
      if (vpn < node.startingVpn) node = node.left;
      else if (vpn > node.endingVpn) node = node.right;
      else return node;
    }
    return undefined;
  }

  /** The lowest VAD overlapping [startingVpn, endingVpn], if any. */
  findFirstOverlap(startingVpn: Vpn, endingVpn: Vpn): Vad | undefined {
    let node = this.root;
    let best: Vad | undefined;
    while (node) {
      if (node.endingVpn < startingVpn) node = node.right;
      else if (node.startingVpn > endingVpn) node = node.left;
      else { best = node; node = node.left; }
    }
    return best;
  }

  /** The first VAD starting at or after `vpn`. */
  findNextAtOrAfter(vpn: Vpn): Vad | undefined {
    let node = this.root;
    let best: Vad | undefined;
    while (node) {
      if (node.startingVpn >= vpn) { best = node; node = node.left; } else node = node.right;
    }
    return best;
  }

  /** The last VAD starting at or before `vpn`. */
  findPreviousAtOrBefore(vpn: Vpn): Vad | undefined {
    let node = this.root;
    let best: Vad | undefined;
    while (node) {
      if (node.startingVpn <= vpn) { best = node; node = node.right; } else node = node.left;
    }
    return best;
  }

  /**
   * Lowest free range of `pages` pages starting on an `alignment`-page boundary
   * inside [lowVpn, highVpn], or undefined.
   */
  findEmptyRangeBottomUp(pages: number, alignment: number, lowVpn: Vpn, highVpn: Vpn): Vpn | undefined {
    return lowestFit(this.root, 0, Number.MAX_SAFE_INTEGER, { pages, alignment, lowVpn, highVpn });
  }

  /** Highest free range, like MEM_TOP_DOWN. */
  findEmptyRangeTopDown(pages: number, alignment: number, lowVpn: Vpn, highVpn: Vpn): Vpn | undefined {
    return highestFit(this.root, 0, Number.MAX_SAFE_INTEGER, { pages, alignment, lowVpn, highVpn });
  }

  *inOrder(): Generator<Vad> {
    yield* this.inOrderFrom(0);
  }

  /** In-order from the VAD containing or following `vpn`. */
  *inOrderFrom(vpn: Vpn): Generator<Vad> {
    const stack: Vad[] = [];
    let node = this.root;
    while (node) {
      if (node.endingVpn < vpn) node = node.right;
      else { stack.push(node); node = node.left; }
    }
    while (stack.length) {
      const top = stack.pop()!;
      yield top;
      let next = top.right;
      while (next) { stack.push(next); next = next.left; }
    }
  }

  /** Reverse order from the VAD containing or preceding `vpn`. */
  *reverseOrderFrom(vpn: Vpn): Generator<Vad> {
    const stack: Vad[] = [];
    let node = this.root;
    while (node) {
      if (node.startingVpn > vpn) node = node.left;
      else { stack.push(node); node = node.right; }
    }
    while (stack.length) {
      const top = stack.pop()!;
      yield top;
      let next = top.left;
      while (next) { stack.push(next); next = next.right; }
    }
  }

  /** Depth of each VAD from the root (0 for the root), for !vad's level column. */
  levels(): Map<Vad, number> {
    const levels = new Map<Vad, number>();
    const visit = (node: Vad | null, depth: number): void => {
      if (!node) return;
      visit(node.left, depth + 1);
      levels.set(node, depth);
      visit(node.right, depth + 1);
    };
    visit(this.root, 0);
    return levels;
  }

  /** Ordered, non-overlapping, balanced, heights and summaries right, count right; throws KernelPanic. */
  checkInvariants(): void {
    let seen = 0;
    const check = (node: Vad | null, low: number, high: number): number => {
      if (!node) return 0;
      seen++;
      if (node.endingVpn < node.startingVpn) throw new KernelPanic(`VAD ${node.startingVpn.toString(16)} ends before it starts`);
      if (node.startingVpn < low || node.endingVpn > high) throw new KernelPanic(`VAD ${node.startingVpn.toString(16)} out of order or overlapping`);
      const left = check(node.left, low, node.startingVpn - 1);
      const right = check(node.right, node.endingVpn + 1, high);
      if (Math.abs(left - right) > 1) throw new KernelPanic(`VAD tree unbalanced at ${node.startingVpn.toString(16)}`);
      if (node.height !== 1 + Math.max(left, right)) throw new KernelPanic(`VAD height wrong at ${node.startingVpn.toString(16)}`);
      const summary = summarize(node);
      if (summary.startingVpn !== node.subtreeStartingVpn || summary.endingVpn !== node.subtreeEndingVpn
        || summary.largestGap !== node.subtreeLargestGap) {
        throw new KernelPanic(`VAD subtree summary wrong at ${node.startingVpn.toString(16)}`);
      }
      if (node.commitCharge < 0 || node.commitCharge > node.pageCount) throw new KernelPanic(`VAD commit charge ${node.commitCharge} out of range`);
      return node.height;
    };
    check(this.root, 0, Number.MAX_SAFE_INTEGER);
    if (seen !== this.count) throw new KernelPanic(`VAD count ${this.count} but ${seen} nodes`);
  }
}

const alignUp = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;
const alignDown = (value: number, alignment: number): number => Math.floor(value / alignment) * alignment;
