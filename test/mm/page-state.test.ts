// What a page of a VAD is (committed, protection, frame), read from its PTE
// with the VAD as the fallback, as the fault handler decides (Windows
// Internals 7th ed. ch. 5, "Page states" and "Software PTEs"). PTE words are
// literals: protection in bits 5-9 of a not-present PTE (MM_READONLY 1,
// MM_READWRITE 4, MM_DECOMMIT 0x10), Transition bit 11, Prototype bit 10.
import { describe, expect, it } from 'vitest';
import { pageStateOf } from '../../src/mm/page-state.js';
import { SEC_COMMIT, SEC_RESERVE, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { UserMemory } from '../../src/mm/user-memory.js';
import { protectVirtualMemory } from '../../src/mm/virtual-memory.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const PAGE_READWRITE = 0x04, PAGE_WRITECOPY = 0x08, PAGE_NOACCESS = 0x01;
const MM_READONLY = 1, MM_READWRITE = 4, MM_WRITECOPY = 5, MM_NOACCESS = 0x18;

describe('pageStateOf: private memory', () => {
  function privateVad(memCommit: boolean) {
    const { space } = createAddressSpace();
    const vad = space.createVad({ startingVpn: 0x100, endingVpn: 0x10f, protection: MM_READWRITE, privateMemory: true, memCommit });
    if (typeof vad === 'number') throw new Error('no VAD');
    return { space, vad };
  }

  it('a zero PTE: the VAD decides (MemCommit: committed with the VAD\'s protection)', () => {
    expect(pageStateOf(privateVad(true).space, privateVad(true).vad, 0x100)).toEqual({ committed: true, protection: MM_READWRITE });
    const { space, vad } = privateVad(false);
    expect(pageStateOf(space, vad, 0x100)).toEqual({ committed: false, protection: 0 });
  });

  it('software PTEs: demand-zero with its protection, decommitted, transition with its frame', () => {
    const { space, vad } = privateVad(true);
    space.pageTables.writeInvalidPte(0x100000, 0x20);
    expect(pageStateOf(space, vad, 0x100)).toEqual({ committed: true, protection: MM_READONLY });
    space.pageTables.writeInvalidPte(0x101000, 0x200);
    expect(pageStateOf(space, vad, 0x101)).toEqual({ committed: false, protection: 0 });
    space.pageTables.writeInvalidPte(0x102000, 0x00042a80); // frame 0x42, transition (0x800), MM_READWRITE|MM_GUARDPAGE (0x14 << 5 = 0x280)
    expect(pageStateOf(space, vad, 0x102)).toEqual({ committed: true, protection: 0x14, pfn: 0x42 });
    space.pageTables.writeInvalidPte(0x103000, 0x00007080); // page file 0, offset 7, MM_READWRITE
    expect(pageStateOf(space, vad, 0x103)).toEqual({ committed: true, protection: MM_READWRITE });
  });

  it('a valid PTE: the frame\'s own protection (a PTE cannot tell execute-read from read-only)', () => {
    const { space, vad } = privateVad(true);
    new UserMemory(space).write(0x100000, new Uint8Array([1]));
    const pfn = space.pageTables.readPte(0x100000) >>> 12;
    expect(pageStateOf(space, vad, 0x100)).toEqual({ committed: true, protection: MM_READWRITE, pfn });
    space.frames.setProtection(pfn, 3);
    expect(pageStateOf(space, vad, 0x100)).toEqual({ committed: true, protection: 3, pfn });
  });
});

describe('pageStateOf: views', () => {
  function mapped(attributes: number, protect = PAGE_READWRITE) {
    const { space } = createAddressSpace();
    const section = createSection(space, { sizeBytes: 0x3000, protect: PAGE_READWRITE, allocationAttributes: attributes });
    if (!(section instanceof SectionObject)) throw new Error(`section ${section}`);
    const view = mapViewOfSection(space, section, { base: 0x200000, offset: 0, viewSize: 0, allocationType: attributes === SEC_RESERVE ? 0x2000 : 0, protect });
    if (!('base' in view)) throw new Error(`view ${view.status}`);
    return { space, section, vad: space.findVad(0x200000)! };
  }

  it('an uncommitted SEC_RESERVE page is not committed; a SEC_COMMIT page has the view\'s protection', () => {
    expect(pageStateOf(mapped(SEC_RESERVE).space, mapped(SEC_RESERVE).vad, 0x200)).toEqual({ committed: false, protection: 0 });
    const { space, vad } = mapped(SEC_COMMIT);
    expect(pageStateOf(space, vad, 0x201)).toEqual({ committed: true, protection: MM_READWRITE });
  });

  it('a resident section page: the shared frame with the view\'s protection, also where this view\'s PTE is zero', () => {
    const { space, vad } = mapped(SEC_COMMIT);
    new UserMemory(space).write(0x200000, new Uint8Array([1]));
    const pfn = space.pageTables.readPte(0x200000) >>> 12;
    expect(pageStateOf(space, vad, 0x200)).toEqual({ committed: true, protection: MM_READWRITE, pfn });
    // PAGE_NOACCESS drops this view's PTE; the prototype PTE still names the resident frame.
    protectVirtualMemory(space, { base: 0x200000, size: 0x1000, protect: PAGE_NOACCESS });
    expect(space.pageTables.readPte(0x200000)).toBe(0);
    expect(pageStateOf(space, vad, 0x200)).toEqual({ committed: true, protection: MM_NOACCESS, pfn });
  });

  it('a copy-on-write view: read pages share the frame (write-copy), a written page has its own frame and protection', () => {
    const { space, vad } = mapped(SEC_COMMIT, PAGE_WRITECOPY);
    const memory = new UserMemory(space);
    memory.read(0x200000, 1);
    const shared = space.pageTables.readPte(0x200000) >>> 12;
    expect(pageStateOf(space, vad, 0x200)).toEqual({ committed: true, protection: MM_WRITECOPY, pfn: shared });
    memory.write(0x201000, new Uint8Array([1]));
    const copy = space.pageTables.readPte(0x201000) >>> 12;
    expect(space.frames.isPrototype(copy)).toBe(false);
    expect(pageStateOf(space, vad, 0x201)).toEqual({ committed: true, protection: MM_READWRITE, pfn: copy });
    // The private copy made no-access keeps its frame in a transition PTE.
    protectVirtualMemory(space, { base: 0x201000, size: 0x1000, protect: PAGE_NOACCESS });
    expect(space.pageTables.readPte(0x201000)).toBe(((copy << 12) | 0x800 | 0x300) >>> 0);
    expect(pageStateOf(space, vad, 0x201)).toEqual({ committed: true, protection: MM_NOACCESS, pfn: copy });
  });
});
