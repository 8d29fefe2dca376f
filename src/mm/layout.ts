// The Windows x86 (non-PAE, 2 GiB user) address-space layout and the
// address split. Hardware facts and layout live here only.

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;
/** VirtualAlloc reservations start on this boundary (allocation granularity). */
export const ALLOCATION_GRANULARITY = 0x10000;
export const PTES_PER_TABLE = 1024;

/** The first 64 KiB are never accessible (catches NULL pointers). */
export const MM_LOWEST_USER_ADDRESS = 0x00010000;
/** MmHighestUserAddress (what GetSystemInfo's lpMaximumApplicationAddress reports). */
export const MM_HIGHEST_USER_ADDRESS = 0x7ffeffff;
/** KUSER_SHARED_DATA as user mode sees it: one read-only page (MM_SHARED_USER_DATA_VA). */
export const MM_SHARED_USER_DATA_VA = 0x7ffe0000;
/** The same frame as the kernel sees it, writable (KI_USER_SHARED_DATA). */
export const KI_USER_SHARED_DATA = 0xffdf0000;
/**
 * The highest address a VAD may cover: the 64 KiB from MM_SHARED_USER_DATA_VA
 * belong to KUSER_SHARED_DATA (ReactOS miarm.h: MM_HIGHEST_VAD_ADDRESS =
 * MM_HIGHEST_USER_ADDRESS - 16 pages), so no allocation lands there.
 */
export const MM_HIGHEST_VAD_ADDRESS = MM_SHARED_USER_DATA_VA - 1;
/** The 64 KiB no-access area between user and kernel space. */
export const MM_USER_PROBE_ADDRESS = 0x7fff0000;
export const MM_SYSTEM_RANGE_START = 0x80000000;

/**
 * What a fixed region of user space is: `vads` is where allocations go; the
 * others are there in every process and no service may change them.
 * `shared-user-data` is committed read-only (KUSER_SHARED_DATA), `reserved`
 * is a reservation nobody can commit, `free` is never allocatable.
 */
export type LayoutRegionKind = 'free' | 'vads' | 'shared-user-data' | 'reserved';

export interface LayoutRegion {
  readonly name: string;
  readonly start: number;
  /** Last byte (inclusive). */
  readonly end: number;
  readonly kind: LayoutRegionKind;
  /** For fixed allocations: what VirtualQuery reports as AllocationBase and AllocationProtect (PAGE_*). */
  readonly allocationBase?: number;
  readonly allocationProtect?: number;
}

/**
 * The Windows x86 user address space (2 GiB, non-PAE), the one table the
 * allocator, NtQueryVirtualMemory, --vad and the invariant checker read.
 * VirtualQuery answers for the fixed regions follow ReactOS's
 * MiQueryMemoryBasicInformation (the shared page: MEM_COMMIT PAGE_READONLY
 * MEM_PRIVATE, one page; above it MEM_RESERVE PAGE_NOACCESS MEM_PRIVATE) and,
 * for the area at 0x7FFF0000, Windows 10/11 x86, where the query succeeds
 * (MEM_RESERVE, PAGE_NOACCESS, MEM_PRIVATE, 0x10000) rather than failing as
 * in ReactOS.
 */
export const USER_SPACE_LAYOUT: readonly LayoutRegion[] = [
  // Stryker disable next-line StringLiteral: only the fixed allocations' names are shown (--vad, the report)
  { name: 'no-access area at 0 (NULL pointers)', start: 0, end: MM_LOWEST_USER_ADDRESS - 1, kind: 'free' },
  // Stryker disable next-line StringLiteral: as above
  { name: 'allocations (VADs)', start: MM_LOWEST_USER_ADDRESS, end: MM_HIGHEST_VAD_ADDRESS, kind: 'vads' },
  {
    name: 'KUSER_SHARED_DATA', start: MM_SHARED_USER_DATA_VA, end: MM_SHARED_USER_DATA_VA + 0xfff, kind: 'shared-user-data',
    allocationBase: MM_SHARED_USER_DATA_VA, allocationProtect: 0x02,
  },
  {
    name: 'reserved after KUSER_SHARED_DATA', start: MM_SHARED_USER_DATA_VA + 0x1000, end: MM_HIGHEST_USER_ADDRESS, kind: 'reserved',
    allocationBase: MM_SHARED_USER_DATA_VA, allocationProtect: 0x02,
  },
  {
    name: 'no-access area below kernel space', start: MM_USER_PROBE_ADDRESS, end: MM_SYSTEM_RANGE_START - 1, kind: 'reserved',
    allocationBase: MM_USER_PROBE_ADDRESS, allocationProtect: 0x01,
  },
];

/** The layout row holding a user-space address (below MM_SYSTEM_RANGE_START), else undefined. */
export function layoutRegionOf(address: number): LayoutRegion | undefined {
  const a = address >>> 0;
  // Stryker disable next-line ConditionalExpression: the rows are in address order and contiguous from 0, so the first row ending at or above `a` holds it
  return USER_SPACE_LAYOUT.find((region) => a >= region.start && a <= region.end);
}

/** The fixed regions that are allocations of their own (shown by --vad, checked by the invariant checker). */
export const fixedAllocations = (): LayoutRegion[] => USER_SPACE_LAYOUT.filter((r) => r.kind === 'shared-user-data' || r.kind === 'reserved');

/** Windows' self-map: the PTE of address v is at PTE_BASE + (v >> 12) * 4. */
export const PTE_BASE = 0xc0000000;
export const PDE_BASE = 0xc0300000;
export const SELF_MAP_PDE_INDEX = PDE_BASE >>> 22; // 0x300

/** Where executables link, like Windows images. */
export const DEFAULT_IMAGE_BASE = 0x00400000;

/** A virtual page number (address >> 12). */
export type Vpn = number;
/** A physical frame number. */
export type Pfn = number;

export const vpnOf = (address: number): Vpn => address >>> PAGE_SHIFT;
export const addressOfVpn = (vpn: Vpn): number => (vpn << PAGE_SHIFT) >>> 0;
export const pageBase = (address: number): number => (address & ~PAGE_MASK) >>> 0;
export const pdeIndex = (address: number): number => address >>> 22;
export const pteIndex = (address: number): number => (address >>> PAGE_SHIFT) & 0x3ff;
export const pteAddressOf = (address: number): number => (PTE_BASE + (address >>> PAGE_SHIFT) * 4) >>> 0;
/** The page a PTE at `pteAddress` (in the self-map) maps. */
// Stryker disable next-line ArithmeticOperator: `+ PTE_BASE` differs from `- PTE_BASE` by 2^31, which `>>> 2` and `<< 12` shift out of 32 bits
export const virtualAddressOfPte = (pteAddress: number): number => (((pteAddress - PTE_BASE) >>> 2) << PAGE_SHIFT) >>> 0;
export const pdeAddressOf = (address: number): number => (PDE_BASE + (address >>> 22) * 4) >>> 0;

export const isUserAddress = (address: number): boolean =>
  address >= MM_LOWEST_USER_ADDRESS && address <= MM_HIGHEST_USER_ADDRESS;
export const isKernelAddress = (address: number): boolean => address >>> 0 >= MM_SYSTEM_RANGE_START;

export const hex32 = (value: number): string => '0x' + (value >>> 0).toString(16).padStart(8, '0');
