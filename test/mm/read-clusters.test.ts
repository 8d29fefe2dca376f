// Read clusters of image pages without a CPU (WRK MiResolveMappedFileFault,
// mminit.c for a large system): a code fault reads up to MmCodeClusterSize
// (7) pages, a data fault up to MmDataClusterSize (3), each cluster staying
// among pages of the faulting page's protection; the pages read ahead sit
// on standby, their prototype PTEs in transition naming their frames.
import { describe, expect, it } from 'vitest';
import { resolvePageFault } from '../../src/mm/fault-handler.js';
import { checkAddressSpaceInvariants } from '../../src/mm/invariants.js';
import { PfnState } from '../../src/mm/pfn-database.js';
import { MM_EXECUTE_READ, MM_READONLY } from '../../src/mm/protection.js';
import { isTransitionPte, isValidPte, makeValidUserPte, pfnOfPte } from '../../src/mm/pte.js';
import { vpnOf } from '../../src/mm/layout.js';
import { trimPage } from '../../src/mm/working-set-manager.js';
import { SectionObject, createImageSection, type BackingFile } from '../../src/mm/section.js';
import { mapViewOfSection } from '../../src/mm/section-view.js';
import { STATUS_SUCCESS } from '../../src/nt/status.js';
import { createAddressSpace } from '../helpers/memory-manager.js';

const PAGE = 4096;
const CODE_PAGES = 10, DATA_PAGES = 10;

/** An image file whose page n is filled with n. */
function imageFile(pages: number): BackingFile {
  return {
    name: 'image.elf', controlArea: undefined, size: () => pages * PAGE, release: () => {}, write: () => {},
    read: (offset, into) => { into.fill(offset / PAGE); return into.length; },
  };
}

function mapImage() {
  const { space } = createAddressSpace(512, 512);
  const protections = new Uint8Array(CODE_PAGES + DATA_PAGES).fill(MM_EXECUTE_READ, 0, CODE_PAGES).fill(MM_READONLY, CODE_PAGES);
  const section = createImageSection(space, { file: imageFile(CODE_PAGES + DATA_PAGES), imageBase: 0x400000, protections, hasFileBytes: () => true });
  if (!(section instanceof SectionObject)) throw new Error(`createImageSection: ${section}`);
  const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: 0 });
  if (view.status !== STATUS_SUCCESS || !('base' in view)) throw new Error(`map: ${view.status}`);
  return { space, section, base: view.base };
}

const clusterOf = (resolution: ReturnType<typeof resolvePageFault>) => (resolution.kind === 'resolved' ? resolution.section?.clusterPages : undefined);

describe('image read clusters', () => {
  it('code: 7 pages from the faulting one on; data: 3; never across the code/data boundary', () => {
    const { space, section, base } = mapImage();
    expect(clusterOf(resolvePageFault(space, { address: base, write: false, user: true }))).toBe(7);
    // Page 8: forward to 9 (10 is data), back to 7 (6 is resident): 3 pages.
    expect(clusterOf(resolvePageFault(space, { address: base + 8 * PAGE, write: false, user: true }))).toBe(3);
    expect(clusterOf(resolvePageFault(space, { address: base + 12 * PAGE, write: false, user: true }))).toBe(3);
    // The pages read ahead wait on standby with the file's bytes, their prototype PTEs naming them.
    const prototypes = section.controlArea.segment.prototypePtes;
    for (const page of [1, 6, 7, 9, 13, 14]) {
      const pfn = pfnOfPte(prototypes.get(page));
      expect(space.frames.stateOf(pfn)).toBe(PfnState.Standby);
      expect(space.frameBytes(pfn)[0]).toBe(page);
    }
    const soft = resolvePageFault(space, { address: base + 13 * PAGE, write: false, user: true });
    expect(soft).toMatchObject({ kind: 'resolved', how: 'transition' });
    checkAddressSpaceInvariants(space);
  });

  it('a page no view maps has a transition prototype PTE; the invariant checker refuses a valid one over a standby frame', () => {
    const { space, section, base } = mapImage();
    resolvePageFault(space, { address: base, write: false, user: true });
    const prototypes = section.controlArea.segment.prototypePtes;
    const ahead = prototypes.get(1);
    expect(isTransitionPte(ahead)).toBe(true);
    // The mapped page: valid while the view maps it; trimmed from the working set, transition too.
    expect(isValidPte(prototypes.get(0))).toBe(true);
    trimPage(space, vpnOf(base));
    expect(isTransitionPte(prototypes.get(0))).toBe(true);
    expect(space.frames.stateOf(pfnOfPte(prototypes.get(0)))).toBe(PfnState.Standby);
    checkAddressSpaceInvariants(space);
    // The old form (valid while no view maps the frame) is what the checker now refuses.
    prototypes.set(1, makeValidUserPte(pfnOfPte(ahead), MM_EXECUTE_READ));
    expect(() => checkAddressSpaceInvariants(space)).toThrow(/valid prototype PTE .* names PFN \d+ in state Standby with share count 0/);
  });
});
