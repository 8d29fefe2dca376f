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
    ...(vad.imageSource ? { fileName: vad.imageSource.fileName } : {}),
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
    (row.vadType === 'VadImageMap' ? 'Exe  ' : '') + row.protection + (row.fileName ? `  ${row.fileName}` : ''),
  ].join(' '));
  return [header, ...lines, `Total VADs: ${rows.length}`].join('\n');
}
