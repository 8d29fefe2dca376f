// PTE words and protection masks against literals: the Win32 PAGE_* values
// (winnt.h), the memory manager's MM_* masks (ReactOS ARM3 miarm.h, Windows
// Internals 7th ed., ch. 5 "Page table entries") and the x86 PTE bits (Intel
// SDM vol. 3A, table 4-6: P 0x1, R/W 0x2, U/S 0x4, PWT 0x8, PCD 0x10, A 0x20,
// D 0x40, PS 0x80, G 0x100; frame in bits 12-31). Nothing expected here is
// computed from the module under test.
import { describe, expect, it } from 'vitest';
import {
  describeMask, describeProtection, isAccessible, isCopyOnWrite, isExecutable, isGuard, isWritable,
  makeProtectionMask, protectionFromMask,
} from '../../src/mm/protection.js';
import {
  describeValidPte, hasGuardProtection, isAccessedPte, isCopyOnWritePte, isDecommittedPte, isDemandZeroPte, isDirtyPte,
  isOwnerPte, isTransitionPte, isValidPte, isWritePte, isZeroPte, makeDecommittedPte, makeDemandZeroPte, makeGuardPte,
  makePde, makeTransitionPte, makeValidKernelPte, makeValidUserPte, pfnOfPte, softwareProtection, withSoftwareProtection,
} from '../../src/mm/pte.js';

describe('Win32 protection → MM_* mask and back', () => {
  it.each([
    // [PAGE_*, MM_* mask, VirtualQuery's answer]
    [0x01, 0x18, 0x01],   // PAGE_NOACCESS → MM_NOACCESS
    [0x02, 0x01, 0x02],   // PAGE_READONLY → MM_READONLY
    [0x04, 0x04, 0x04],   // PAGE_READWRITE → MM_READWRITE
    [0x08, 0x05, 0x08],   // PAGE_WRITECOPY → MM_WRITECOPY
    [0x10, 0x02, 0x10],   // PAGE_EXECUTE → MM_EXECUTE
    [0x20, 0x03, 0x20],   // PAGE_EXECUTE_READ → MM_EXECUTE_READ
    [0x40, 0x06, 0x40],   // PAGE_EXECUTE_READWRITE → MM_EXECUTE_READWRITE
    [0x80, 0x07, 0x80],   // PAGE_EXECUTE_WRITECOPY → MM_EXECUTE_WRITECOPY
    [0x104, 0x14, 0x104], // PAGE_READWRITE | PAGE_GUARD → | MM_GUARDPAGE (0x10)
    [0x202, 0x09, 0x202], // PAGE_READONLY | PAGE_NOCACHE → | MM_NOCACHE (0x08)
    [0x404, 0x1c, 0x404], // PAGE_READWRITE | PAGE_WRITECOMBINE → | MM_WRITECOMBINE (0x18)
    [0x120, 0x13, 0x120],
  ])('0x%s → mask 0x%s → 0x%s', (protect, mask, back) => {
    expect(makeProtectionMask(protect)).toBe(mask);
    expect(protectionFromMask(mask)).toBe(back);
  });

  it.each([
    ['no base protection', 0],
    ['an undefined base value', 0x03],
    ['two base protections', 0x06],
    ['a modifier with PAGE_NOACCESS', 0x101],
    ['PAGE_NOCACHE with PAGE_NOACCESS', 0x201],
    ['two modifiers', 0x304],
    ['guard and write-combine', 0x504],
    ['an unknown modifier bit', 0x804],
    ['an undefined base value with PAGE_GUARD', 0x106],
    ['PAGE_TARGETS_INVALID (0x40000000) on a base', 0x40000004],
  ])('rejects %s (0x%s) with STATUS_INVALID_PAGE_PROTECTION', (_what, protect) => {
    expect(makeProtectionMask(protect)).toBeUndefined();
  });

  it('reports no protection for MM_ZERO_ACCESS and MM_DECOMMIT (a decommitted page has Protect 0)', () => {
    expect(protectionFromMask(0x00)).toBe(0);
    expect(protectionFromMask(0x10)).toBe(0);
  });

  it.each([
    // [mask, accessible, guard, writable, copy-on-write, executable]
    [0x00, false, false, false, false, false],
    [0x18, false, false, false, false, false],
    [0x01, true, false, false, false, false],
    [0x02, true, false, false, false, true],
    [0x03, true, false, false, false, true],
    [0x04, true, false, true, false, false],
    [0x05, true, false, true, true, false],
    [0x06, true, false, true, false, true],
    [0x07, true, false, true, true, true],
    [0x14, true, true, true, false, false],
    [0x0c, true, false, true, false, false],
    [0x1c, true, false, true, false, false],
  ])('mask 0x%s: accessible %s, guard %s, writable %s, copy-on-write %s, executable %s', (mask, accessible, guard, writable, cow, exec) => {
    expect([isAccessible(mask), isGuard(mask), isWritable(mask), isCopyOnWrite(mask), isExecutable(mask)])
      .toEqual([accessible, guard, writable, cow, exec]);
  });

  it('names protections and masks as traces and WinDbg spell them', () => {
    expect(describeProtection(0)).toBe('0');
    expect(describeProtection(0x04)).toBe('PAGE_READWRITE');
    expect(describeProtection(0x01)).toBe('PAGE_NOACCESS');
    expect(describeProtection(0x80)).toBe('PAGE_EXECUTE_WRITECOPY');
    expect(describeProtection(0x104)).toBe('PAGE_READWRITE|PAGE_GUARD');
    expect(describeProtection(0x220)).toBe('PAGE_EXECUTE_READ|PAGE_NOCACHE');
    expect(describeProtection(0x402)).toBe('PAGE_READONLY|PAGE_WRITECOMBINE');
    expect(describeProtection(0x03)).toBe('0x3');
    expect([0x02, 0x08, 0x10, 0x20, 0x40].map(describeProtection))
      .toEqual(['PAGE_READONLY', 'PAGE_WRITECOPY', 'PAGE_EXECUTE', 'PAGE_EXECUTE_READ', 'PAGE_EXECUTE_READWRITE']);
    expect(describeMask(0x18)).toBe('NO_ACCESS');
    expect(describeMask(0x10)).toBe('DECOMMIT');
    expect(describeMask(0x00)).toBe('NO_ACCESS');
    expect(describeMask(0x04)).toBe('READWRITE');
    expect(describeMask(0x07)).toBe('EXECUTE_WRITECOPY');
    expect(describeMask(0x14)).toBe('READWRITE|GUARD');
    expect(describeMask(0x09)).toBe('READONLY|NOCACHE');
    expect(describeMask(0x1e)).toBe('EXECUTE_READWRITE|WRITECOMBINE');
  });
});

describe('valid PTE words', () => {
  it.each([
    // [pfn, mask, PTE]
    [0x1234, 0x04, 0x01234007], // READWRITE: P R/W U/S
    [0x1234, 0x01, 0x01234005], // READONLY: P U/S
    [0x00001, 0x03, 0x00001005], // EXECUTE_READ: no NX without PAE, same as READONLY
    [0x00001, 0x06, 0x00001007], // EXECUTE_READWRITE: same as READWRITE
    [0x00001, 0x02, 0x00001005], // EXECUTE
    [0x00abc, 0x05, 0x00abc205], // WRITECOPY: read-only, CopyOnWrite (bit 9)
    [0x00abc, 0x07, 0x00abc205], // EXECUTE_WRITECOPY
    [0x00010, 0x0c, 0x00010017], // READWRITE|NOCACHE: PCD
    [0x00010, 0x1c, 0x0001001f], // READWRITE|WRITECOMBINE: PCD PWT
    [0xfffff, 0x04, 0xfffff007], // the highest frame: the word stays unsigned
  ])('pfn 0x%s with mask 0x%s is 0x%s', (pfn, mask, pte) => {
    expect(makeValidUserPte(pfn, mask)).toBe(pte);
  });

  it('kernel PTEs and PDEs', () => {
    expect(makeValidKernelPte(0x25, true)).toBe(0x00025003);
    expect(makeValidKernelPte(0x25, false)).toBe(0x00025001);
    expect(makeValidKernelPte(0xfffff, true)).toBe(0xfffff003);
    expect(makePde(0xc0001, true)).toBe(0xc0001007);
    expect(makePde(0xc0300, false)).toBe(0xc0300003);
  });

  it('accessors read single bits of literal words', () => {
    const word = 0x12345067; // P R/W U/S A D, frame 0x12345
    expect([isValidPte(word), isWritePte(word), isOwnerPte(word), isAccessedPte(word), isDirtyPte(word), isCopyOnWritePte(word)])
      .toEqual([true, true, true, true, true, false]);
    expect(pfnOfPte(word)).toBe(0x12345);
    expect(pfnOfPte(0xfffff001)).toBe(0xfffff);
    const other = 0x00001201; // P, CopyOnWrite
    expect([isValidPte(other), isWritePte(other), isOwnerPte(other), isAccessedPte(other), isDirtyPte(other), isCopyOnWritePte(other)])
      .toEqual([true, false, false, false, false, true]);
    expect(isValidPte(0x00001000)).toBe(false);
    expect(isZeroPte(0)).toBe(true);
    expect(isZeroPte(0x80)).toBe(false);
  });

  it('describes flags as WinDbg\'s !pte does', () => {
    expect(describeValidPte(0x00001007)).toEqual(['Valid', 'Write', 'Owner']);
    expect(describeValidPte(0x00001001)).toEqual(['Valid', 'ReadOnly', 'Kernel']);
    expect(describeValidPte(0x0000137f)).toEqual(['Valid', 'Write', 'Owner', 'WriteThrough', 'CacheDisable', 'Accessed', 'Dirty', 'Global', 'CopyOnWrite']);
    expect(describeValidPte(0x00001065)).toEqual(['Valid', 'ReadOnly', 'Owner', 'Accessed', 'Dirty']);
  });
});

describe('not-present PTE words (MMPTE_SOFTWARE, MMPTE_TRANSITION)', () => {
  it('demand-zero: the protection in bits 5-9, nothing else', () => {
    expect(makeDemandZeroPte(0x04)).toBe(0x80);
    expect(makeDemandZeroPte(0x01)).toBe(0x20);
    expect(makeDemandZeroPte(0x18)).toBe(0x300);
    expect(makeDemandZeroPte(0x3f)).toBe(0x3e0); // only five bits
    expect(isDemandZeroPte(0x80)).toBe(true);
    expect(isDemandZeroPte(0x300)).toBe(true);   // committed, no access
    expect(isDemandZeroPte(0)).toBe(false);      // zero PTE: the VAD decides
    expect(isDemandZeroPte(0x200)).toBe(false);  // decommitted
    expect(isDemandZeroPte(0x81)).toBe(false);   // valid
    expect(isDemandZeroPte(0x480)).toBe(false);  // prototype bit
    expect(isDemandZeroPte(0x880)).toBe(false);  // transition bit
    expect(softwareProtection(0x80)).toBe(0x04);
    expect(softwareProtection(0xfffff3e0)).toBe(0x1f);
  });

  it('decommitted: MM_DECOMMIT (0x10) in the protection field, 0x200', () => {
    expect(makeDecommittedPte()).toBe(0x200);
    expect(isDecommittedPte(0x200)).toBe(true);
    expect(isDecommittedPte(0x280)).toBe(false);
    expect(isDecommittedPte(0x201)).toBe(false);
    expect(isDecommittedPte(0)).toBe(false);
  });

  it('guard: MM_GUARDPAGE beside the access bits', () => {
    expect(makeGuardPte(0x04)).toBe(0x280);
    expect(makeGuardPte(0x01)).toBe(0x220);
    expect(hasGuardProtection(0x280)).toBe(true);
    expect(hasGuardProtection(0x200)).toBe(true);  // MM_DECOMMIT is MM_GUARDPAGE with no access
    expect(hasGuardProtection(0x300)).toBe(false); // MM_NOACCESS (0x18)
    expect(hasGuardProtection(0x80)).toBe(false);
    expect(hasGuardProtection(0x281)).toBe(false); // valid words have no software protection
  });

  it('transition: frame in 12-31, bit 11, protection in 5-9', () => {
    expect(makeTransitionPte(0x1234, 0x18)).toBe(0x01234b00);
    expect(makeTransitionPte(0xfffff, 0x14)).toBe(0xfffffa80);
    expect(isTransitionPte(0x01234b00)).toBe(true);
    expect(isTransitionPte(0x01234f00)).toBe(false); // prototype bit too: not a transition PTE
    expect(isTransitionPte(0x01234b01)).toBe(false);
    expect(isTransitionPte(0x01234300)).toBe(false);
    expect(pfnOfPte(0x01234b00)).toBe(0x1234);
    expect(softwareProtection(0x01234b00)).toBe(0x18);
  });

  it('withSoftwareProtection replaces bits 5-9 only', () => {
    expect(withSoftwareProtection(0x01234b00, 0x04)).toBe(0x01234880);
    expect(withSoftwareProtection(0xfffffc00, 0x01)).toBe(0xfffffc20);
    expect(withSoftwareProtection(0x80, 0x3f)).toBe(0x3e0);
  });
});
