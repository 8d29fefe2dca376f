// The VAD tree as rows, the way WinDbg's !vad lists it.
import type { AddressSpace } from './address-space.js';
import { describeMask } from './protection.js';
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
  return [header, ...lines, `Total VADs: ${rows.length}`].join('\n');
}
