// A process as WinDbg's !process names it, for the dumps at exit.
import { PEB_ADDRESS } from '../process-environment.js';
import type { Process } from '../process.js';

const hex = (value: number, width: number): string => (value >>> 0).toString(16).padStart(width, '0');

/**
 * `PROCESS Cid: 000c  Peb: 7ffdf000  ParentCid: 0004  DirBase: 00123000  Image: child.elf`
 * (WinDbg's `!process 0 0` line; DirBase is the page directory's physical
 * address), with how the process ended when it has.
 */
export function formatProcessHeader(process: Process): string {
  const ended = process.addressSpaceDeleted;
  const dirBase = ended ? '--------' : hex(process.space.pageTables.directoryPfn * 4096, 8);
  const state = process.exitStatus === undefined ? '' : `  exited 0x${hex(process.exitStatus, 8)}`;
  return `PROCESS Cid: ${hex(process.id, 4)}  Peb: ${hex(PEB_ADDRESS, 8)}  ParentCid: ${hex(process.parentId, 4)}  DirBase: ${dirBase}  Image: ${process.imageName}${state}`;
}
