// One process's address space: VAD creation against the layout, commit and
// its peak (EPROCESS.CommitCharge, CommitChargePeak), free-range searches on
// 64 KiB boundaries (MiFindEmptyAddressRange), the working-set size Windows
// reports (working-set list plus page tables), without a CPU. Addresses and
// sizes are Windows x86 literals; page counts worked out here.
import { describe, expect, it } from 'vitest';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { VadType } from '../../src/mm/vad.js';
import { PageFile, MemoryPagingStore } from '../../src/mm/page-file.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const init = (startingVpn: number, endingVpn: number, memCommit = false) =>
  ({ startingVpn, endingVpn, protection: MM_READWRITE, privateMemory: true, memCommit });

describe('AddressSpace', () => {
  it('creates VADs from 0x10000 up to 0x7FFDFFFF only, never over another', () => {
    const { space } = createAddressSpace();
    expect(space.createVad(init(0xf, 0x10))).toBe(0xc0000018);
    expect(space.createVad(init(0x7ffd0, 0x7ffe0))).toBe(0xc0000018);
    const first = space.createVad(init(0x10, 0x10));
    const last = space.createVad(init(0x7ffdf, 0x7ffdf));
    expect(typeof first).toBe('object');
    expect(typeof last).toBe('object');
    expect(space.createVad(init(0x7ffdf, 0x7ffdf))).toBe(0xc0000018);
    expect(space.vads.size).toBe(2);
    expect(space.findVad(0x10fff)).toBe(first);
    expect(space.findVad(0x11000)).toBeUndefined();
  });

  it('a MemCommit VAD charges all its pages, to the VAD, the process and the system; the peak stays', () => {
    const { space } = createAddressSpace(256, 20);
    const vad = space.createVad(init(0x100, 0x10f, true));
    if (typeof vad === 'number') throw new Error('no VAD');
    expect([vad.commitCharge, space.commitCharge, space.peakCommitCharge, space.commit.totalPages]).toEqual([16, 16, 16, 16]);
    // 5 more would pass the limit of 20: refused, nothing charged, no VAD.
    expect(space.createVad(init(0x200, 0x204, true))).toBe(0xc000012d);
    expect(space.vads.size).toBe(1);
    expect(space.createVad(init(0x200, 0x203, true))).not.toBe(0xc000012d);
    expect(space.commit.totalPages).toBe(20);
    space.releaseCommit(vad, 10);
    expect([vad.commitCharge, space.commitCharge, space.peakCommitCharge, space.commit.totalPages]).toEqual([6, 10, 20, 10]);
    expect(space.chargeCommit(vad, 10)).toBe(0);
    expect(space.chargeCommit(vad, 1)).toBe(0xc000012d);
    expect([vad.commitCharge, space.commitCharge, space.peakCommitCharge]).toEqual([16, 20, 20]);
  });

  it('write-watch VADs are counted when created', () => {
    const { space } = createAddressSpace();
    const vad = space.createVad({ ...init(0x100, 0x103), writeWatch: true });
    if (typeof vad === 'number') throw new Error('no VAD');
    expect(vad.vadType).toBe(VadType.VadWriteWatch);
    expect(vad.writeWatch!.length).toBe(4);
    expect(space.writeWatchVads).toBe(1);
    space.createVad(init(0x200, 0x203));
    expect(space.writeWatchVads).toBe(1);
  });

  it('finds free ranges on 64 KiB boundaries between 0x10000 and the highest address asked', () => {
    const { space } = createAddressSpace();
    expect(space.findEmptyAddressRange(1)).toBe(0x10);
    expect(space.findEmptyAddressRange(1, true)).toBe(0x7ffd0);
    // 0x10000 pages do not fit a 2 GiB space twice over.
    expect(space.findEmptyAddressRange(0x80000)).toBeUndefined();
    space.createVad(init(0x10, 0x10));
    expect(space.findEmptyAddressRange(1)).toBe(0x20);
    space.createVad(init(0x7ffd0, 0x7ffd0));
    expect(space.findEmptyAddressRange(1, true)).toBe(0x7ffc0);
    // Top-down below 0x00FFFFFF: the last 64 KiB there starts at 0xFF0000.
    expect(space.findEmptyAddressRange(16, true, 0x00ffffff)).toBe(0xff0);
    expect(space.findEmptyAddressRange(17, true, 0x00ffffff)).toBe(0xfe0);
  });

  it('the working set Windows reports counts the page tables too', () => {
    const { space } = createAddressSpace();
    expect(space.workingSetPages).toBe(0);
    space.createVad(init(0x100, 0x101, true));
    space.createVad(init(0x800, 0x800, true));
    const memory = new UserMemory(space);
    memory.write(0x100000, new Uint8Array([1]));
    memory.write(0x101000, new Uint8Array([1]));
    // Two pages and the one table for 0x000000-0x3FFFFF.
    expect(space.workingSetPages).toBe(3);
    memory.write(0x800000, new Uint8Array([1]));
    // A third page and a second table (0x800000 is in 0x800000-0xBFFFFF).
    expect(space.workingSetPages).toBe(5);
    expect(space.residentPages(space.findVad(0x100000)!)).toEqual([0x100, 0x101]);
    expect(space.residentPages(space.findVad(0x800000)!)).toEqual([0x800]);
  });

  it('frameBytes is the frame\'s 4 KiB of RAM, a view', () => {
    const { space } = createAddressSpace();
    space.memory.bytes[5 * 4096] = 0xaa;
    space.memory.bytes[6 * 4096 - 1] = 0xbb;
    space.memory.bytes[6 * 4096] = 0xcc;
    const bytes = space.frameBytes(5);
    expect([bytes.length, bytes[0], bytes[4095]]).toEqual([4096, 0xaa, 0xbb]);
    bytes[1] = 0x11;
    expect(space.memory.bytes[5 * 4096 + 1]).toBe(0x11);
  });

  it('system-wide state: the page file is the machine\'s, control areas are numbered system-wide', () => {
    const { space } = createAddressSpace();
    expect(space.pageFile).toBeUndefined();
    const file = new PageFile(8, new MemoryPagingStore());
    space.attachPageFile(file);
    expect(space.pageFile).toBe(file);
    expect(space.system.pageFile).toBe(file);
    expect(space.frames.pageFile).toBe(file);
    expect(space.controlAreasCreated).toBe(0);
    space.controlAreasCreated = 4;
    expect(space.system.controlAreasCreated).toBe(4);
    expect(space.controlAreas).toBe(space.system.controlAreas);
    expect(space.system.spaces.has(space)).toBe(true);
  });
});
