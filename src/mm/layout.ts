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
export const MM_HIGHEST_USER_ADDRESS = 0x7ffeffff;
/** The 64 KiB no-access area between user and kernel space. */
export const MM_USER_PROBE_ADDRESS = 0x7fff0000;
export const MM_SYSTEM_RANGE_START = 0x80000000;

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
export const pdeAddressOf = (address: number): number => (PDE_BASE + (address >>> 22) * 4) >>> 0;

export const isUserAddress = (address: number): boolean =>
  address >= MM_LOWEST_USER_ADDRESS && address <= MM_HIGHEST_USER_ADDRESS;
export const isKernelAddress = (address: number): boolean => address >>> 0 >= MM_SYSTEM_RANGE_START;

export const hex32 = (value: number): string => '0x' + (value >>> 0).toString(16).padStart(8, '0');
