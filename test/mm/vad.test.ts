// A VAD's own fields and derived values (MMVAD: StartingVpn, EndingVpn,
// VadType), without a tree. Addresses are the VPN times 4 KiB.
import { describe, expect, it } from 'vitest';
import { Vad, VadType } from '../../src/mm/vad.js';

const make = (extra: Partial<ConstructorParameters<typeof Vad>[0]> = {}) =>
  new Vad({ startingVpn: 0x7ffd0, endingVpn: 0x7ffdf, protection: 4, privateMemory: true, memCommit: false, ...extra });

describe('Vad', () => {
  it('spans whole pages: 0x7FFD0000 up to (not including) 0x7FFE0000, 16 pages', () => {
    const vad = make();
    expect([vad.startAddress, vad.endAddress, vad.pageCount]).toEqual([0x7ffd0000, 0x7ffe0000, 16]);
    expect([0x7ffcf, 0x7ffd0, 0x7ffdf, 0x7ffe0].map((vpn) => vad.containsVpn(vpn))).toEqual([false, true, true, false]);
    expect(new Vad({ startingVpn: 0x7ffff, endingVpn: 0x7ffff, protection: 4, privateMemory: true, memCommit: false }).endAddress).toBe(0x80000000);
  });

  it('VadType: VadNone unless given, VadWriteWatch with a one-byte-per-page bitmap when write watch is asked', () => {
    expect(make().vadType).toBe(VadType.VadNone);
    expect(make().writeWatch).toBeUndefined();
    expect(make({ vadType: VadType.VadImageMap }).vadType).toBe(VadType.VadImageMap);
    const watched = make({ writeWatch: true, vadType: VadType.VadImageMap });
    expect(watched.vadType).toBe(VadType.VadWriteWatch);
    expect(watched.writeWatch).toEqual(new Uint8Array(16));
    expect(make({ writeWatch: false }).vadType).toBe(VadType.VadNone);
    // _MI_VAD_TYPE's values (WRK mi.h).
    expect([VadType.VadNone, VadType.VadImageMap, VadType.VadWriteWatch, VadType.VadLargePageSection]).toEqual([0, 2, 4, 7]);
  });

  it('starts unlinked, height 1, nothing charged', () => {
    const vad = make({ memCommit: true });
    expect([vad.left, vad.right, vad.height, vad.commitCharge, vad.memCommit, vad.privateMemory, vad.protection]).toEqual([null, null, 1, 0, true, true, 4]);
    expect(vad.view).toBeUndefined();
  });
});
