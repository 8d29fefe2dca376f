// A bug check: what Windows does (KeBugCheckEx) when the memory manager finds
// its own structures in a state no correct kernel produces. mmscope raises one
// only where an experiment (--allow-experiments) damaged kernel state on
// purpose and Windows would stop the machine at the same point; the process
// then ends with a report instead of an internal error.

/** MEMORY_MANAGEMENT (0x1A), the memory manager's bug check (Microsoft's bug check code reference). */
export const MEMORY_MANAGEMENT = 0x1a;
/** MEMORY_MANAGEMENT's first argument: "a page table entry (PTE) has been corrupted" (Arg2 the PTE's address, Arg3 its contents). */
export const MM_PTE_CORRUPTED = 0x411;

const BUGCHECK_NAMES = new Map<number, string>([[MEMORY_MANAGEMENT, 'MEMORY_MANAGEMENT']]);

export type BugCheckParameters = readonly [number, number, number, number];

export class BugCheck extends Error {
  /**
   * `code` and `parameters`: what KeBugCheckEx would be called with; `notes`: what each
   * argument means (as the bug check reference words it); `explanation`: what mmscope found.
   */
  constructor(
    readonly code: number,
    readonly parameters: BugCheckParameters,
    readonly notes: readonly string[],
    readonly explanation: string,
  ) {
    super(`${bugCheckName(code)} (${code.toString(16)}): ${explanation}`);
    this.name = 'BugCheck';
  }
}

export const bugCheckName = (code: number): string => BUGCHECK_NAMES.get(code) ?? 'BUGCHECK';

const hex8 = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');

/** The report, laid out like WinDbg's !analyze header, then the blue screen's STOP line. */
export function formatBugCheck(check: BugCheck): string {
  const lines = [`bugcheck ${bugCheckName(check.code)} (${check.code.toString(16)})`, `  ${check.explanation}`, '  Arguments:'];
  check.parameters.forEach((value, i) => lines.push(`  Arg${i + 1}: ${hex8(value)}${check.notes[i] ? `, ${check.notes[i]}` : ''}`));
  const stop = (value: number): string => `0x${hex8(value).toUpperCase()}`;
  lines.push(`  *** STOP: ${stop(check.code)} (${check.parameters.map(stop).join(',')})`);
  return lines.join('\n');
}
