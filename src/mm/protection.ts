// Win32 PAGE_* protections and the 5-bit protection mask Windows keeps in
// VADs and software PTEs (MM_READONLY ... MM_NOACCESS), converted in one
// table-driven place. x86 without PAE has no no-execute bit: PAGE_EXECUTE_*
// and their non-execute twins give the same hardware PTE bits, and only the
// mask (and so query results) tells them apart.

export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;
export const PAGE_GUARD = 0x100;
export const PAGE_NOCACHE = 0x200;
export const PAGE_WRITECOMBINE = 0x400;

export const MM_ZERO_ACCESS = 0;
export const MM_READONLY = 1;
export const MM_EXECUTE = 2;
export const MM_EXECUTE_READ = 3;
export const MM_READWRITE = 4;
export const MM_WRITECOPY = 5;
export const MM_EXECUTE_READWRITE = 6;
export const MM_EXECUTE_WRITECOPY = 7;
export const MM_PROTECT_ACCESS = 7;
export const MM_NOCACHE = 0x08;
export const MM_GUARDPAGE = 0x10;
export const MM_WRITECOMBINE = 0x18;
export const MM_DECOMMIT = MM_ZERO_ACCESS | MM_GUARDPAGE;
export const MM_NOACCESS = MM_ZERO_ACCESS | MM_WRITECOMBINE;

/** An MM_* protection mask (5 bits). */
export type ProtectionMask = number;

const BASE_TO_MASK = new Map<number, ProtectionMask>([
  [PAGE_READONLY, MM_READONLY],
  [PAGE_EXECUTE, MM_EXECUTE],
  [PAGE_EXECUTE_READ, MM_EXECUTE_READ],
  [PAGE_READWRITE, MM_READWRITE],
  [PAGE_WRITECOPY, MM_WRITECOPY],
  [PAGE_EXECUTE_READWRITE, MM_EXECUTE_READWRITE],
  [PAGE_EXECUTE_WRITECOPY, MM_EXECUTE_WRITECOPY],
]);
const MASK_TO_BASE = new Map([...BASE_TO_MASK].map(([page, mask]) => [mask, page]));

/** Win32 protection → mask, or undefined where Windows answers STATUS_INVALID_PAGE_PROTECTION. */
export function makeProtectionMask(protect: number): ProtectionMask | undefined {
  const base = protect & 0xff;
  const modifiers = protect & ~0xff;
  if (modifiers & ~(PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE)) return undefined;
  if (base === PAGE_NOACCESS) return modifiers === 0 ? MM_NOACCESS : undefined;
  const access = BASE_TO_MASK.get(base);
  if (access === undefined) return undefined;
  switch (modifiers) {
    case 0: return access;
    case PAGE_GUARD: return access | MM_GUARDPAGE;
    case PAGE_NOCACHE: return access | MM_NOCACHE;
    case PAGE_WRITECOMBINE: return access | MM_WRITECOMBINE;
    default: return undefined; // modifiers do not combine
  }
}

/**
 * MmCompatibleProtectionMask: the Win32 base protections a page may be given
 * when the section (or view) it belongs to has the access in the index
 * (WRK mmsup.c; ReactOS MmCompatibleProtectionMask). The modifiers are
 * always allowed.
 */
const COMPATIBLE_PROTECTIONS: readonly number[] = [
  PAGE_NOACCESS,
  PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY,
  PAGE_NOACCESS | PAGE_EXECUTE,
  PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_EXECUTE | PAGE_EXECUTE_READ,
  PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_READWRITE,
  PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY,
  PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_READWRITE | PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY,
  PAGE_NOACCESS | PAGE_READONLY | PAGE_WRITECOPY | PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_WRITECOPY,
];

/** MiIsPteProtectionCompatible: may a page of a section (view) with access `mask` be given Win32 `protect`? */
export function isCompatibleProtection(mask: ProtectionMask, protect: number): boolean {
  const allowed = COMPATIBLE_PROTECTIONS[mask & MM_PROTECT_ACCESS]! | PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE;
  return (protect & ~allowed) === 0;
}

/** Mask → the Win32 protection VirtualQuery reports. */
export function protectionFromMask(mask: ProtectionMask): number {
  if (mask === MM_NOACCESS) return PAGE_NOACCESS;
  if (mask === MM_ZERO_ACCESS || mask === MM_DECOMMIT) return 0;
  const base = MASK_TO_BASE.get(mask & MM_PROTECT_ACCESS) ?? 0;
  switch (mask & MM_WRITECOMBINE) {
    case MM_GUARDPAGE: return base | PAGE_GUARD;
    case MM_NOCACHE: return base | PAGE_NOCACHE;
    case MM_WRITECOMBINE: return base | PAGE_WRITECOMBINE;
    default: return base;
  }
}

export const isAccessible = (mask: ProtectionMask): boolean =>
  (mask & MM_PROTECT_ACCESS) !== MM_ZERO_ACCESS && mask !== MM_NOACCESS;
export const isGuard = (mask: ProtectionMask): boolean => (mask & MM_WRITECOMBINE) === MM_GUARDPAGE;
export const isWritable = (mask: ProtectionMask): boolean => {
  const access = mask & MM_PROTECT_ACCESS;
  return access === MM_READWRITE || access === MM_EXECUTE_READWRITE || isCopyOnWrite(mask);
};
export const isCopyOnWrite = (mask: ProtectionMask): boolean => {
  const access = mask & MM_PROTECT_ACCESS;
  return access === MM_WRITECOPY || access === MM_EXECUTE_WRITECOPY;
};
export const isExecutable = (mask: ProtectionMask): boolean => (mask & MM_EXECUTE) !== 0;

const PROTECTION_NAMES = new Map<number, string>([
  [PAGE_NOACCESS, 'PAGE_NOACCESS'], [PAGE_READONLY, 'PAGE_READONLY'], [PAGE_READWRITE, 'PAGE_READWRITE'],
  [PAGE_WRITECOPY, 'PAGE_WRITECOPY'], [PAGE_EXECUTE, 'PAGE_EXECUTE'], [PAGE_EXECUTE_READ, 'PAGE_EXECUTE_READ'],
  [PAGE_EXECUTE_READWRITE, 'PAGE_EXECUTE_READWRITE'], [PAGE_EXECUTE_WRITECOPY, 'PAGE_EXECUTE_WRITECOPY'],
]);

/** "PAGE_READWRITE|PAGE_GUARD" style, for traces and dumps. */
export function describeProtection(protect: number): string {
  if (protect === 0) return '0';
  const parts = [PROTECTION_NAMES.get(protect & 0xff) ?? `0x${(protect & 0xff).toString(16)}`];
  if (protect & PAGE_GUARD) parts.push('PAGE_GUARD');
  if (protect & PAGE_NOCACHE) parts.push('PAGE_NOCACHE');
  if (protect & PAGE_WRITECOMBINE) parts.push('PAGE_WRITECOMBINE');
  return parts.join('|');
}

/** WinDbg's !vad column spells the mask this way. */
const MASK_NAMES = ['NO_ACCESS', 'READONLY', 'EXECUTE', 'EXECUTE_READ', 'READWRITE', 'WRITECOPY', 'EXECUTE_READWRITE', 'EXECUTE_WRITECOPY'];
export function describeMask(mask: ProtectionMask): string {
  if (mask === MM_NOACCESS) return 'NO_ACCESS';
  if (mask === MM_DECOMMIT) return 'DECOMMIT';
  const name = MASK_NAMES[mask & MM_PROTECT_ACCESS]!;
  const special = mask & MM_WRITECOMBINE;
  return special === MM_GUARDPAGE ? `${name}|GUARD` : special === MM_NOCACHE ? `${name}|NOCACHE` : special ? `${name}|WRITECOMBINE` : name;
}
