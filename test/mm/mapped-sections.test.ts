// Sections and views without a CPU, beyond the page-file-backed basics of
// section.test.ts: NtCreateSection's refusals, data files mapped through an
// in-memory file (shared control area, dirty pages written back at flush,
// unmap and close), SEC_RESERVE commits inside a view, image views placed
// at, or away from, their base, and copy-on-write views. Status values are
// ntstatus.h's; PTE words are worked out from the x86 layout (protection in
// bits 5-9, Prototype bit 10, Transition bit 11, PFN in bits 12-31).
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/mm/address-space.js';
import { CommitLedger } from '../../src/mm/commit.js';
import { PageTables } from '../../src/mm/page-tables.js';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { PfnDatabase, PfnState } from '../../src/mm/pfn-database.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { PagedPool } from '../../src/mm/paged-pool.js';
import { isDirtyPte, isTransitionPte, isValidPte, pfnOfPte } from '../../src/mm/pte.js';
import {
  SEC_COMMIT, SEC_IMAGE, SEC_RESERVE, Segment, SectionObject, createImageSection, createSection, deleteControlAreaIfUnused, dereferenceSection, findPrototypeOwner,
  isInFilePrototype, isSectionProtection, makePrototypeTransition, referenceImageSection, residentPrototypeFrame, writableCounterpart,
  type BackingFile,
} from '../../src/mm/section.js';
import {
  commitInView, flushAllSections, flushViewOfSection, mapViewOfSection, unmapViewOfSection, updateResidentPages, viewPageProtection,
  type MapViewRequest,
} from '../../src/mm/section-view.js';
import { RecordingHardware, createAddressSpace } from '../helpers/memory-manager.js';

const PAGE = 0x1000;
const STATUS_SUCCESS = 0, STATUS_IMAGE_NOT_AT_BASE = 0x40000003;
const STATUS_CONFLICTING_ADDRESSES = 0xc0000018, STATUS_NOT_MAPPED_VIEW = 0xc0000019, STATUS_INVALID_VIEW_SIZE = 0xc000001f;
const STATUS_SECTION_TOO_BIG = 0xc0000040, STATUS_INVALID_PAGE_PROTECTION = 0xc0000045, STATUS_SECTION_PROTECTION = 0xc000004e;
const STATUS_INSUFFICIENT_RESOURCES = 0xc000009a, STATUS_COMMITMENT_LIMIT = 0xc000012d, STATUS_INVALID_PARAMETER_4 = 0xc00000f2;
const STATUS_MAPPED_ALIGNMENT = 0xc0000220;
const PAGE_NOACCESS = 0x01, PAGE_READONLY = 0x02, PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, PAGE_EXECUTE = 0x10;
const PAGE_EXECUTE_READ = 0x20, PAGE_EXECUTE_READWRITE = 0x40, PAGE_EXECUTE_WRITECOPY = 0x80, PAGE_GUARD = 0x100, PAGE_NOCACHE = 0x200;
const MEM_RESERVE = 0x2000, MEM_TOP_DOWN = 0x100000;
// MM_* protection masks (WRK mi.h).
const MM_READONLY = 1, MM_EXECUTE_READ = 3, MM_READWRITE = 4, MM_WRITECOPY = 5, MM_EXECUTE_READWRITE = 6, MM_EXECUTE_WRITECOPY = 7, MM_NOACCESS = 0x18;
const touch = (address: number, write: boolean) => ({ address, write, user: true });

/** A file in memory: what a view reads and the writes it receives. */
class MemoryFile implements BackingFile {
  controlArea: BackingFile['controlArea'];
  released = 0;
  readonly writes: { offset: number; length: number }[] = [];
  constructor(readonly name: string, public bytes: Uint8Array) {}
  size(): number { return this.bytes.length; }
  read(offset: number, into: Uint8Array): number {
    const part = this.bytes.subarray(offset, offset + into.length);
    into.set(part);
    return part.length;
  }
  write(offset: number, bytes: Uint8Array): void {
    this.writes.push({ offset, length: bytes.length });
    this.bytes.set(bytes, offset);
  }
  release(): void { this.released++; }
}

/** A file of `bytes` bytes whose page n holds the byte n + 1. */
function numberedFile(bytes: number): MemoryFile {
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = Math.floor(i / PAGE) + 1;
  return new MemoryFile('data.bin', data);
}

function section(space: AddressSpace, request: Parameters<typeof createSection>[1]): SectionObject {
  const made = createSection(space, request);
  if (!(made instanceof SectionObject)) throw new Error(`createSection: ${made.toString(16)}`);
  return made;
}

function view(space: AddressSpace, object: SectionObject, request: Partial<MapViewRequest> = {}): number {
  const made = mapViewOfSection(space, object, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE, ...request });
  if (!('base' in made)) throw new Error(`map: ${made.status.toString(16)}`);
  return made.base;
}

/** An address space of 64 frames whose paged pool holds `poolBytes`. */
function withPool(poolBytes: number, commitPages = 4096): AddressSpace {
  const memory = { frameCount: 64, bytes: new Uint8Array(64 * PAGE) };
  const frames = new PfnDatabase(memory);
  return new AddressSpace(new PageTables(frames, memory, new RecordingHardware()), frames, memory, new CommitLedger(commitPages), new PagedPool(poolBytes));
}

describe('NtCreateSection', () => {
  it('takes only the seven section protections (no PAGE_NOACCESS, no modifiers)', () => {
    expect([0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80].every(isSectionProtection)).toBe(true);
    expect([0, PAGE_NOACCESS, PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE, 0x03].some(isSectionProtection)).toBe(false);
    const { space } = createAddressSpace(64, 64);
    for (const protect of [PAGE_NOACCESS, PAGE_READWRITE | PAGE_NOCACHE, 0]) {
      expect(createSection(space, { sizeBytes: PAGE, protect, allocationAttributes: SEC_COMMIT })).toBe(STATUS_INVALID_PAGE_PROTECTION);
    }
  });

  it('refuses more than 2 GiB and an empty page-file-backed section; charges SEC_COMMIT sections whole pages', () => {
    const { space } = createAddressSpace(64, 64);
    expect(createSection(space, { sizeBytes: 0x80000001, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE })).toBe(STATUS_SECTION_TOO_BIG);
    const largest = section(space, { sizeBytes: 0x80000000, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE });
    expect(largest.controlArea.segment.pageCount).toBe(0x80000);
    expect(largest.controlArea.reserveOnly).toBe(true);
    expect(space.commit.totalPages).toBe(0);
    expect(createSection(space, { sizeBytes: 0, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT })).toBe(STATUS_INVALID_PARAMETER_4);
    const small = section(space, { sizeBytes: PAGE + 1, protect: PAGE_READONLY, allocationAttributes: SEC_COMMIT });
    expect(space.commit.totalPages).toBe(2);
    expect(small.controlArea.commitPages).toBe(2);
    expect(small.controlArea.reserveOnly).toBe(false);
    // A committed page-file-backed page is demand-zero with the section's protection: MM_READONLY (1) << 5.
    expect(small.controlArea.segment.prototypePtes.get(1)).toBe(0x20);
    expect(small.sizeBytes).toBe(PAGE + 1);
    expect(small.protection).toBe(MM_READONLY);
    expect(createSection(space, { sizeBytes: 200 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT })).toBe(STATUS_COMMITMENT_LIMIT);
    expect(space.commit.totalPages).toBe(2);
    dereferenceSection(space, small);
    expect(space.commit.totalPages).toBe(0);
  });

  it('gives everything back when paged pool runs out', () => {
    // Room for the control area (0x100) and one pool page of prototype PTEs (1,024 of them).
    const space = withPool(0x100 + 4096);
    expect(createSection(space, { sizeBytes: 1025 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT })).toBe(STATUS_INSUFFICIENT_RESOURCES);
    expect(space.pagedPool.usedBytes).toBe(0);
    expect(space.commit.totalPages).toBe(0);
    expect(createSection(space, { sizeBytes: 1024 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT })).toBeInstanceOf(SectionObject);
    expect(space.pagedPool.usedBytes).toBe(0x100 + 4096);
    expect(space.commit.totalPages).toBe(1024);
    expect(createSection(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE })).toBe(STATUS_INSUFFICIENT_RESOURCES);
    expect(space.pagedPool.usedBytes).toBe(0x100 + 4096);
    expect(space.commit.totalPages).toBe(1024);
  });

  it('numbers control areas as they are created, system-wide', () => {
    const { space } = createAddressSpace(64, 64);
    const a = section(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    const b = section(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    expect([a.controlArea.id, b.controlArea.id]).toEqual([1, 2]);
    expect(space.controlAreasCreated).toBe(2);
  });
});

describe('prototype PTE helpers', () => {
  it('a copy-on-write protection becomes its writable counterpart; the others stay', () => {
    expect(writableCounterpart(MM_WRITECOPY)).toBe(MM_READWRITE);
    expect(writableCounterpart(MM_EXECUTE_WRITECOPY)).toBe(MM_EXECUTE_READWRITE);
    expect(writableCounterpart(0x08 | MM_WRITECOPY)).toBe(0x08 | MM_READWRITE); // MM_NOCACHE kept
    expect(writableCounterpart(MM_READONLY)).toBe(MM_READONLY);
    expect(writableCounterpart(MM_EXECUTE_READ)).toBe(MM_EXECUTE_READ);
  });

  it('tell a page in the file from a resident page', () => {
    expect(isInFilePrototype(0x480)).toBe(true); // MM_READWRITE << 5 | Prototype
    expect(isInFilePrototype(0x80)).toBe(false);
    expect(isInFilePrototype(0x00005467)).toBe(false); // valid (bit 0) with bit 10 set
    expect(residentPrototypeFrame(0x00005067)).toBe(5); // valid
    expect(residentPrototypeFrame(0x00007880)).toBe(7); // transition: bit 11, protection 4 << 5
    expect(residentPrototypeFrame(0x00007480)).toBeUndefined(); // in the file
    expect(residentPrototypeFrame(0x80)).toBeUndefined();
  });

  it('a segment grows with the new pages\' initial PTE, or stays as it was when pool runs out', () => {
    const pool = new PagedPool(2 * 4096);
    const segment = new Segment(pool, 1000);
    segment.prototypePtes.set(0, 0x480);
    expect(segment.grow(1000, 0x480)).toBe(true);
    expect(segment.grow(10, 0x480)).toBe(true);
    expect(segment.pageCount).toBe(1000);
    expect(segment.grow(1030, 0x480)).toBe(true);
    expect([segment.prototypePtes.get(999), segment.prototypePtes.get(1000), segment.prototypePtes.get(1029)]).toEqual([0, 0x480, 0x480]);
    expect(segment.pageCount).toBe(1030);
    expect(segment.prototypePtes.length).toBe(1030);
    expect(segment.grow(2100, 0x480)).toBe(false); // a third pool page is needed at 2048
    expect(segment.pageCount).toBe(1030);
    expect(segment.prototypePtes.length).toBe(1030);
    expect(segment.prototypePtes.get(2047)).toBe(0);
    expect(segment.prototypePtes.get(1030)).toBe(0);
    expect(segment.prototypePtes.get(1029)).toBe(0x480);
    // Growing to exactly 1,024 PTEs needs no second pool page.
    const onePage = new Segment(new PagedPool(4096), 1000);
    onePage.prototypePtes.set(0, 0x480);
    expect(onePage.grow(1024, 0x480)).toBe(true);
    expect(onePage.prototypePtes.poolPages).toBe(1);
  });

  it('a section closed while a view maps it stays until the view goes, and goes once', () => {
    const { space } = createAddressSpace(64, 64);
    const object = section(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    const base = view(space, object);
    dereferenceSection(space, object);
    expect(space.controlAreas.size).toBe(1);
    expect(space.commit.totalPages).toBe(1);
    unmapViewOfSection(space, base);
    expect(space.controlAreas.size).toBe(0);
    expect(space.commit.totalPages).toBe(0);
    expect(space.pagedPool.usedBytes).toBe(0);
    deleteControlAreaIfUnused(space, object.controlArea); // already gone: nothing is given back twice
    expect(space.commit.totalPages).toBe(0);
    expect(space.pagedPool.usedBytes).toBe(0);
  });

  it('a prototype PTE names its frame in transition once the last view lets go, and nothing else may claim it', () => {
    const { space } = createAddressSpace(64, 64);
    const object = section(space, { sizeBytes: PAGE, protect: PAGE_READONLY, allocationAttributes: SEC_COMMIT });
    const base = view(space, object, { protect: PAGE_READONLY });
    resolvePageFault(space, touch(base, false));
    const pfn = pfnOfPte(space.pageTables.readPte(base));
    const address = object.controlArea.segment.prototypePteAddress(0);
    expect(findPrototypeOwner(space, address)).toEqual({ controlArea: object.controlArea, index: 0 });
    expect(findPrototypeOwner(space, address + 0x1000)).toBeUndefined();
    unmapViewOfSection(space, base);
    // Transition (bit 11) | MM_READONLY << 5 | the frame.
    expect(object.controlArea.segment.prototypePtes.get(0)).toBe(((pfn << 12) | 0x800 | 0x20) >>> 0);
    expect(() => makePrototypeTransition(space, pfn, 0xe2000000)).toThrow(/names prototype PTE 0xe2000000, which no segment holds/);
    expect(() => makePrototypeTransition(space, pfn + 1, address)).toThrow(KernelPanic);
    expect(() => makePrototypeTransition(space, pfn + 1, address)).toThrow(/does not name PFN/);
  });
});

describe('views of a page-file-backed section', () => {
  it('refuses views whose protection has modifiers or no access, and those the section does not allow', () => {
    const { space } = createAddressSpace(64, 1024);
    const readWrite = section(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    const map = (object: SectionObject, protect: number) => mapViewOfSection(space, object, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect }).status;
    for (const protect of [0, PAGE_NOACCESS, PAGE_READWRITE | PAGE_GUARD, PAGE_READWRITE | PAGE_NOCACHE, 0x03]) {
      expect(map(readWrite, protect)).toBe(STATUS_INVALID_PAGE_PROTECTION);
    }
    expect([PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READ].map((protect) => map(readWrite, protect))).toEqual([0, 0, 0, 0]);
    const writeCopy = section(space, { sizeBytes: 0x10000, protect: PAGE_WRITECOPY, allocationAttributes: SEC_COMMIT });
    expect(map(writeCopy, PAGE_READWRITE)).toBe(STATUS_SECTION_PROTECTION);
    expect(map(writeCopy, PAGE_WRITECOPY)).toBe(STATUS_SUCCESS);
    const executeRead = section(space, { sizeBytes: 0x10000, protect: PAGE_EXECUTE_READ, allocationAttributes: SEC_COMMIT });
    expect(map(executeRead, PAGE_EXECUTE_WRITECOPY)).toBe(STATUS_SECTION_PROTECTION);
    expect(map(executeRead, PAGE_EXECUTE)).toBe(STATUS_SUCCESS);
    const executeReadWrite = section(space, { sizeBytes: 0x10000, protect: PAGE_EXECUTE_READWRITE, allocationAttributes: SEC_COMMIT });
    expect(map(executeReadWrite, PAGE_EXECUTE_READWRITE)).toBe(STATUS_SUCCESS);
    expect(map(executeReadWrite, PAGE_EXECUTE_WRITECOPY)).toBe(STATUS_SUCCESS);
  });

  it('places a view where asked, bottom-up or top-down, and sizes it in whole pages within the section', () => {
    const { space } = createAddressSpace(64, 64);
    const object = section(space, { sizeBytes: 0x30000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    const at = mapViewOfSection(space, object, { base: 0x500000, offset: 0x10000, viewSize: 0x1001, allocationType: 0, protect: PAGE_READWRITE });
    expect(at).toMatchObject({ status: STATUS_SUCCESS, base: 0x500000, size: 0x2000 });
    expect(at).toMatchObject({ vad: { startingVpn: 0x500, endingVpn: 0x501 } });
    // The view's first page is the section's page 16.
    expect((at as { vad: { view: { firstPrototypePte: number } } }).vad.view.firstPrototypePte).toBe(16);
    const top = mapViewOfSection(space, object, { base: 0, offset: 0, viewSize: 0x10000, allocationType: MEM_TOP_DOWN, protect: PAGE_READWRITE });
    expect(top).toMatchObject({ status: STATUS_SUCCESS, base: 0x7ffe0000 - 0x10000, size: 0x10000 });
    const low = mapViewOfSection(space, object, { base: 0, offset: 0x20000, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
    expect(low).toMatchObject({ status: STATUS_SUCCESS, base: 0x10000, size: 0x10000 });
    expect(object.controlArea.numberOfMappedViews).toBe(3);
    // The last 64 KiB below KUSER_SHARED_DATA is taken now; a view there or on KUSER_SHARED_DATA conflicts.
    expect(mapViewOfSection(space, object, { base: 0x7ffe0000, offset: 0, viewSize: 0x1000, allocationType: 0, protect: PAGE_READWRITE }).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    expect(mapViewOfSection(space, object, { base: 0x7ffd0000, offset: 0, viewSize: 0x1000, allocationType: 0, protect: PAGE_READWRITE }).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    expect(mapViewOfSection(space, object, { base: 0x7ffc0000, offset: 0, viewSize: 0x10000, allocationType: 0, protect: PAGE_READWRITE }).status).toBe(STATUS_SUCCESS);
    // A view ending exactly at the section's end fits; one byte more does not.
    expect(mapViewOfSection(space, object, { base: 0, offset: 0x20000, viewSize: 0x10000, allocationType: 0, protect: PAGE_READWRITE }).status).toBe(STATUS_SUCCESS);
    expect(mapViewOfSection(space, object, { base: 0, offset: 0x20000, viewSize: 0x10001, allocationType: 0, protect: PAGE_READWRITE }).status).toBe(STATUS_INVALID_VIEW_SIZE);
    checkAddressSpaceInvariants(space);
  });

  it('charges a copy-on-write view for every page up front, and refuses it past the commit limit', () => {
    const { space } = createAddressSpace(64, 20);
    const object = section(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    expect(space.commit.totalPages).toBe(16);
    expect(mapViewOfSection(space, object, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_WRITECOPY }).status).toBe(STATUS_COMMITMENT_LIMIT);
    expect([...space.vads.inOrder()]).toHaveLength(0);
    expect(object.controlArea.numberOfMappedViews).toBe(0);
    const small = mapViewOfSection(space, object, { base: 0, offset: 0, viewSize: 0x4000, allocationType: 0, protect: PAGE_WRITECOPY });
    expect(small.status).toBe(STATUS_SUCCESS);
    expect(space.commitCharge).toBe(4);
    expect(space.commit.totalPages).toBe(20);
  });

  it('unmapping frees a copy-on-write view\'s private copies, and a trimmed one\'s frame', () => {
    const { space } = createAddressSpace(64, 64);
    const object = section(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    const copy = view(space, object, { protect: PAGE_WRITECOPY });
    resolvePageFault(space, touch(copy, true));
    resolvePageFault(space, touch(copy + PAGE, false));
    resolvePageFault(space, touch(copy + PAGE, true));
    const before = space.frames.counts();
    expect(unmapViewOfSection(space, copy)).toBe(STATUS_SUCCESS);
    // Page 0 was a demand-zero write (a private page); page 1 read a shared page, then copied it, dropping its share
    // (the shared frame went to standby then): the 2 private frames are freed.
    expect(before.standby).toBe(1);
    const after = space.frames.counts();
    expect(after.active).toBe(before.active - 2);
    expect(after.free).toBe(before.free + 2);
    expect(after.standby).toBe(1);
    expect(space.commitCharge).toBe(0);
    checkAddressSpaceInvariants(space);
  });
});

describe('views of a mapped data file', () => {
  function mappedFile(pages = 3, extraBytes = 0x100) {
    const { space } = createAddressSpace(128, 128);
    const file = numberedFile(pages * PAGE + extraBytes);
    const object = section(space, { sizeBytes: file.size(), protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT, file });
    return { space, file, object };
  }

  it('a data file section starts with every page in the file, charges no commit and is the file\'s one control area', () => {
    const { space, file, object } = mappedFile();
    expect(object.controlArea.segment.pageCount).toBe(4); // 3 pages and 0x100 bytes
    expect(object.controlArea.segment.prototypePtes.get(3)).toBe(0x480); // MM_READWRITE << 5 | Prototype
    expect(file.controlArea).toBe(object.controlArea);
    expect(space.commit.totalPages).toBe(0);
    const again = section(space, { sizeBytes: 6 * PAGE, protect: PAGE_READONLY, allocationAttributes: SEC_COMMIT, file });
    expect(again.controlArea).toBe(object.controlArea);
    expect(object.controlArea.numberOfSectionReferences).toBe(2);
    expect(object.controlArea.segment.pageCount).toBe(6);
    expect(object.controlArea.segment.prototypePtes.get(5)).toBe(0x420); // the new pages: MM_READONLY << 5 | Prototype
    dereferenceSection(space, again);
    expect(space.controlAreas.size).toBe(1);
    dereferenceSection(space, object);
    expect(space.controlAreas.size).toBe(0);
    expect(file.controlArea).toBeUndefined();
    expect(file.released).toBe(1);
    expect(space.pagedPool.usedBytes).toBe(0);
  });

  it('reads pages from the file, with neighbours read ahead to standby', () => {
    const { space, object } = mappedFile(3, 0x100);
    const base = view(space, object);
    const result = resolvePageFault(space, touch(base + PAGE, false));
    // Page 1 and its neighbours 2, 3 after it, then 0 before it: 4 pages, the last one 0x100 bytes long.
    expect(result).toMatchObject({ kind: 'resolved', how: 'section-file', fileBytes: 3 * PAGE + 0x100, section: { file: 'data.bin', fileOffset: PAGE, clusterPages: 4 } });
    const prototypes = object.controlArea.segment.prototypePtes;
    const last = pfnOfPte(prototypes.get(3));
    expect(space.frameBytes(last)[0xff]).toBe(4);
    expect(space.frameBytes(last)[0x100]).toBe(0); // past the end of the file
    expect(isTransitionPte(prototypes.get(0))).toBe(true);
    checkAddressSpaceInvariants(space);
  });

  it('writes a page back only when it was written, at flush, and only the part inside the file', () => {
    const { space, file, object } = mappedFile(3, 0x100);
    const a = view(space, object), b = view(space, object);
    resolvePageFault(space, touch(a + 3 * PAGE, true));
    resolvePageFault(space, touch(b + PAGE, false));
    const pfn = pfnOfPte(space.pageTables.readPte(a + 3 * PAGE));
    space.frameBytes(pfn).fill(0xee);
    // As the MMU would on the write through view A.
    space.pageTables.updateValidPte(a + 3 * PAGE, (space.pageTables.readPte(a + 3 * PAGE) | 0x40) >>> 0);
    // Flushing view B's range of the file sees view A's write (Dirty bits of every view are collected).
    expect(flushViewOfSection(space, b + 2 * PAGE + 0x10, 0x1000)).toEqual({ status: STATUS_SUCCESS, region: { base: b + 2 * PAGE, size: 0x2000 } });
    expect(file.writes).toEqual([{ offset: 3 * PAGE, length: 0x100 }]);
    expect(file.bytes[3 * PAGE + 0xff]).toBe(0xee);
    expect(file.bytes.length).toBe(3 * PAGE + 0x100);
    expect(isDirtyPte(space.pageTables.readPte(a + 3 * PAGE))).toBe(false);
    expect(space.frames.isModified(pfn)).toBe(false);
    // Nothing modified since: a second flush writes nothing.
    expect(flushViewOfSection(space, a, 0).region).toEqual({ base: a, size: 4 * PAGE });
    expect(flushViewOfSection(space, a + PAGE, 100 * PAGE).region).toEqual({ base: a + PAGE, size: 3 * PAGE }); // clipped to the view
    expect(file.writes).toHaveLength(1);
    expect(flushViewOfSection(space, 0x300000, 0).status).toBe(STATUS_NOT_MAPPED_VIEW);
    checkAddressSpaceInvariants(space);
  });

  it('a flush covers only its range', () => {
    const { space, file, object } = mappedFile(4, 0);
    const base = view(space, object);
    for (const page of [0, 2]) {
      resolvePageFault(space, touch(base + page * PAGE, true));
      space.pageTables.updateValidPte(base + page * PAGE, (space.pageTables.readPte(base + page * PAGE) | 0x40) >>> 0);
    }
    flushViewOfSection(space, base + 2 * PAGE, PAGE);
    expect(file.writes).toEqual([{ offset: 2 * PAGE, length: PAGE }]);
    flushViewOfSection(space, base, 2 * PAGE);
    expect(file.writes).toEqual([{ offset: 2 * PAGE, length: PAGE }, { offset: 0, length: PAGE }]);
  });

  it('the last view\'s unmap and the process\'s flush of all sections write dirty pages back', () => {
    const { space, file, object } = mappedFile(2, 0);
    const a = view(space, object), b = view(space, object);
    resolvePageFault(space, touch(a, true));
    space.pageTables.updateValidPte(a, (space.pageTables.readPte(a) | 0x40) >>> 0);
    space.frameBytes(pfnOfPte(space.pageTables.readPte(a)))[0] = 0x99;
    unmapViewOfSection(space, a); // the Dirty bit reaches the frame; view b remains
    expect(file.writes).toHaveLength(0);
    unmapViewOfSection(space, b);
    expect(file.writes).toEqual([{ offset: 0, length: PAGE }]);
    expect(file.bytes[0]).toBe(0x99);
    // Mapped again: flushAllSections (the lazy writer at exit) writes what was dirtied.
    const c = view(space, object);
    resolvePageFault(space, touch(c + PAGE, true));
    space.pageTables.updateValidPte(c + PAGE, (space.pageTables.readPte(c + PAGE) | 0x40) >>> 0);
    space.frameBytes(pfnOfPte(space.pageTables.readPte(c + PAGE)))[1] = 0x77;
    const paged = section(space, { sizeBytes: PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    const d = view(space, paged);
    resolvePageFault(space, touch(d, true));
    flushAllSections(space);
    expect(file.writes).toEqual([{ offset: 0, length: PAGE }, { offset: PAGE, length: PAGE }]);
    expect(file.bytes[PAGE + 1]).toBe(0x77);
  });

  it('closing the section with no view writes modified resident pages and frees them', () => {
    const { space, file, object } = mappedFile(2, 0);
    const a = view(space, object);
    resolvePageFault(space, touch(a, true));
    space.pageTables.updateValidPte(a, (space.pageTables.readPte(a) | 0x40) >>> 0);
    const pfn = pfnOfPte(space.pageTables.readPte(a));
    space.frameBytes(pfn)[5] = 0x55;
    unmapViewOfSection(space, a);
    expect(file.writes).toHaveLength(1); // the last view's unmap wrote it
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Standby);
    dereferenceSection(space, object);
    expect(space.frames.stateOf(pfn)).toBe(PfnState.Free);
    expect(file.writes).toHaveLength(1);
    checkAddressSpaceInvariants(space);
  });

  it('a write to the file reaches the resident pages of its range (and only those)', () => {
    const { space, object } = mappedFile(3, 0);
    const base = view(space, object);
    resolvePageFault(space, touch(base + 2 * PAGE, false)); // reads 2, then 1 and 0 before it
    const frameOf = (page: number) => space.frameBytes(residentPrototypeFrame(object.controlArea.segment.prototypePtes.get(page))!);
    const bytes = new Uint8Array(PAGE + 0x20).fill(0xab);
    updateResidentPages(space, object.controlArea, PAGE - 0x10, bytes);
    expect([frameOf(0)[PAGE - 0x11], frameOf(0)[PAGE - 0x10], frameOf(1)[0], frameOf(1)[PAGE - 1], frameOf(2)[0xf], frameOf(2)[0x10]]).toEqual([1, 0xab, 0xab, 0xab, 0xab, 3]);
    // Past the section's pages: nothing to update.
    updateResidentPages(space, object.controlArea, 3 * PAGE, new Uint8Array(PAGE).fill(1));
    expect(frameOf(2)[PAGE - 1]).toBe(3);
  });
});

describe('committing pages of a SEC_RESERVE view', () => {
  function reserved() {
    const { space } = createAddressSpace(64, 64);
    const object = section(space, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE });
    const address = view(space, object, { allocationType: MEM_RESERVE });
    const vad = space.findVad(address)!;
    return { space, object, address, vad };
  }

  it('charges each page once, with the section\'s protection in the prototype PTE and the asked one in this view', () => {
    const { space, object, address, vad } = reserved();
    expect(commitInView(space, vad, vad.startingVpn + 1, vad.startingVpn + 2, PAGE_READONLY, MM_READONLY)).toBe(STATUS_SUCCESS);
    expect(space.commit.totalPages).toBe(2);
    expect(object.controlArea.commitPages).toBe(2);
    expect(object.controlArea.segment.prototypePtes.get(1)).toBe(0x80); // demand-zero, MM_READWRITE
    expect(object.controlArea.segment.prototypePtes.get(3)).toBe(0);
    expect(viewPageProtection(vad, vad.startingVpn + 2)).toBe(MM_READONLY);
    expect(viewPageProtection(vad, vad.startingVpn)).toBe(MM_READWRITE);
    expect(commitInView(space, vad, vad.startingVpn, vad.startingVpn + 3, PAGE_READWRITE, MM_READWRITE)).toBe(STATUS_SUCCESS);
    expect(space.commit.totalPages).toBe(4);
    expect(resolvePageFault(space, touch(address + 3 * PAGE, true))).toMatchObject({ how: 'section-zero' });
  });

  it('refuses a protection the section does not allow, and commit past the limit', () => {
    const { space, vad } = reserved();
    expect(commitInView(space, vad, vad.startingVpn, vad.startingVpn, PAGE_EXECUTE_READWRITE, MM_EXECUTE_READWRITE)).toBe(STATUS_SECTION_PROTECTION);
    expect(commitInView(space, vad, vad.startingVpn, vad.startingVpn + 15, PAGE_READWRITE, MM_READWRITE)).toBe(STATUS_SUCCESS);
    const { space: full, vad: fullVad } = reserved();
    full.commit.tryCharge(full.commit.limitPages - 1);
    expect(commitInView(full, fullVad, fullVad.startingVpn, fullVad.startingVpn + 1, PAGE_READWRITE, MM_READWRITE)).toBe(STATUS_COMMITMENT_LIMIT);
    expect(commitInView(full, fullVad, fullVad.startingVpn, fullVad.startingVpn, PAGE_READWRITE, MM_READWRITE)).toBe(STATUS_SUCCESS);
  });

  it('gives back the commit and the PTEs it stored when paged pool runs out', () => {
    // The control area (0x100) and one pool page fit: the prototype PTEs of pages 0-1023, not 1024.
    const space = withPool(0x100 + 4096);
    const object = section(space, { sizeBytes: 1280 * PAGE, protect: PAGE_READWRITE, allocationAttributes: SEC_RESERVE });
    const vad = space.findVad(view(space, object, { allocationType: MEM_RESERVE }))!;
    const first = vad.startingVpn;
    expect(commitInView(space, vad, first + 1022, first + 1024, PAGE_READWRITE, MM_READWRITE)).toBe(STATUS_INSUFFICIENT_RESOURCES);
    expect(space.commit.totalPages).toBe(0);
    expect(object.controlArea.commitPages).toBe(0);
    expect([object.controlArea.segment.prototypePtes.get(1022), object.controlArea.segment.prototypePtes.get(1023)]).toEqual([0, 0]);
    expect(vad.view!.pageProtection).toBeUndefined();
    expect(commitInView(space, vad, first + 1022, first + 1023, PAGE_READONLY, MM_READONLY)).toBe(STATUS_SUCCESS);
    expect(space.commit.totalPages).toBe(2);
  });

  it('is a no-op in a view of a section committed already', () => {
    const { space } = createAddressSpace(64, 64);
    const object = section(space, { sizeBytes: 0x10000, protect: PAGE_READONLY, allocationAttributes: SEC_COMMIT });
    const vad = space.findVad(view(space, object, { protect: PAGE_READONLY }))!;
    expect(commitInView(space, vad, vad.startingVpn, vad.startingVpn, PAGE_EXECUTE_READWRITE, MM_EXECUTE_READWRITE)).toBe(STATUS_SUCCESS);
    expect(space.commit.totalPages).toBe(16);
    expect(vad.view!.pageProtection).toBeUndefined();
  });
});

describe('image views', () => {
  function image(space: AddressSpace, relocatable: boolean, imageBase = 0x400000) {
    const file = numberedFile(4 * PAGE);
    // Code, read-only data, copy-on-write data, .bss (copy-on-write, no file bytes).
    const protections = Uint8Array.of(MM_EXECUTE_READ, MM_READONLY, MM_WRITECOPY, MM_WRITECOPY);
    const made = createImageSection(space, { file, imageBase, protections, hasFileBytes: (page) => page < 3, relocatable });
    if (!(made instanceof SectionObject)) throw new Error(`image: ${made}`);
    return made;
  }
  const mapAt = (space: AddressSpace, object: SectionObject, base: number) =>
    mapViewOfSection(space, object, { base, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });

  it('has in-file prototype PTEs for pages with file bytes, demand-zero ones for .bss, none for gaps', () => {
    const { space } = createAddressSpace(64, 64);
    const file = numberedFile(2 * PAGE);
    const made = createImageSection(space, { file, imageBase: 0x400000, protections: Uint8Array.of(MM_EXECUTE_READ, MM_NOACCESS, MM_WRITECOPY), hasFileBytes: (page) => page === 0 });
    if (!(made instanceof SectionObject)) throw new Error('image');
    const ptes = made.controlArea.segment.prototypePtes;
    // MM_EXECUTE_READ (3) << 5 | Prototype; 0 for the gap; MM_WRITECOPY (5) << 5 demand-zero.
    expect([ptes.get(0), ptes.get(1), ptes.get(2)]).toEqual([0x460, 0, 0xa0]);
    expect(made).toMatchObject({ sizeBytes: 3 * PAGE, protection: MM_EXECUTE_WRITECOPY, allocationAttributes: SEC_IMAGE, imageBase: 0x400000 });
    expect(made.controlArea).toMatchObject({ image: true, imageBase: 0x400000, imageRelocatable: false, numberOfSectionReferences: 1 });
    const again = referenceImageSection(made.controlArea);
    expect(again).toMatchObject({ sizeBytes: 3 * PAGE, protection: MM_EXECUTE_WRITECOPY, allocationAttributes: SEC_IMAGE, imageBase: 0x400000, controlArea: made.controlArea });
    expect(made.controlArea.numberOfSectionReferences).toBe(2);
  });

  it('an image section that does not fit in paged pool leaves nothing behind', () => {
    const space = withPool(0x100);
    const file = numberedFile(PAGE);
    expect(createImageSection(space, { file, imageBase: 0x400000, protections: Uint8Array.of(MM_READONLY), hasFileBytes: () => true })).toBe(STATUS_INSUFFICIENT_RESOURCES);
    expect(space.pagedPool.usedBytes).toBe(0);
    expect(space.controlAreas.size).toBe(0);
    // Not even the control area fits.
    expect(createImageSection(withPool(0), { file, imageBase: 0x400000, protections: Uint8Array.of(MM_READONLY), hasFileBytes: () => true })).toBe(STATUS_INSUFFICIENT_RESOURCES);
  });

  it('maps at its base, charging commit for its two copy-on-write pages', () => {
    const { space } = createAddressSpace(64, 64);
    const object = image(space, false);
    // MEM_RESERVE views are for SEC_RESERVE sections only.
    expect(mapViewOfSection(space, object, { base: 0, offset: 0, viewSize: 0, allocationType: MEM_RESERVE, protect: PAGE_READWRITE }).status).toBe(0xc00000f7);
    expect(mapAt(space, object, 0)).toMatchObject({ status: STATUS_SUCCESS, base: 0x400000, size: 4 * PAGE });
    expect(space.commitCharge).toBe(2);
    expect(object.controlArea.numberOfMappedViews).toBe(1);
    expect(viewPageProtection(space.findVad(0x400000)!, 0x402)).toBe(MM_WRITECOPY);
    expect(viewPageProtection(space.findVad(0x400000)!, 0x400)).toBe(MM_EXECUTE_READ);
  });

  it('a second view of an image without relocations conflicts; one with relocations moves (STATUS_IMAGE_NOT_AT_BASE)', () => {
    const { space } = createAddressSpace(64, 64);
    const fixed = image(space, false);
    expect(mapAt(space, fixed, 0x400000).status).toBe(STATUS_SUCCESS);
    expect(mapAt(space, fixed, 0).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    expect(mapAt(space, fixed, 0x400000).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    expect(mapAt(space, fixed, 0x600000).status).toBe(STATUS_CONFLICTING_ADDRESSES); // cannot move at all
    const movable = image(space, true);
    expect(mapAt(space, movable, 0)).toMatchObject({ status: STATUS_IMAGE_NOT_AT_BASE, base: 0x10000 });
    expect(mapAt(space, movable, 0x400000).status).toBe(STATUS_CONFLICTING_ADDRESSES); // its base asked for explicitly
    expect(mapAt(space, movable, 0x601000).status).toBe(STATUS_MAPPED_ALIGNMENT);
    expect(mapAt(space, movable, 0x600000)).toMatchObject({ status: STATUS_IMAGE_NOT_AT_BASE, base: 0x600000 });
    expect(mapAt(space, movable, 0x600000).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    // Four pages from 0x7FFD0000 end at 0x7FFD3FFF: fits; 0x7FFE0000 would cover KUSER_SHARED_DATA.
    expect(mapAt(space, movable, 0x7ffd0000)).toMatchObject({ status: STATUS_IMAGE_NOT_AT_BASE, base: 0x7ffd0000 });
    expect(mapAt(space, movable, 0x7ffe0000).status).toBe(STATUS_CONFLICTING_ADDRESSES);
    checkAddressSpaceInvariants(space);
  });

  it('refuses an image view past the commit limit, leaving no VAD', () => {
    const { space } = createAddressSpace(64, 1);
    const object = image(space, false);
    expect(mapAt(space, object, 0).status).toBe(STATUS_COMMITMENT_LIMIT);
    expect([...space.vads.inOrder()]).toHaveLength(0);
    expect(object.controlArea.numberOfMappedViews).toBe(0);
  });

  it('a write to a .bss page gets a private zeroed page; to a data page, a private copy of the file\'s bytes', () => {
    const { space } = createAddressSpace(64, 64);
    const object = image(space, false);
    mapAt(space, object, 0);
    const bss = resolvePageFault(space, touch(0x403000, true));
    expect(bss).toMatchObject({ kind: 'resolved', how: 'demand-zero' });
    expect(object.controlArea.segment.prototypePtes.get(3)).toBe(0xa0); // untouched: no shared page was made
    const data = resolvePageFault(space, touch(0x402000, true));
    expect(data).toMatchObject({ kind: 'resolved', how: 'copy-on-write', fileBytes: PAGE });
    if (data.kind !== 'resolved') return;
    expect(space.frameBytes(data.pfn)[0]).toBe(3);
    // The private page is read-write: MM_READWRITE in the frame, and a writable valid PTE.
    expect(space.frames.protectionOf(data.pfn)).toBe(MM_READWRITE);
    expect(isValidPte(space.pageTables.readPte(0x402000))).toBe(true);
    expect(space.pageTables.readPte(0x402000) & 2).toBe(2);
    checkAddressSpaceInvariants(space);
  });
});
