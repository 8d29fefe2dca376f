// Two processes' address spaces on one memory system, without a CPU: a
// section shared between them (one frame, share count over both), the
// invariant checker over both, and a process's teardown.
import { describe, expect, it } from 'vitest';
import { AddressSpace } from '../../src/mm/address-space.js';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { PageTables } from '../../src/mm/page-tables.js';
import { deleteAddressSpace } from '../../src/mm/process-teardown.js';
import { pfnOfPte } from '../../src/mm/pte.js';
import { SEC_COMMIT, SectionObject, createSection } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { STATUS_SUCCESS } from '../../src/nt/status.js';
import { RecordingHardware, createAddressSpace } from '../helpers/memory-manager.js';

const PAGE_READWRITE = 0x04;
const touch = (address: number, write: boolean) => ({ address, write, user: true });

function twoProcesses() {
  const { space: first } = createAddressSpace(256, 256);
  const hardware = new RecordingHardware();
  const tables = new PageTables(first.frames, first.memory, hardware, first.pageTables);
  const second = new AddressSpace(tables, first.frames, first.memory, first.commit, first.pagedPool, first.system);
  return { first, second, hardware };
}

function mapSection(space: AddressSpace, section: SectionObject): number {
  const result = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: PAGE_READWRITE });
  if (result.status !== STATUS_SUCCESS || !('base' in result)) throw new Error(`map: ${result.status}`);
  return result.base;
}

describe('two address spaces', () => {
  it('share one section frame (share count 2 over both processes) and the checker covers both', () => {
    const { first, second } = twoProcesses();
    expect([...first.system.spaces]).toEqual([first, second]);
    const section = createSection(first, { sizeBytes: 0x10000, protect: PAGE_READWRITE, allocationAttributes: SEC_COMMIT });
    if (!(section instanceof SectionObject)) throw new Error(`createSection: ${section}`);
    const a = mapSection(first, section);
    section.controlArea.numberOfSectionReferences++; // the second process's handle
    const b = mapSection(second, section);
    expect(resolvePageFault(first, touch(a, true))).toMatchObject({ kind: 'resolved', how: 'section-zero' });
    expect(resolvePageFault(second, touch(b, false))).toMatchObject({ kind: 'resolved', how: 'section-shared' });
    const pfn = pfnOfPte(first.pageTables.readPte(a));
    expect(pfnOfPte(second.pageTables.readPte(b))).toBe(pfn);
    expect(first.frames.shareCountOf(pfn)).toBe(2);
    checkAddressSpaceInvariants(first);
    checkAddressSpaceInvariants(second);
  });

  it('a private page of the second process counts as a frame in use; its teardown gives everything back', () => {
    const { first, second } = twoProcesses();
    const inUseBefore = first.frames.counts().active;
    const vad = second.createVad({ startingVpn: 0x100, endingVpn: 0x10f, protection: 4, privateMemory: true, memCommit: true });
    if (typeof vad === 'number') throw new Error(`createVad: ${vad}`);
    expect(resolvePageFault(second, touch(0x100000, true))).toMatchObject({ kind: 'resolved', how: 'demand-zero' });
    checkAddressSpaceInvariants(first);
    expect(first.commit.totalPages).toBe(16);
    deleteAddressSpace(second);
    expect([...first.system.spaces]).toEqual([first]);
    expect(first.commit.totalPages).toBe(0);
    // The second directory and its user table are freed too: fewer frames than before it existed.
    expect(first.frames.counts().active).toBeLessThan(inUseBefore);
    checkAddressSpaceInvariants(first);
  });

  it('the checker fails loudly when a process charges commit the system does not', () => {
    const { first, second } = twoProcesses();
    second.commitCharge += 1;
    expect(() => checkAddressSpaceInvariants(first)).toThrow(KernelPanic);
  });
});
