// Run control for debuggers (the Machine API's stop-anywhere half): break at
// the program's entry, run until a stop, step one instruction, code
// breakpoints, data watchpoints and stops on memory-manager events and
// exceptions. Nothing is installed until a debugger asks: a plain run has no
// hook beyond the kernel's own, so it is as fast as before.
import type { Disposable, Engine } from '../cpu/engine.js';
import { X86Reg } from '../cpu/constants.js';
import { pageBase, PAGE_SIZE } from '../mm/layout.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { TraceEvent } from '../trace/events.js';
import type { ExceptionReport } from './exception-report.js';
import type { ExceptionDispatcher } from './exception-dispatch.js';

export type WatchAccess = 'read' | 'write' | 'access';

/** Why the CPU stopped. `ended` means the process is gone (exit, unhandled exception, bug check, a limit). */
export type StopReason =
  | { kind: 'entry'; address: number }
  | { kind: 'step' }
  | { kind: 'breakpoint'; address: number }
  | { kind: 'watchpoint'; address: number; size: number; write: boolean; accessAddress: number }
  | { kind: 'event'; filter: string; event: TraceEvent }
  /** `firstChance`: before the guest's handlers; false: none handled it and the process ends at the next resume (unless `gh`). */
  | { kind: 'exception'; report: ExceptionReport; firstChance: boolean }
  /** A resume with `sliceMs` gave the CPU back: nothing happened, the process goes on at the next resume. */
  | { kind: 'paused' }
  | { kind: 'ended' };

/** Chooses which trace events stop the CPU: a filter name (`pf`, `sys`…) or undefined to go on. */
export type EventStopFilter = (event: TraceEvent) => string | undefined;

interface Watchpoint { address: number; size: number; access: WatchAccess; hook: Disposable }

export class ExecutionControl {
  private readonly breakpoints = new Map<number, Disposable>();
  private readonly watchpoints: Watchpoint[] = [];
  private pending: StopReason | undefined;
  private watchHit: StopReason | undefined;
  private instructionHook: Disposable | undefined;
  /** A breakpoint the CPU is resuming from: its first hit is the instruction it stopped at, so it is skipped. */
  private resumingFrom: number | undefined;
  private unsubscribeEvents: (() => void) | undefined;
  /** Set while the CPU runs, so a stop asked for outside a run is not left behind. */
  private running = false;

  /** While a single step runs: how many instructions began (the step's hook counts them). */
  private stepping: { began: number } | undefined;

  /**
   * `pageFaults`: how many page faults the kernel has handled (a resolved fault runs its instruction again);
   * `userPageValid`: whether a page is present and user-accessible (its translated code can be dropped).
   */
  constructor(
    private readonly engine: Engine,
    private readonly trace: TraceBus,
    private readonly exceptions: ExceptionDispatcher,
    private readonly pageFaults: () => number,
    private readonly userPageValid: (page: number) => boolean,
  ) {}

  /** Stops before the instruction at `address` executes. */
  setBreakpoint(address: number): void {
    address >>>= 0;
    if (this.breakpoints.has(address)) return;
    const hook = this.engine.onCode(address, address, () => {
      if (this.resumingFrom === address) { this.resumingFrom = undefined; return; }
      // A step that reaches a breakpoint is a step, as in WinDbg (this hook runs before the step's own).
      this.requestStop(this.stepping?.began ? { kind: 'step' } : { kind: 'breakpoint', address });
    });
    this.breakpoints.set(address, hook);
    // Code already translated would not call the new hook.
    this.engine.removeTranslationCache(pageBase(address), pageBase(address) + PAGE_SIZE);
  }

  clearBreakpoint(address: number): void {
    address >>>= 0;
    this.breakpoints.get(address)?.dispose();
    this.breakpoints.delete(address);
    this.engine.removeTranslationCache(pageBase(address), pageBase(address) + PAGE_SIZE);
  }

  /**
   * Stops after an instruction that reads or writes any byte of
   * [address, address + size) (`read` stops on both, as x86 has no
   * read-only debug breakpoints: WinDbg's `ba r`).
   */
  setWatchpoint(address: number, size: number, access: WatchAccess): void {
    const hook = this.engine.onMemoryAccess(address, address + size - 1, { read: access !== 'write', write: true }, (write, accessAddress) => {
      if (access === 'write' && !write) return;
      if (this.running) this.watchHit ??= { kind: 'watchpoint', address: address >>> 0, size, write, accessAddress: accessAddress >>> 0 };
    });
    this.watchpoints.push({ address: address >>> 0, size, access, hook });
    this.updateInstructionHook();
  }

  clearWatchpoint(address: number): void {
    for (let i = this.watchpoints.length - 1; i >= 0; i--) {
      if (this.watchpoints[i]!.address !== address >>> 0) continue;
      this.watchpoints[i]!.hook.dispose();
      this.watchpoints.splice(i, 1);
    }
    this.updateInstructionHook();
  }

  /**
   * Stopping inside a memory hook leaves EIP at the start of the translated
   * block, not after the access. So a hit is only noted there, and this hook
   * on every instruction stops before the next one, with EIP exact, as x86
   * reports data breakpoints (a trap after the access). Installed only while
   * a watchpoint is; blocks are retranslated so it takes effect.
   */
  private updateInstructionHook(): void {
    const wanted = this.watchpoints.length > 0;
    if (wanted === (this.instructionHook !== undefined)) return;
    if (wanted) {
      this.instructionHook = this.engine.onCode(1, 0, () => {
        if (!this.watchHit) return;
        const hit = this.watchHit;
        this.watchHit = undefined;
        this.requestStop(hit);
      });
    } else {
      this.instructionHook!.dispose();
      this.instructionHook = undefined;
    }
    this.engine.dropTranslatedCode(this.userPageValid);
  }

  /** Stops after the kernel handled an event the filter names (trace events: faults, system calls, exits…). */
  stopOnEvents(filter: EventStopFilter | undefined): void {
    this.unsubscribeEvents?.();
    this.unsubscribeEvents = filter && this.trace.subscribe((event) => {
      const name = filter(event);
      if (name) this.requestStop({ kind: 'event', filter: name, event });
    });
  }

  /** Holds exceptions the filter accepts: before the guest's handlers see them (first chance), or after none handled them (second chance). */
  stopOnExceptions(filter: ((report: ExceptionReport, firstChance: boolean) => boolean) | undefined): void {
    this.exceptions.debugPort = filter && ((report, firstChance) => {
      if (!this.running || !filter(report, firstChance)) return false;
      this.pending ??= { kind: 'exception', report, firstChance };
      return true;
    });
  }

  /**
   * Starts the CPU at `begin` and runs until a stop; `step` runs one
   * instruction. Returns the debugger's stop, or undefined when the CPU
   * stopped for another reason (the process ended, `until`, a limit).
   */
  runUntilStop(begin: number, run: (begin: number) => void, options: { fromBreakpoint: boolean; step?: boolean }): StopReason | undefined {
    this.pending = undefined;
    this.watchHit = undefined;
    this.resumingFrom = options.fromBreakpoint ? begin >>> 0 : undefined;
    const stepHook = options.step ? this.armStep(begin >>> 0) : undefined;
    this.running = true;
    try {
      run(begin);
    } finally {
      this.running = false;
      this.resumingFrom = undefined;
      this.stepping = undefined;
      stepHook?.dispose();
    }
    const stop = this.pending;
    this.pending = undefined;
    return stop;
  }

  /**
   * One instruction: a hook on every instruction stops before the second
   * one begins. A fault the kernel resolved runs the same instruction again,
   * which is not a second one. (Not Unicorn's own count: removing its count
   * hook at the next run flushes every translation, 1-2 s of CPU the first
   * time; see Engine.dropTranslatedCode.) Blocks translated before reach the
   * new hook once dropped.
   */
  private armStep(begin: number): Disposable {
    const stepping = { began: 0 };
    let faults = this.pageFaults();
    const hook = this.engine.onCode(1, 0, (address) => {
      const restarted = address >>> 0 === begin && this.pageFaults() !== faults;
      faults = this.pageFaults();
      if (restarted) return;
      if (stepping.began++ > 0) this.requestStop({ kind: 'step' });
    });
    this.stepping = stepping;
    this.engine.dropTranslatedCode(this.userPageValid);
    return hook;
  }

  /** The CPU's EIP now. */
  eip(): number { return this.engine.readRegister(X86Reg.EIP); }

  private requestStop(reason: StopReason): void {
    if (!this.running) return;
    this.pending ??= reason;
    this.engine.stop();
  }
}
