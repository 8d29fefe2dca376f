import { describe, expect, it } from 'vitest';
import {
  MM_DECOMMIT, MM_EXECUTE_READ, MM_EXECUTE_READWRITE, MM_NOACCESS, MM_READONLY, MM_READWRITE, MM_WRITECOPY,
  PAGE_EXECUTE_READ, PAGE_GUARD, PAGE_NOACCESS, PAGE_NOCACHE, PAGE_READONLY, PAGE_READWRITE,
  makeProtectionMask, protectionFromMask,
} from '../../src/mm/protection.js';
import {
  isDecommittedPte, isDemandZeroPte, isValidPte, makeDecommittedPte, makeDemandZeroPte, makeGuardPte, makeValidUserPte,
  pfnOfPte, softwareProtection, describeValidPte,
} from '../../src/mm/pte.js';

describe('protection masks', () => {
  it.each([
    [PAGE_READONLY, MM_READONLY],
    [PAGE_READWRITE, MM_READWRITE],
    [PAGE_EXECUTE_READ, MM_EXECUTE_READ],
    [PAGE_NOACCESS, MM_NOACCESS],
    [PAGE_READWRITE | PAGE_GUARD, MM_READWRITE | 0x10],
    [PAGE_READONLY | PAGE_NOCACHE, MM_READONLY | 0x08],
  ])('0x%s converts both ways', (protect, mask) => {
    expect(makeProtectionMask(protect)).toBe(mask);
    expect(protectionFromMask(mask)).toBe(protect);
  });

  it.each([0, 0x03, PAGE_READONLY | PAGE_READWRITE, PAGE_NOACCESS | PAGE_GUARD, PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE, 0x800])(
    'rejects 0x%s as Windows does', (protect) => {
      expect(makeProtectionMask(protect)).toBeUndefined();
    });
});

describe('PTE words', () => {
  it('valid user PTEs carry the frame and hardware rights; execute adds nothing without PAE', () => {
    const rw = makeValidUserPte(0x1234, MM_READWRITE);
    expect(isValidPte(rw)).toBe(true);
    expect(pfnOfPte(rw)).toBe(0x1234);
    expect(describeValidPte(rw)).toEqual(['Valid', 'Write', 'Owner']);
    expect(makeValidUserPte(1, MM_EXECUTE_READ)).toBe(makeValidUserPte(1, MM_READONLY));
    expect(makeValidUserPte(1, MM_EXECUTE_READWRITE)).toBe(makeValidUserPte(1, MM_READWRITE));
    expect(describeValidPte(makeValidUserPte(1, MM_WRITECOPY))).toEqual(['Valid', 'ReadOnly', 'Owner', 'CopyOnWrite']);
  });

  it('software PTEs keep the protection in bits 5-9 as Windows does', () => {
    const demandZero = makeDemandZeroPte(MM_READWRITE);
    expect(demandZero).toBe(MM_READWRITE << 5);
    expect(isDemandZeroPte(demandZero)).toBe(true);
    expect(softwareProtection(demandZero)).toBe(MM_READWRITE);
    expect(isDecommittedPte(makeDecommittedPte())).toBe(true);
    expect(softwareProtection(makeDecommittedPte())).toBe(MM_DECOMMIT);
    expect(softwareProtection(makeGuardPte(MM_READWRITE))).toBe(MM_READWRITE | 0x10);
    expect(isValidPte(makeGuardPte(MM_READWRITE))).toBe(false);
  });
});
