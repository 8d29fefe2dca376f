// Host memory behind the guest: a 4 GiB reservation that Unicorn sees as its
// whole flat address space, and physical RAM as a memfd. Making a guest page
// real is one mmap of the frame's memfd offset over the page's place in the
// reservation, so two PTEs naming one frame really alias.
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { HostMappingBudget } from './host-mapping-budget.js';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_NORESERVE = 0x4000;
const MAP_POPULATE = 0x8000;
const MFD_CLOEXEC = 1;

export const PAGE_SIZE = 4096;
export const GUEST_SPACE_SIZE = 2 ** 32;

interface Libc {
  mmap(addr: number, len: number, prot: number, flags: number, fd: number, off: number): number;
  mmapPointer(addr: null, len: number, prot: number, flags: number, fd: number, off: number): unknown;
  munmap(addr: number, len: number): number;
  memfdCreate(name: string, flags: number): number;
  ftruncate(fd: number, len: number): number;
  close(fd: number): number;
  errno(): number;
  strerror(errnum: number): string;
}

/** (void *)-1 arrives as a BigInt or a number beyond user space. */
function mapFailed(address: number | bigint): boolean {
  return typeof address !== 'number' || address >= 2 ** 47;
}

let libc: Libc | undefined;
function loadLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const errnoLocation = lib.func('int *__errno_location()');
  libc = {
    mmap: lib.func('uintptr_t mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, int64_t off)'),
    mmapPointer: lib.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)'),
    munmap: lib.func('int munmap(uintptr_t addr, size_t len)'),
    memfdCreate: lib.func('int memfd_create(const char *name, unsigned int flags)'),
    ftruncate: lib.func('int ftruncate(int fd, int64_t len)'),
    close: lib.func('int close(int fd)'),
    errno: () => koffi.decode(errnoLocation(), 'int') as number,
    strerror: lib.func('const char *strerror(int errnum)'),
  };
  return libc;
}

export class HostMemoryError extends Error {
  readonly errno: number;
  constructor(call: string, c: Libc) {
    const errno = c.errno();
    super(`${call} failed: ${c.strerror(errno)} (errno ${errno})`);
    this.name = 'HostMemoryError';
    this.errno = errno;
  }
}

/** ENOMEM: the host refused a mapping (vm.max_map_count reached, or no address space). */
export const ERRNO_ENOMEM = 12;

/** The host's vm.max_map_count (65,530 by default), or that default if it cannot be read. */
export function readMaxMapCount(): number {
  try {
    const value = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8').trim());
    return Number.isSafeInteger(value) && value > 0 ? value : 65530;
  } catch {
    return 65530;
  }
}

/** Physical RAM: a memfd of `frameCount` pages, also mapped once for the kernel. */
export class PhysicalRamFile {
  readonly fd: number;
  readonly bytes: Uint8Array;
  private readonly hostAddress: number;
  private readonly size: number;

  constructor(readonly frameCount: number) {
    const c = loadLibc();
    this.size = frameCount * PAGE_SIZE;
    this.fd = c.memfdCreate('mmscope-ram', MFD_CLOEXEC);
    if (this.fd < 0) throw new HostMemoryError('memfd_create', c);
    if (c.ftruncate(this.fd, this.size) !== 0) throw new HostMemoryError('ftruncate', c);
    const pointer = c.mmapPointer(null, this.size, PROT_READ | PROT_WRITE, MAP_SHARED, this.fd, 0);
    this.hostAddress = Number(koffi.address(pointer));
    if (mapFailed(this.hostAddress)) throw new HostMemoryError('mmap(ram)', c);
    this.bytes = new Uint8Array(koffi.view(pointer, this.size) as ArrayBuffer);
  }

  dispose(): void {
    const c = loadLibc();
    c.munmap(this.hostAddress, this.size);
    c.close(this.fd);
  }
}

/**
 * The guest's 4 GiB as host address space; pages alias RAM frames once made real.
 *
 * One mmap per fault was a fifth of a demand-zero fault's cost, so aliasing
 * is speculative: making page P reach frame F also points the following
 * pages that reach nothing (up to ALIAS_RUN_PAGES) at F+1, F+2, ... in the
 * same mmap, since the frame database hands out consecutive frames to
 * consecutive faults; a later fault whose frame matches costs no host call.
 * This is safe because the guest only reaches a page's host memory through
 * a valid PTE (the CPU walks the page tables first): where the PTE is not
 * valid, what the host mapping shows does not matter and is not specified.
 */
export class GuestSpaceReservation {
  readonly hostAddress: number;
  /** The frame each guest page's host mapping reaches, -1 for none (anonymous memory). */
  private readonly aliasOf = new Int32Array(GUEST_SPACE_SIZE / PAGE_SIZE).fill(-1);
  /** The page and frame just after the last run mapped: a fault there continues a sequential stream. */
  private streamPage = -1;
  private streamPfn = -1;
  private readonly mappings = new HostMappingBudget(() => this.mappingCount);
  /** The guest's whole space as the host maps it (what a page without a valid PTE shows is unspecified). */
  readonly bytes: Uint8Array;
  /** The page's alias was asked for (a valid PTE needs it), not made speculatively. */
  private readonly confirmed = new Uint8Array(GUEST_SPACE_SIZE / PAGE_SIZE);
  /**
   * Places where two neighbouring pages cannot share one host mapping (not
   * both anonymous, and not consecutive frames): the host mappings of the
   * reservation number this plus one. Kept as aliases change.
   */
  private boundaries = 0;

  constructor(private readonly ram: PhysicalRamFile) {
    const c = loadLibc();
    const pointer = c.mmapPointer(null, GUEST_SPACE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    this.hostAddress = Number(koffi.address(pointer));
    if (mapFailed(this.hostAddress)) throw new HostMemoryError('mmap(4 GiB reservation)', c);
    this.bytes = new Uint8Array(koffi.view(pointer, GUEST_SPACE_SIZE) as ArrayBuffer);
  }

  /** Whether the host can take one more alias (see host-mapping-budget.ts). */
  hasMappingRoom(): boolean {
    return this.mappings.hasRoom();
  }

  /** The host mappings (VMAs) the reservation is split into, as the host counts them against vm.max_map_count. */
  get mappingCount(): number { return this.boundaries + 1; }

  /** The RAM frame the host mapping of the guest page at `pageAddress` reaches, -1 for none (what the last process left there, if its PTE is not valid). */
  aliasedFrameAt(pageAddress: number): number {
    return this.aliasOf[pageAddress >>> 12]!;
  }

  /** Backs the guest page at `pageAddress` with RAM frame `pfn` (and, speculatively, the free pages after it with the next frames). */
  aliasFrame(pageAddress: number, pfn: number): void {
    const page = pageAddress >>> 12;
    this.confirmed[page] = 1;
    if (this.aliasOf[page] === pfn) return;
    let count = 1;
    const limit = Math.min(ALIAS_RUN_PAGES, this.aliasOf.length - page, this.ram.frameCount - pfn);
    while (count < limit && this.aliasOf[page + count] === -1) count++;
    // A run that continues a sequential stream is populated at once: one host call instead of a host
    // page fault per page (~10 % of a demand-zero fault). Scattered faults are not: populating 64
    // pages for one would cost more than it saves.
    const populate = page === this.streamPage && pfn === this.streamPfn ? MAP_POPULATE : 0;
    const c = loadLibc();
    const at = this.hostAddress + pageAddress;
    const r = c.mmap(at, count * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | populate, this.ram.fd, pfn * PAGE_SIZE);
    if (r !== at) throw new HostMemoryError('mmap(frame alias)', c);
    this.setAliases(page, count, pfn);
    this.streamPage = page + count;
    this.streamPfn = pfn + count;
  }

  /**
   * Backs the `count` guest pages from `pageAddress` with frames `firstPfn`,
   * `firstPfn + 1`, … in one host call, whatever they reached before (an
   * address-space switch: the incoming process's consecutive pages on
   * consecutive frames).
   */
  aliasFrameRun(pageAddress: number, firstPfn: number, count: number): void {
    const page = pageAddress >>> 12;
    const c = loadLibc();
    const at = this.hostAddress + pageAddress;
    const r = c.mmap(at, count * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, this.ram.fd, firstPfn * PAGE_SIZE);
    if (r !== at) throw new HostMemoryError('mmap(frame alias)', c);
    this.setAliases(page, count, firstPfn);
    this.confirmed.fill(1, page, page + count);
  }

  /**
   * The page's mapping is no longer needed (no valid PTE there: the page was
   * trimmed, decommitted or freed, or belongs to a process not running) but
   * stays until something replaces it: no host call. What it shows is
   * unreachable, since the CPU walks the page tables first, and a soft fault
   * that makes the page valid again with the same frame finds it in place.
   * It now counts as speculative, so dropSpeculativeAliases may take it.
   */
  releaseAlias(pageAddress: number): void {
    this.confirmed[pageAddress >>> 12] = 0;
  }

  /**
   * Puts anonymous memory back under [start, start + length) in one call:
   * every alias there (speculative ones included) goes, and the host's
   * mappings of the range collapse into one. The caller aliases again the
   * pages that must stay reachable.
   */
  dropRange(start: number, length: number): void {
    this.mapAnonymous(start / PAGE_SIZE, length / PAGE_SIZE);
    this.confirmed.fill(0, start / PAGE_SIZE, (start + length) / PAGE_SIZE);
  }

  /**
   * Drops the speculative and released aliases no valid PTE needs where that
   * makes the host's mappings fewer: stale ones split the reservation into
   * host mappings that no working set accounts for. One mmap per run of such
   * pages; a run that costs no mapping of its own (one page between two
   * pages whose frames do not follow each other anyway) stays.
   */
  dropSpeculativeAliases(): void {
    const pages = this.aliasOf.length;
    for (let page = 0; page < pages; page++) {
      if (this.aliasOf[page] === -1 || this.confirmed[page]) continue;
      let end = page + 1;
      while (end < pages && this.aliasOf[end] !== -1 && !this.confirmed[end]) end++;
      if (this.boundariesIn(page, end) > this.boundariesIfAnonymous(page, end)) this.mapAnonymous(page, end - page);
      page = end;
    }
  }

  /** Boundaries between host mappings at the edges of and inside pages [from, to). */
  private boundariesIn(from: number, to: number): number {
    let count = 0;
    for (let i = Math.max(1, from); i <= Math.min(this.aliasOf.length - 1, to); i++) if (!this.mergeable(i)) count++;
    return count;
  }

  /** The same if pages [from, to) reached nothing (anonymous memory): only the edges can be boundaries. */
  private boundariesIfAnonymous(from: number, to: number): number {
    return (from > 0 && this.aliasOf[from - 1] !== -1 ? 1 : 0) + (to < this.aliasOf.length && this.aliasOf[to] !== -1 ? 1 : 0);
  }

  private mapAnonymous(page: number, count: number): void {
    const c = loadLibc();
    const at = this.hostAddress + page * PAGE_SIZE;
    const r = c.mmap(at, count * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
    if (r !== at) throw new HostMemoryError('mmap(anonymous)', c);
    this.setAliases(page, count, -1);
  }

  /** Records that pages [page, page + count) reach frames firstPfn, firstPfn + 1, … (or nothing: -1), keeping `boundaries`. */
  private setAliases(page: number, count: number, firstPfn: number): void {
    const from = Math.max(1, page), to = Math.min(this.aliasOf.length - 1, page + count);
    for (let i = from; i <= to; i++) if (!this.mergeable(i)) this.boundaries--;
    for (let i = 0; i < count; i++) this.aliasOf[page + i] = firstPfn === -1 ? -1 : firstPfn + i;
    for (let i = from; i <= to; i++) if (!this.mergeable(i)) this.boundaries++;
  }

  /** Pages i - 1 and i can lie in one host mapping. */
  private mergeable(i: number): boolean {
    const before = this.aliasOf[i - 1]!, after = this.aliasOf[i]!;
    return before === -1 ? after === -1 : after === before + 1;
  }

  dispose(): void {
    loadLibc().munmap(this.hostAddress, GUEST_SPACE_SIZE);
  }
}

/** How many pages one alias mmap may cover: 256 KiB, a few host page-table updates and no more. */
const ALIAS_RUN_PAGES = 64;

/** Plain anonymous host memory with its address, for small probe machines. */
export class AnonymousHostMemory {
  readonly hostAddress: number;
  readonly bytes: Uint8Array;

  constructor(private readonly size: number) {
    const c = loadLibc();
    const pointer = c.mmapPointer(null, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    this.hostAddress = Number(koffi.address(pointer));
    if (mapFailed(this.hostAddress)) throw new HostMemoryError('mmap(anonymous)', c);
    this.bytes = new Uint8Array(koffi.view(pointer, size) as ArrayBuffer);
  }

  dispose(): void {
    loadLibc().munmap(this.hostAddress, this.size);
  }
}
