// Flat protected-mode descriptors and the ring-0 → ring-3 entry stub, as
// machine code the kernel writes into a kernel page. Windows' selectors:
// ring-0 code 0x08, data 0x10; ring-3 code 0x1b, data 0x23.

export const KERNEL_CODE_SELECTOR = 0x08;
export const KERNEL_DATA_SELECTOR = 0x10;
export const USER_CODE_SELECTOR = 0x1b;
export const USER_DATA_SELECTOR = 0x23;
/** Ring-3 FS: the TEB (Windows' KGDT_R3_TEB, GDT entry 7). */
export const TEB_SELECTOR = 0x3b;
export const TEB_GDT_INDEX = 7;

/** Null, ring-0 code/data, ring-3 code/data: base 0, limit 4 GiB, 32-bit. */
export const FLAT_GDT: readonly bigint[] = [0n, 0x00cf9a000000ffffn, 0x00cf92000000ffffn, 0x00cffa000000ffffn, 0x00cff2000000ffffn];
export const GDT_ENTRY_COUNT = FLAT_GDT.length;

/** A present 32-bit read/write data segment, byte granular: base, limit and privilege level as given. */
export function dataSegmentDescriptor(base: number, limit: number, dpl: number): bigint {
  const low = ((base & 0xffff) << 16) | (limit & 0xffff);
  const access = 0x92 | (dpl << 5);
  const high = (base & 0xff000000) | (0x4 << 20) | (limit & 0xf0000) | (access << 8) | ((base >>> 16) & 0xff);
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

export const u32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];

/**
 * Machine code: load ring-0 SS/ESP, user data selectors, then iretd to
 * CS 0x1b:userEip with SS 0x23:userEsp. Shared with the kernel's boot code.
 */
export function ring0ToRing3Stub(kernelEsp: number, userEip: number, userEsp: number, eflags = 0x202, fsSelector = 0x23): number[] {
  return [
    0x66, 0xb8, 0x10, 0x00, // mov ax, 0x10
    0x8e, 0xd0, // mov ss, ax
    0xbc, ...u32(kernelEsp), // mov esp, kernelEsp
    0x66, 0xb8, 0x23, 0x00, // mov ax, 0x23
    0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xe8, // mov ds/es/gs, ax
    0x66, 0xb8, fsSelector & 0xff, fsSelector >>> 8, // mov ax, fsSelector
    0x8e, 0xe0, // mov fs, ax
    0x6a, 0x23, // push USER_DATA_SELECTOR (SS)
    0x68, ...u32(userEsp),
    0x68, ...u32(eflags),
    0x6a, 0x1b, // push USER_CODE_SELECTOR (CS)
    0x68, ...u32(userEip),
    0xcf, // iretd
  ];
}

