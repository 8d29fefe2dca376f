// Clustered reads of file-backed pages (Windows Internals 7th ed., ch. 5,
// "Clustered page faults"; WRK MiResolveMappedFileFault): the read that
// brings a faulting page of a mapped file in brings up to MmReadClusterSize
// (7) pages in all, the neighbours going to standby (touching them is a
// soft fault); an image's code pages come MmCodeClusterSize (7) at a time,
// its data MmDataClusterSize (3) (test/mm/read-clusters.test.ts).
import { describe, expect, it } from 'vitest';
import type { PageFaultEvent, TraceEvent } from '../../src/trace/events.js';
import { guestElf, runGuest } from '../helpers/guests.js';
import { rootWithNumberedPages } from '../helpers/mapped-files.js';

const PAGE = 4096;
const faultsIn = (events: TraceEvent[], start: number, end: number) =>
  events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.address >= start && e.address < end);

describe('read clusters of mapped files', () => {
  it('a fault reads 7 pages; the next 6 are soft faults from standby; a cluster stops at a page already resident', async () => {
    const root = rootWithNumberedPages('cluster.bin', 16);
    const pages = ['0', '3', '6', '7', '13', '15'];
    const run = await runGuest(guestElf('test/guests/file-cluster.c'), { args: pages, machine: { fileRoot: root } });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    expect(run.stdout).toContain(pages.map((page) => `page ${page}: ${page}\n`).join(''));
    const view = Number.parseInt(/view (?:0x)?([0-9a-f]+)/i.exec(run.stdout)![1]!, 16);
    const faults = faultsIn(run.events, view, view + 16 * PAGE).map((e) => ({ page: Math.floor((e.address - view) / PAGE), how: e.resolution, cluster: e.section?.clusterPages }));
    expect(faults).toEqual([
      { page: 0, how: 'section-file', cluster: 7 },  // pages 0-6
      { page: 3, how: 'transition', cluster: undefined },
      { page: 6, how: 'transition', cluster: undefined },
      { page: 7, how: 'section-file', cluster: 7 },  // pages 7-13
      { page: 13, how: 'transition', cluster: undefined },
      { page: 15, how: 'section-file', cluster: 2 }, // 15, then back to 14: 13 is resident
    ]);
    // One read's bytes: the whole cluster's.
    expect(faultsIn(run.events, view, view + PAGE)[0]!.fileBytes).toBe(7 * PAGE);
  });
});

describe('read clusters of images', () => {
  it('code pages come up to 7 at a time, data pages up to 3, each cluster within pages of one protection', async () => {
    const run = await runGuest(guestElf('test/guests/file-cluster.c'), { args: [] });
    const hard = run.events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.resolution === 'section-file' && e.section?.file?.endsWith('.elf') === true);
    expect(hard.length).toBeGreaterThan(0);
    const code = hard.filter((e) => Math.floor(e.address / PAGE) === Math.floor(e.eip / PAGE)); // instruction fetches
    expect(code.length).toBeGreaterThan(0);
    for (const fault of code) expect(fault.section!.clusterPages).toBeLessThanOrEqual(7);
    expect(code.some((e) => e.section!.clusterPages! > 3)).toBe(true);
    for (const fault of hard) expect(fault.section!.clusterPages).toBeLessThanOrEqual(7);
    // Pages read ahead come back without I/O: soft faults through the image's prototype PTEs.
    const image = hard[0]!.section!.controlArea;
    expect(run.events.some((e) => e.type === 'page-fault' && e.resolution === 'transition' && e.section?.controlArea === image)).toBe(true);
  });
});
