// The VAD tree as rows, the way WinDbg's !vad lists it.
import type { AddressSpace } from './address-space.js';
import { describeMask } from './protection.js';
import { fixedAllocations, hex32 } from './layout.js';
import { VadType } from './vad.js';

export interface VadView {
  level: number;
  startingVpn: number;
  endingVpn: number;
  commitCharge: number;
  privateMemory: boolean;
  memCommit: boolean;
  vadType: string;
  protection: string;
  fileName?: string;
  /** Views: their control area (the number the trace uses), its views and section references, and the first prototype PTE. */
  controlArea?: { id: number; mappedViews: number; sectionReferences: number; firstPrototypePte: number };
}

export function describeVads(space: AddressSpace): VadView[] {
  const levels = space.vads.levels();
  return [...space.vads.inOrder()].map((vad) => ({
    level: levels.get(vad)!,
    startingVpn: vad.startingVpn,
    endingVpn: vad.endingVpn,
    commitCharge: vad.commitCharge,
    privateMemory: vad.privateMemory,
    memCommit: vad.memCommit,
    vadType: VadType[vad.vadType],
    protection: describeMask(vad.protection),
    ...(vad.view ? {
      controlArea: {
        id: vad.view.controlArea.id, mappedViews: vad.view.controlArea.numberOfMappedViews,
        sectionReferences: vad.view.controlArea.numberOfSectionReferences,
        firstPrototypePte: vad.view.controlArea.segment.prototypePteAddress(vad.view.firstPrototypePte),
      },
      ...(vad.view.controlArea.filePointer ? { fileName: vad.view.controlArea.filePointer.name } : { fileName: 'Pagefile-backed section' }),
    } : {}),
  }));
}

/** Columns as in !vad: level, start and end VPN, commit, Private/Mapped, protection. */
export function formatVadTable(rows: readonly VadView[]): string {
  const header = 'Level      Start        End   Commit  Type     Protection';
  const lines = rows.map((row) => [
    String(row.level).padStart(5),
    row.startingVpn.toString(16).padStart(10),
    row.endingVpn.toString(16).padStart(10),
    String(row.commitCharge).padStart(8),
    (row.privateMemory ? 'Private' : 'Mapped').padEnd(8),
    (row.vadType === 'VadImageMap' ? 'Exe  ' : '') + row.protection + (row.fileName ? `  ${row.fileName}` : '')
      + (row.controlArea ? `  ControlArea ${row.controlArea.id} (views ${row.controlArea.mappedViews}, sections ${row.controlArea.sectionReferences})` : ''),
  ].join(' '));
  return [header, ...lines, `Total VADs: ${rows.length}`, ...formatFixedRegions()].join('\n');
}

/** The layout's fixed regions, in the same columns: in every process, but not VADs, so outside the count. */
function formatFixedRegions(): string[] {
  return ['Fixed regions (every process, no VAD):', ...fixedAllocations().map((region) => [
    '    -',
    (region.start >>> 12).toString(16).padStart(10),
    (region.end >>> 12).toString(16).padStart(10),
    '0'.padStart(8),
    'Private ',
    `${region.kind === 'shared-user-data' ? 'READONLY' : 'NO_ACCESS'}  ${region.name}`,
  ].join(' '))];
}

export interface ModuleView { base: number; size: number; name: string }

/**
 * Modules found the way the seed finds hidden ones: walk the VAD tree for
 * image views and read each one's control area's file name. Nothing the
 * process keeps in its own memory (the loader lists) is consulted.
 */
export function findImageModules(space: AddressSpace): ModuleView[] {
  return [...space.vads.inOrder()]
    .filter((vad) => vad.vadType === VadType.VadImageMap && vad.view)
    .map((vad) => ({ base: vad.startAddress, size: vad.endAddress - vad.startAddress, name: vad.view!.controlArea.filePointer?.name ?? '?' }));
}

export function formatModuleTable(modules: readonly ModuleView[]): string {
  const lines = modules.map((m) => `${hex32(m.base)}  ${hex32(m.base + m.size)}  ${m.name}`);
  return ['Start       End         Module (from the VAD tree)', ...lines].join('\n');
}
