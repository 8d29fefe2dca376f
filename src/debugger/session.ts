// One debugging session over a Machine: the breakpoint list, the event
// filters, the symbols, and the run-control commands (g, p, t, gu) both
// front ends use. Formatting lives in the commands; this keeps the state.
import type { Machine } from '../kernel/machine.js';
import type { StopReason } from '../kernel/execution-control.js';
import type { PageFaultEvent, TraceEvent } from '../trace/events.js';
import { EventFilters, exceptionEventLine } from './event-filters.js';
import { SymbolTable, moduleNameOf, readElfSymbols } from './symbols.js';
import { evaluate, type ExpressionContext } from './expression.js';

export type BreakpointKind = 'bp' | 'bu' | 'ba';

export interface Breakpoint {
  id: number;
  kind: BreakpointKind;
  address: number;
  enabled: boolean;
  /** The text the user gave (`rc!main`), shown by bl. */
  expression: string;
  /** ba only: access and size in bytes. */
  access?: 'r' | 'w' | 'e';
  size?: number;
}

/** A stop as the session reports it: the machine's reason plus the breakpoints it hit. */
/** `processCreation`: the first stop under `sxe cpr`, before the first thread's first instruction (see start). */
export interface SessionStop { reason: StopReason; breakpoints: Breakpoint[]; notes: string[]; processCreation?: boolean }

const REGISTER_NAMES = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp', 'eip', 'efl', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs'] as const;

export class DebugSession {
  readonly symbols = new SymbolTable();
  readonly filters = new EventFilters();
  readonly breakpoints: Breakpoint[] = [];
  /** The last page fault the kernel handled (.lastfault). */
  lastFault: PageFaultEvent | undefined;
  lastStop: SessionStop | undefined;
  private notes: string[] = [];
  private snapshot = { commit: 0, vads: '', modules: '' };

  constructor(readonly machine: Machine, readonly programPath: string, programBytes: Uint8Array) {
    const image = machine.imageVad;
    this.symbols.add(readElfSymbols(programPath, programBytes, image.startAddress, image.endAddress));
  }

  /**
   * Starts the process and stops at the initial break, the program's entry
   * point (for a PE program after ntdll's loader ran). Under `sxe cpr` it
   * stops earlier, where the process has been created and nothing of it has
   * run (the first thread's first instruction: ntdll's LdrInitializeThunk for
   * a PE program); the next `g` then goes to the initial break, when that is
   * another point.
   */
  start(): SessionStop {
    this.machine.stopOnEvents((event) => this.onEvent(event));
    this.machine.stopOnExceptions((report, firstChance) => this.onException(report.code, firstChance));
    this.takeSnapshot();
    const processCreation = this.filters.state('cpr') === 'break';
    const reason = processCreation ? this.machine.runToThreadStart() : this.machine.runToEntry();
    this.refreshModuleSymbols();
    this.initialBreakPending = processCreation && reason.kind === 'entry' && reason.address !== this.machine.entryAddress;
    return { ...this.report(reason), ...(processCreation && reason.kind === 'entry' ? { processCreation } : {}) };
  }

  /** After a process-creation stop, the initial break is still to come (a PE program: ntdll's loader has not run). */
  private initialBreakPending = false;

  get ended(): boolean { return this.machine.outcome() !== undefined; }

  /**
   * g [address]: run until a stop; `handled` drops a held exception (gh)
   * instead of passing it on (gN); `sliceMs` gives the CPU back after that
   * long with a 'paused' stop (the gdb stub's chance to see a Ctrl-C).
   */
  go(until?: number, handled = false, sliceMs?: number): SessionStop {
    if (this.initialBreakPending && until === undefined && sliceMs === undefined) {
      this.initialBreakPending = false;
      return this.report(this.machine.runToEntry());
    }
    return this.report(this.machine.resume({ ...(until !== undefined ? { until } : {}), exceptionHandled: handled, ...(sliceMs !== undefined ? { sliceMs } : {}) }));
  }

  /** t: one instruction, into calls. */
  stepInto(): SessionStop { return this.report(this.machine.step()); }

  /** p: one instruction, over calls (runs to the instruction after the call). */
  stepOver(): SessionStop {
    const [current] = this.machine.disassemble(this.eip(), 1, this.pid);
    if (!current || !/^call\b/.test(current.text)) return this.stepInto();
    return this.go((current.address + current.bytes.length) >>> 0);
  }

  /**
   * pt (over calls) / tt (into them): step until the instruction at EIP is a
   * return, stopping before it runs, as WinDbg's "step/trace to next return".
   * Any other stop (a breakpoint, an event, the end) ends it first.
   */
  stepToReturn(into: boolean): SessionStop {
    for (;;) {
      const stop = into ? this.stepInto() : this.stepOver();
      const { reason } = stop;
      const stepped = reason.kind === 'step' || (reason.kind === 'breakpoint' && stop.breakpoints.length === 0);
      if (!stepped) return stop;
      const [next] = this.machine.disassemble(this.eip(), 1, this.pid);
      if (!next || /^ret/.test(next.text)) return stop;
    }
  }

  /** gu: run until the current function returns to its caller. */
  goUp(): SessionStop {
    const registers = this.machine.registers(['ESP', 'EBP', 'EIP']);
    const near = this.symbols.nearest(registers.EIP!);
    const [current] = this.machine.disassemble(registers.EIP!, 1, this.pid);
    // Before the prologue has pushed EBP the return address is on top of the stack.
    const atEntry = near?.offset === 0 || current?.text === 'push ebp' || current?.text === 'ret';
    const slot = atEntry ? registers.ESP! : (registers.EBP! + 4) >>> 0;
    const returnAddress = this.readDword(slot);
    if (returnAddress === undefined) throw new Error(`cannot read the return address at ${slot.toString(16).padStart(8, '0')}`);
    return this.go(returnAddress);
  }

  /**
   * The process the views read (memory, !vad, !pte, lm, symbols): the
   * current thread's at the stop, so its registers and its memory agree,
   * as WinDbg's implicit process follows the current thread.
   */
  get pid(): number { return this.machine.currentProcessId; }

  eip(): number { return this.machine.registers(['EIP']).EIP!; }

  readDword(address: number): number | undefined {
    const bytes = this.machine.inspect(address, 4, this.pid);
    if (bytes.some((b) => b === undefined)) return undefined;
    return ((bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0);
  }

  /** The expression context: registers, symbols, poi(). */
  readonly expressions: ExpressionContext = {
    register: (name) => {
      const lower = name.toLowerCase();
      if (!(REGISTER_NAMES as readonly string[]).includes(lower)) return undefined;
      const key = lower === 'efl' || lower === 'eflags' ? 'EFLAGS' : lower.toUpperCase();
      return this.machine.registers([key as 'EAX'])[key]!;
    },
    symbol: (name) => this.symbols.resolve(name),
    readPointer: (address) => this.readDword(address),
  };

  evaluate(text: string): number { return evaluate(text, this.expressions); }

  // --- breakpoints ----------------------------------------------------------

  addBreakpoint(init: Omit<Breakpoint, 'id' | 'enabled'>): Breakpoint {
    // WinDbg gives a new breakpoint the lowest number not in use.
    let id = 0;
    while (this.breakpoints.some((b) => b.id === id)) id++;
    const breakpoint: Breakpoint = { id, enabled: true, ...init };
    this.breakpoints.push(breakpoint);
    this.arm(breakpoint);
    return breakpoint;
  }

  /** Breakpoints matching `ids` (a list, ranges a-b, or `*`). */
  select(ids: string): Breakpoint[] {
    if (ids.trim() === '*') return [...this.breakpoints];
    const wanted = new Set<number>();
    for (const part of ids.split(/[\s,]+/).filter(Boolean)) {
      const [from, to] = part.split('-').map((n) => Number.parseInt(n, 16));
      for (let i = from!; i <= (to ?? from!); i++) wanted.add(i);
    }
    return this.breakpoints.filter((b) => wanted.has(b.id));
  }

  setEnabled(breakpoint: Breakpoint, enabled: boolean): void {
    if (breakpoint.enabled === enabled) return;
    this.disarm(breakpoint);
    breakpoint.enabled = enabled;
    this.arm(breakpoint);
  }

  clear(breakpoint: Breakpoint): void {
    this.disarm(breakpoint);
    this.breakpoints.splice(this.breakpoints.indexOf(breakpoint), 1);
  }

  private arm(breakpoint: Breakpoint): void {
    if (!breakpoint.enabled) return;
    if (breakpoint.kind === 'ba' && breakpoint.access !== 'e') {
      this.machine.setWatchpoint(breakpoint.address, breakpoint.size!, breakpoint.access === 'w' ? 'write' : 'access');
    } else {
      this.machine.setBreakpoint(breakpoint.address);
    }
  }

  private disarm(breakpoint: Breakpoint): void {
    if (!breakpoint.enabled) return;
    if (breakpoint.kind === 'ba' && breakpoint.access !== 'e') {
      this.machine.clearWatchpoint(breakpoint.address);
      for (const other of this.breakpoints) if (other !== breakpoint && other.enabled && other.kind === 'ba' && other.access !== 'e' && other.address === breakpoint.address) this.arm(other);
      return;
    }
    if (!this.breakpoints.some((b) => b !== breakpoint && b.enabled && b.address === breakpoint.address && (b.kind !== 'ba' || b.access === 'e'))) {
      this.machine.clearBreakpoint(breakpoint.address);
    }
  }

  // --- events -----------------------------------------------------------------

  /** Breaks as the filter says for this chance; an exception it lets pass is still printed unless ignored (sxi), as cdb does. */
  private onException(code: number, firstChance: boolean): boolean {
    const { breaks, printed } = this.filters.breaksOnException(code, firstChance);
    if (printed && !breaks) this.notes.push(exceptionEventLine(code, firstChance));
    return breaks;
  }

  /** Called for every trace event while the CPU runs: returns the filter that stops it, if any. */
  private onEvent(event: TraceEvent): string | undefined {
    if (event.type === 'page-fault') {
      this.lastFault = event;
      return this.decide('pf', this.filters.matchesPageFault(event), () => `page fault ${hex(event.address)} → ${event.resolution}`);
    }
    if (event.type === 'process-exit') return this.filters.state('epr') === 'break' ? undefined : this.decide('epr', true, () => `ExitProcess: status ${hex(event.status)}`);
    if (event.type !== 'syscall') return undefined;
    const exitStatus = this.machine.terminatingWith();
    if (exitStatus !== undefined && this.filters.state('epr') === 'break') {
      this.notes.push(`ExitProcess: status ${hex(exitStatus)}`);
      return 'epr';
    }
    const stops: (string | undefined)[] = [];
    const names = this.filters.systemCalls;
    stops.push(this.decide('sys', !names.size || names.has(event.name.toLowerCase()), () => `system call ${event.name} = ${hex(event.result)}`));
    const before = this.snapshot;
    this.takeSnapshot();
    const after = this.snapshot;
    if (after.commit > before.commit) stops.push(this.decide('commit', true, () => `commit charged: ${before.commit} → ${after.commit} pages`));
    if (after.commit < before.commit) stops.push(this.decide('decommit', true, () => `commit returned: ${before.commit} → ${after.commit} pages`));
    if (after.vads !== before.vads) stops.push(this.decide('vad', true, () => `VAD tree changed by ${event.name}`));
    if (after.modules !== before.modules) {
      const { loaded, unloaded } = moduleChanges(before.modules, after.modules);
      this.refreshModuleSymbols();
      if (unloaded.length) stops.push(this.decide('ud', true, () => unloaded.map(([base, name]) => `Unload module ${name} at ${hex(Number(base))}`).join('\n'), true));
      if (loaded.length) stops.push(this.decide('ld', true, () => loaded.map((base) => this.moduleLoadLine(base)).join('\n'), true));
    }
    return stops.find((s) => s !== undefined);
  }

  /** `windows`: a filter WinDbg has, whose line (ModLoad, Unload module) WinDbg prints when it breaks too. */
  private decide(filter: string, matches: boolean, note: () => string, windows = false): string | undefined {
    if (!matches) return undefined;
    const state = this.filters.state(filter);
    if (state === 'output' || (windows && state === 'break')) this.notes.push(note());
    return state === 'break' ? filter : undefined;
  }

  private takeSnapshot(): void {
    this.snapshot = {
      commit: this.machine.commit().processPages,
      vads: JSON.stringify(this.machine.vads().map((v) => [v.startingVpn, v.endingVpn, v.commitCharge, v.protection])),
      modules: this.machine.modules().map((m) => `${m.base}:${m.name}`).join(';'),
    };
  }

  /** WinDbg's line for the module mapped at `base`: `ModLoad: START END   PATH`. */
  private moduleLoadLine(base: number): string {
    const module = this.machine.modules().find((m) => m.base === base)!;
    return `ModLoad: ${hex(module.base)} ${hex(module.base + module.size)}   ${module.name}`;
  }

  /** Keeps the symbol table in step with the image views in the VAD tree. */
  private refreshModuleSymbols(): void {
    const present = new Set<string>();
    for (const module of this.machine.modules()) {
      const name = moduleNameOf(module.name);
      present.add(name.toLowerCase());
      if (this.symbols.has(name)) continue;
      const bytes = this.machine.moduleFileBytes(module.base);
      if (bytes) this.symbols.add(readElfSymbols(module.name, bytes, module.base, module.base + module.size));
    }
    for (const module of this.symbols.list()) if (!present.has(module.name.toLowerCase())) this.symbols.remove(module.name);
  }

  private report(reason: StopReason): SessionStop {
    const notes = this.notes;
    this.notes = [];
    const breakpoints = reason.kind === 'breakpoint' || reason.kind === 'watchpoint'
      ? this.breakpoints.filter((b) => b.enabled && (reason.kind === 'breakpoint'
        ? b.address === reason.address && (b.kind !== 'ba' || b.access === 'e')
        : b.kind === 'ba' && b.access !== 'e' && b.address === reason.address))
      : [];
    this.lastStop = { reason, breakpoints, notes };
    return this.lastStop;
  }
}

const hex = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');

/** The modules two snapshots (`base:name;…`) differ by: the bases of those mapped since, `[base, name]` of those gone. */
function moduleChanges(before: string, after: string): { loaded: number[]; unloaded: string[][] } {
  const entries = (snapshot: string): string[] => (snapshot ? snapshot.split(';') : []);
  const was = new Set(entries(before)), is = new Set(entries(after));
  return {
    loaded: entries(after).filter((m) => !was.has(m)).map((m) => Number(m.split(':')[0])),
    unloaded: entries(before).filter((m) => !is.has(m)).map((m) => m.split(/:(.*)/s)),
  };
}
