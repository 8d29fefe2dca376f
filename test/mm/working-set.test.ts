// The working-set list alone (MMWSL/MMWSLE): membership, ages, locks, the
// pages a fault just brought in, and the checker. Defaults are Windows'
// documented ones (SetProcessWorkingSetSize: 50 and 345 pages).
import { describe, expect, it } from 'vitest';
import { KernelPanic } from '../../src/mm/panic.js';
import { WorkingSet } from '../../src/mm/working-set.js';

describe('the working-set list', () => {
  it('starts empty with the default limits, soft', () => {
    const ws = new WorkingSet();
    expect([ws.minimumPages, ws.maximumPages, ws.hardMinimum, ws.hardMaximum]).toEqual([50, 345, false, false]);
    expect([ws.size, ws.lockedPages, ws.peakPages, ws.trimmedPages]).toEqual([0, 0, 0, 0]);
    expect(ws.pages()).toEqual([]);
  });

  it('holds each page once; removing one moves the last entry (with its age) into its place', () => {
    const ws = new WorkingSet();
    for (const vpn of [0x10, 0x20, 0x30]) ws.insert(vpn);
    expect(ws.has(0x20)).toBe(true);
    expect(ws.has(0x21)).toBe(false);
    expect(() => ws.insert(0x20)).toThrow(/working set already holds page 20/);
    ws.setAgeAt(2, 3);
    expect(ws.ageAt(0)).toBe(0);
    ws.remove(0x10);
    expect(ws.pages()).toEqual([0x30, 0x20]);
    expect(ws.vpnAt(0)).toBe(0x30);
    expect(ws.ageAt(0)).toBe(3);
    expect(ws.has(0x10)).toBe(false);
    expect(ws.size).toBe(2);
    expect(() => ws.remove(0x10)).toThrow(/working set does not hold page 10/);
    ws.remove(0x20); // the last entry
    expect(ws.pages()).toEqual([0x30]);
    ws.checkInvariants();
  });

  it('a new entry starts at age 0 even where an older one had aged', () => {
    const ws = new WorkingSet();
    ws.insert(1);
    ws.insert(2);
    ws.setAgeAt(1, 2);
    ws.remove(2);
    ws.insert(3);
    expect(ws.ageAt(1)).toBe(0);
  });

  it('answers no for pages of the system range, and grows past 1,024 entries keeping every entry and age', () => {
    const ws = new WorkingSet();
    expect(ws.has(0x80000)).toBe(false); // 0x80000000 >> 12: the first system page
    for (let vpn = 0; vpn < 2500; vpn++) ws.insert(0x400 + vpn);
    ws.setAgeAt(1000, 2);
    ws.insert(0x7ffef); // the last user page below KUSER_SHARED_DATA
    expect(ws.has(0x7ffef)).toBe(true);
    expect(ws.size).toBe(2501);
    expect(ws.peakPages).toBe(2501);
    expect(ws.vpnAt(2047)).toBe(0x400 + 2047);
    expect(ws.vpnAt(2500)).toBe(0x7ffef);
    expect(ws.ageAt(1000)).toBe(2);
    expect(ws.pages().slice(1022, 1026)).toEqual([0x400 + 1022, 0x400 + 1023, 0x400 + 1024, 0x400 + 1025]);
    ws.checkInvariants();
  });

  it('keeps its peak when pages leave', () => {
    const ws = new WorkingSet();
    ws.insert(1);
    ws.insert(2);
    ws.remove(1);
    ws.insert(3);
    expect(ws.peakPages).toBe(2);
    ws.insert(4);
    expect(ws.peakPages).toBe(3);
  });

  it('remembers the last four pages faulted in', () => {
    const ws = new WorkingSet();
    for (const vpn of [1, 2, 3, 4]) ws.insert(vpn);
    expect([1, 2, 3, 4].map((vpn) => ws.isRecent(vpn))).toEqual([true, true, true, true]);
    ws.insert(5);
    expect(ws.isRecent(1)).toBe(false);
    expect(ws.isRecent(5)).toBe(true);
    expect(ws.isRecent(2)).toBe(true);
    for (const vpn of [6, 7, 8, 9]) ws.insert(vpn);
    expect([5, 6, 7, 8, 9].map((vpn) => ws.isRecent(vpn))).toEqual([false, true, true, true, true]);
  });

  it('VirtualLock keeps a member page; VirtualUnlock of an unlocked page says so; removing a locked page unlocks it', () => {
    const ws = new WorkingSet();
    ws.insert(1);
    ws.insert(2);
    expect(() => ws.lock(3)).toThrow(KernelPanic);
    expect(() => ws.lock(3)).toThrow(/lock of page 3, which is not in the working set/);
    ws.lock(1);
    ws.lock(1);
    expect(ws.lockedPages).toBe(1);
    expect(ws.isLocked(1)).toBe(true);
    expect(ws.isTrimmable(1)).toBe(false);
    expect(ws.isTrimmable(2)).toBe(true);
    expect(ws.unlock(2)).toBe(false);
    expect(ws.lockedPages).toBe(1);
    expect(ws.unlock(1)).toBe(true);
    expect(ws.unlock(1)).toBe(false);
    expect(ws.lockedPages).toBe(0);
    ws.lock(2);
    ws.remove(2);
    expect(ws.lockedPages).toBe(0);
    expect(ws.isLocked(2)).toBe(false);
    ws.remove(1); // not locked: the count stays
    expect(ws.lockedPages).toBe(0);
    ws.checkInvariants();
  });

  it('pages locked for a system call\'s copy stay until the last of nested locks is undone', () => {
    const ws = new WorkingSet();
    ws.insert(7);
    ws.lockForIo(7);
    ws.lockForIo(7);
    expect(ws.isTrimmable(7)).toBe(false);
    ws.unlockForIo(7);
    expect(ws.isTrimmable(7)).toBe(false);
    ws.unlockForIo(7);
    expect(ws.isTrimmable(7)).toBe(true);
    ws.unlockForIo(7); // one too many: harmless
    expect(ws.isTrimmable(7)).toBe(true);
    ws.lockForIo(7);
    expect(ws.isTrimmable(7)).toBe(false);
    expect(ws.isLocked(7)).toBe(false); // an I/O lock is not a VirtualLock
  });

  describe('the checker', () => {
    type Internals = { entries: Int32Array; ages: Uint8Array; indexOfVpn: Int32Array; lockedCount: number };
    const broken = (): { ws: WorkingSet; raw: Internals } => {
      const ws = new WorkingSet();
      for (const vpn of [0x10, 0x11, 0x12]) ws.insert(vpn);
      ws.lock(0x11);
      ws.checkInvariants();
      return { ws, raw: ws as unknown as Internals };
    };

    it('notices an entry indexed elsewhere', () => {
      const { ws, raw } = broken();
      raw.indexOfVpn[0x12] = 0;
      expect(() => ws.checkInvariants()).toThrow(/working-set entry 2 \(page 12\) is indexed at 0/);
    });

    it('notices an age wider than two bits', () => {
      const { ws } = broken();
      ws.setAgeAt(1, 3);
      ws.checkInvariants();
      ws.setAgeAt(1, 4);
      expect(() => ws.checkInvariants()).toThrow(/working-set entry 1 has age 4/);
    });

    it('notices a locked count out of step', () => {
      const { ws, raw } = broken();
      raw.lockedCount = 2;
      expect(() => ws.checkInvariants()).toThrow(/1 locked working-set pages but the count says 2/);
    });

    it('notices a peak below the size', () => {
      const { ws } = broken();
      ws.peakPages = 2;
      expect(() => ws.checkInvariants()).toThrow(/working-set peak below its size/);
      ws.peakPages = 3;
      ws.checkInvariants();
    });
  });
});
