// WinDbg's event filters (sx, sxe, sxd, sxn, sxi) over mmscope's events.
// Windows' names where Windows has the event (av, gp, bpe, ii, sov, ld, ud,
// cpr, epr); mmscope's own for memory-manager events Windows' debugger has
// no filter for: pf (a page fault, optionally only some resolutions or an
// address range), sys (a system call, optionally by name), commit and
// decommit (a system call raised or lowered the process's commit charge),
// vad (a system call inserted, changed or removed a VAD).
import type { PageFaultEvent } from '../trace/events.js';

/**
 * sxe: break (first chance, and second chance); sxd: break only on second
 * chance (for mmscope events: do not break); sxn: print; sxi: ignore
 * (WinDbg's "sx, sxd, sxe, sxi, sxn" page: the break status).
 */
export type FilterState = 'break' | 'second-chance' | 'output' | 'ignore';

export interface EventFilterInfo { name: string; description: string; initial: FilterState; exceptionCode?: number }

export const EVENT_FILTERS: readonly EventFilterInfo[] = [
  { name: 'av', description: 'Access violation', initial: 'break', exceptionCode: 0xc0000005 },
  { name: 'gp', description: 'Guard page violation', initial: 'output', exceptionCode: 0x80000001 },
  { name: 'bpe', description: 'Break instruction exception', initial: 'break', exceptionCode: 0x80000003 },
  { name: 'ii', description: 'Illegal instruction', initial: 'break', exceptionCode: 0xc000001d },
  { name: 'sov', description: 'Stack overflow', initial: 'break', exceptionCode: 0xc00000fd },
  { name: 'dz', description: 'Integer divide-by-zero', initial: 'break', exceptionCode: 0xc0000094 },
  { name: 'cpr', description: 'Create process', initial: 'ignore' },
  { name: 'epr', description: 'Exit process', initial: 'output' },
  { name: 'ld', description: 'Load module', initial: 'output' },
  { name: 'ud', description: 'Unload module', initial: 'output' },
  { name: 'pf', description: 'Page fault (mmscope)', initial: 'ignore' },
  { name: 'sys', description: 'System call (mmscope)', initial: 'ignore' },
  { name: 'commit', description: 'Commit charged (mmscope)', initial: 'ignore' },
  { name: 'decommit', description: 'Commit returned (mmscope)', initial: 'ignore' },
  { name: 'vad', description: 'VAD inserted, changed or removed (mmscope)', initial: 'ignore' },
];

const STATE_WORDS: Record<FilterState, string> = { break: 'break', 'second-chance': 'second-chance break', output: 'output', ignore: 'ignore' };

/** Which page faults `pf` means: every one, or those with a resolution named / an address in a range. */
export interface PageFaultSelection { resolutions: Set<string>; ranges: [number, number][] }

export class EventFilters {
  private readonly states = new Map<string, FilterState>(EVENT_FILTERS.map((f) => [f.name, f.initial]));
  pageFaults: PageFaultSelection = { resolutions: new Set(), ranges: [] };
  systemCalls = new Set<string>();

  has(name: string): boolean { return this.states.has(name); }
  state(name: string): FilterState { return this.states.get(name) ?? 'ignore'; }
  set(name: string, state: FilterState): void { this.states.set(name, state); }

  /** The filter an exception code belongs to (`*` for other exceptions). */
  forException(code: number): string {
    return EVENT_FILTERS.find((f) => f.exceptionCode === code >>> 0)?.name ?? '*';
  }

  /**
   * Whether the debugger breaks on this exception at this chance: first
   * chance only under `sxe`; second chance under `sxe` or `sxd` (exceptions
   * without a filter of their own are WinDbg's "other exceptions", sxd).
   */
  breaksOnException(code: number, firstChance: boolean): { breaks: boolean; printed: boolean } {
    const name = this.forException(code);
    const state = name === '*' ? 'second-chance' : this.state(name);
    const breaks = state === 'break' || (!firstChance && state === 'second-chance');
    return { breaks, printed: breaks || state !== 'ignore' };
  }

  matchesPageFault(event: PageFaultEvent): boolean {
    const { resolutions, ranges } = this.pageFaults;
    if (resolutions.size && !resolutions.has(event.resolution)) return false;
    return !ranges.length || ranges.some(([start, end]) => event.address >>> 0 >= start && event.address >>> 0 <= end);
  }

  /** `sx`: one line per filter, as WinDbg lists them. */
  describe(): string {
    return EVENT_FILTERS.map((f) => {
      let line = `${f.name.padStart(8)} - ${f.description} - ${STATE_WORDS[this.state(f.name)]}`;
      if (f.name === 'pf' && (this.pageFaults.resolutions.size || this.pageFaults.ranges.length)) {
        line += ` (${[...this.pageFaults.resolutions, ...this.pageFaults.ranges.map(([a, b]) => `${a.toString(16)}-${b.toString(16)}`)].join(', ')})`;
      }
      if (f.name === 'sys' && this.systemCalls.size) line += ` (${[...this.systemCalls].join(', ')})`;
      return line;
    }).join('\n');
  }
}

/**
 * cdb's line for an exception event: `(1.1): Access violation - code
 * c0000005 (first chance)`, or `(!!! second chance !!!)` when no handler
 * took it. `1.1` stands for cdb's process.thread ids (one process, one thread).
 */
export function exceptionEventLine(code: number, firstChance: boolean): string {
  const name = EVENT_FILTERS.find((f) => f.exceptionCode === code >>> 0)?.description ?? 'Unknown exception';
  return `(1.1): ${name} - code ${(code >>> 0).toString(16).padStart(8, '0')} (${firstChance ? 'first chance' : '!!! second chance !!!'})`;
}
