// The one typed surface over libunicorn: every call checks uc_err, hooks never
// let a JS exception cross the native frames (the first one is kept and
// rethrown when emu_start returns), callbacks live as long as the engine.
import koffi from 'koffi';
import { loadUnicorn, type UnicornLibrary } from './libunicorn.js';
import { checkUcResult, UnicornError } from './errors.js';
import {
  UC_ARCH_X86, UC_CTL_WRITE_EXITS, UC_CTL_WRITE_TB_FLUSH, UC_CTL_WRITE_TB_REMOVE_CACHE, UC_CTL_WRITE_USE_EXITS, UC_ERR_FETCH_PROT,
  UC_HOOK_BLOCK, UC_HOOK_CODE, UC_HOOK_INSN_INVALID, UC_HOOK_INTR, UC_HOOK_MEM_FETCH_PROT, UC_HOOK_MEM_READ, UC_HOOK_MEM_WRITE, UC_MEM_WRITE,
  UC_MODE_32, UC_X86_MMR_SIZE, X86Reg, type X86RegId,
} from './constants.js';
import { TranslationGuard, type GuardStop } from './translation-guard.js';
import type { HostSignals } from './host-signals.js';
import { readInstructionCounter } from './instruction-counter.js';
import { CpuStateView } from './cpu-state.js';
import type { BlockInstructionCounter } from './instruction-limit.js';
import type { ContextLayout } from './context-calibration.js';

export interface Disposable { dispose(): void }

/** Translated code is tracked by 4 KiB page (the guest's page size). */
const CODE_PAGE_SIZE = 0x1000;
/** Past this many code pages a full flush is cheaper than a removal per page (~2 µs each). */
const MAX_TRACKED_CODE_PAGES = 4096;

/** A descriptor-table register (GDTR/IDTR) as uc_x86_mmr. */
export interface TableRegister { base: number; limit: number }

/** A CPU context buffer from uc_context_alloc whose bytes the kernel may read and patch. */
export class CpuContext {
  readonly bytes: DataView;
  constructor(readonly pointer: unknown, readonly size: number) {
    this.bytes = new DataView(koffi.view(pointer, size) as ArrayBuffer);
  }
}

export interface StartOptions {
  /** Stop when EIP reaches this address (use an address never executed for "no stop"). */
  until: number;
  timeoutUs?: number;
  maxInstructions?: number;
  /**
   * Called before the CPU goes on after uc_emu_start ended early (a handled
   * #UD, or the instruction counter). Unicorn 2.0.1 leaves
   * env->old_exception stale at that point (measured: it reads 14 after a
   * page fault earlier in the run), which would turn the next fault into a
   * double fault; the kernel clears it here.
   */
  beforeResume?: () => void;
  /**
   * A pass the kernel runs every `interval` instructions the guest retires
   * (the balance set manager's tick), counted by the block counter: the CPU
   * stops between two translated blocks, at or before the interval's end,
   * `onTick` runs, and the CPU goes on. The count carries over from one
   * start() to the next. Ignored without the block counter.
   */
  periodic?: PeriodicPass;
  /**
   * End the run at the block boundary where the budget would run out (the
   * block counter stops before a block too long for what is left), instead
   * of running that block's first instructions up to the budget exactly:
   * a scheduler's quantum, where any deterministic point will do and the
   * exact end (two drops of translated blocks) would cost most of a switch.
   */
  stopAtBlockBoundary?: boolean;
}

/** See StartOptions.periodic. */
export interface PeriodicPass { interval: number; onTick: () => void }

export class Engine implements Disposable {
  private readonly lib: UnicornLibrary;
  private readonly handle: unknown;
  private readonly registered: unknown[] = [];
  private readonly contexts: CpuContext[] = [];
  private readonly scratch = new Uint32Array(1);
  private readonly mmr = new Uint8Array(UC_X86_MMR_SIZE);
  private hookError: unknown;
  private cpu: unknown;
  /** Direct view of env once attachCpuState verified it; registers and trap state go through it. */
  private state: CpuStateView | undefined;
  /** The saved-context path for old_exception and the error code when there is no view. */
  private exceptionContext: { context: CpuContext; layout: ContextLayout } | undefined;
  /** Set when a handled #UD ended uc_emu_start and stop() was not asked for: start() goes on. */
  private resumeAfterInvalidInstruction = false;
  private stopRequested = false;
  private closed = false;
  /** Counts instruction budgets by translated block (instruction-limit.ts); without it Unicorn counts each instruction. */
  private blockCounter: BlockInstructionCounter | undefined;
  /** Set while a uc_emu_start runs under the block counter: exceptions then correct its count. */
  private countingBlocks = false;
  /** Set while the budget's last instructions run inside one block: an exception ends uc_emu_start (the guest might go elsewhere). */
  private stopAtException = false;
  /** Whether this engine has translated code (then a new hook needs a flush of translated blocks). */
  private hasRun = false;
  /** Set when the last start() ended at a block boundary because the budget would run out (stopAtBlockBoundary). */
  budgetEndedRun = false;
  /** The block counter's hook stays installed across runs (preemptive threads): no flush per run. */
  private persistentBlockHook: Disposable | undefined;
  /**
   * Pages the translator fetched code from (seen by the translation guard's
   * fetch hook): where translated blocks can be, so hooks added later reach
   * all code by dropping these pages' blocks instead of a full flush.
   */
  private readonly translatedPages = new Set<number>();
  private hostSignals: HostSignals | undefined;
  private translationGuard: { translation: TranslationGuard; onReached: (why: GuardStop) => void } | undefined;
  /** Instructions left before the next periodic pass (StartOptions.periodic); undefined before the first. */
  private untilTick: number | undefined;

  private constructor(lib: UnicornLibrary, handle: unknown) {
    this.lib = lib;
    this.handle = handle;
  }

  static open(): Engine {
    const lib = loadUnicorn();
    const out: unknown[] = [null];
    checkUcResult(lib, 'uc_open', lib.open(UC_ARCH_X86, UC_MODE_32, out));
    return new Engine(lib, out[0]);
  }

  static libraryVersion(): string {
    const v = loadUnicorn().version();
    return `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}`;
  }

  /** Maps host memory at hostAddress into the guest's flat (physical) space. */
  mapHostMemory(address: number, size: number, hostAddress: bigint, perms: number): void {
    this.call('uc_mem_map_ptr', this.lib.memMapPtr(this.handle, address, size, perms, hostAddress));
  }

  /**
   * Makes register access and acknowledgeException use a direct view of the
   * CPU state when the calibration found one and it matches this engine's
   * (checked against a context saved now); otherwise they keep koffi calls
   * and saved contexts. Returns why the view is not used, if it is not.
   */
  attachCpuState(layout: ContextLayout): string | undefined {
    this.exceptionContext = { context: this.allocateContext(), layout };
    if (!layout.cpuState) return layout.cpuStateFailure ?? 'not calibrated';
    const view = new CpuStateView(this.cpuPointer(), layout.cpuState);
    const { context } = this.exceptionContext;
    this.saveContext(context);
    if (!view.matches(new Uint8Array(context.bytes.buffer, context.bytes.byteOffset, context.size))) return 'the CPU state of this engine is not where the probe found it';
    this.state = view;
    return undefined;
  }

  /** True if registers are read and written through the direct view (no koffi call). */
  get hasCpuStateView(): boolean { return this.state !== undefined; }

  /**
   * Acknowledges the exception being delivered to the INTR hook: returns its
   * hardware error code and clears env->old_exception, which Unicorn 2.0.1
   * leaves set (the next #PF would become a double fault). Needs attachCpuState.
   */
  acknowledgeException(): number {
    if (this.state) {
      this.state.oldException = -1;
      return this.state.errorCode;
    }
    if (!this.exceptionContext) throw new UnicornError('uc_context_save', 0, 'acknowledgeException before attachCpuState');
    const { context, layout } = this.exceptionContext;
    this.saveContext(context);
    const errorCode = context.bytes.getInt32(layout.errorCodeOffset, true);
    context.bytes.setInt32(layout.oldExceptionOffset, -1, true);
    this.restoreContext(context);
    return errorCode;
  }

  readRegister(id: X86RegId): number {
    if (this.state?.serves(id)) return this.state.read(id);
    this.scratch[0] = 0;
    this.call('uc_reg_read', this.lib.regRead(this.handle, id, this.scratch));
    return this.scratch[0]!;
  }

  writeRegister(id: X86RegId, value: number): void {
    if (this.state?.write(id, value)) return;
    this.scratch[0] = value >>> 0;
    this.call('uc_reg_write', this.lib.regWrite(this.handle, id, this.scratch));
  }

  /**
   * A register wider than 32 bits as Unicorn stores it, little-endian:
   * `size` bytes (10 for an x87 ST(i): the 64-bit mantissa, then sign and
   * exponent; 16 for an XMM register; 2 for FPCW/FPSW/FPTAG).
   */
  readRegisterBytes(id: number, size: number): Uint8Array {
    const buffer = new Uint8Array(Math.max(size, 16));
    this.call('uc_reg_read', this.lib.regRead(this.handle, id, buffer));
    return buffer.slice(0, size);
  }

  /** Reads several 32-bit registers in one native call. */
  readRegisters(ids: readonly X86RegId[]): Uint32Array {
    const values = new Uint32Array(ids.length);
    if (this.state && ids.every((id) => this.state!.serves(id))) {
      ids.forEach((id, i) => { values[i] = this.state!.read(id); });
      return values;
    }
    const pointers = ids.map((_, i) => values.subarray(i, i + 1));
    this.call('uc_reg_read_batch', this.lib.regReadBatch(this.handle, Int32Array.from(ids), pointers, ids.length));
    return values;
  }

  writeRegisters(values: Partial<Record<X86RegId, number>> | ReadonlyArray<readonly [X86RegId, number]>): void {
    const pairs = Array.isArray(values) ? values : Object.entries(values).map(([k, v]) => [Number(k), v] as const);
    for (const [id, value] of pairs) this.writeRegister(id as X86RegId, value as number);
  }

  writeTableRegister(id: X86RegId, table: TableRegister): void {
    const view = new DataView(this.mmr.buffer);
    this.mmr.fill(0);
    // struct uc_x86_mmr { uint16_t selector; uint64_t base; uint32_t limit; uint32_t flags; }
    view.setBigUint64(8, BigInt(table.base >>> 0), true);
    view.setUint32(16, table.limit >>> 0, true);
    this.call('uc_reg_write', this.lib.regWrite(this.handle, id, this.mmr));
  }

  readTableRegister(id: X86RegId): TableRegister {
    this.call('uc_reg_read', this.lib.regRead(this.handle, id, this.mmr));
    const view = new DataView(this.mmr.buffer);
    return { base: Number(view.getBigUint64(8, true)), limit: view.getUint32(16, true) };
  }

  /** Every exception and `int n` the guest raises; EIP is past `int n`, at the instruction for faults. */
  onInterrupt(handler: (intno: number) => void): Disposable {
    const cb = koffi.register((_uc: unknown, intno: number) => this.guard(() => {
      this.translationGuard?.translation.restartFetchStream();
      if (this.countingBlocks) this.blockCounter!.takeBackFrom(this.readRegister(X86Reg.EIP));
      handler(intno);
      if (this.stopAtException) this.stopForCounter();
    }), koffi.pointer(this.lib.IntrHook));
    return this.addHook(UC_HOOK_INTR, cb, 1, 0);
  }

  /**
   * Opcodes the CPU cannot decode (#UD). Unicorn reports them here rather
   * than through the INTR hook; the handler raises the guest's exception.
   */
  onInvalidInstruction(handler: () => void): Disposable {
    const cb = koffi.register(() => {
      this.guard(() => {
        if (this.countingBlocks) this.blockCounter!.takeBackFrom(this.readRegister(X86Reg.EIP));
        handler();
      });
      this.resumeAfterInvalidInstruction = this.hookError === undefined;
      return true;
    }, koffi.pointer(this.lib.InvalidInstructionHook));
    return this.addHook(UC_HOOK_INSN_INVALID, cb, 1, 0);
  }

  /** Every instruction in [begin, end]: slow, for tracing only. */
  onCode(begin: number, end: number, handler: (address: number, size: number) => void): Disposable {
    const cb = koffi.register((_uc: unknown, address: number, size: number) => this.guard(() => handler(address, size)), koffi.pointer(this.lib.CodeHook));
    return this.addHook(UC_HOOK_CODE, cb, begin, end);
  }

  /** Counts instruction budgets with `counter` from now on (cheap, exact; see instruction-limit.ts). */
  useBlockCounter(counter: BlockInstructionCounter): void {
    this.blockCounter = counter;
  }

  /**
   * Data accesses in [begin, end] (virtual addresses, before the access):
   * for watchpoints. While one is installed every memory access takes
   * Unicorn's slow path, so the debugger adds them only when asked.
   */
  onMemoryAccess(begin: number, end: number, access: { read: boolean; write: boolean }, handler: (write: boolean, address: number, size: number) => void): Disposable {
    const cb = koffi.register((_uc: unknown, type: number, address: number, size: number) => this.guard(() => handler(type === UC_MEM_WRITE, address, size)), koffi.pointer(this.lib.MemoryHook));
    return this.addHook((access.read ? UC_HOOK_MEM_READ : 0) | (access.write ? UC_HOOK_MEM_WRITE : 0), cb, begin, end);
  }

  /**
   * Runs until stop(), `until`, the timeout or the instruction budget;
   * rethrows the first hook error. Unicorn 2.0.1 ends uc_emu_start after
   * every UC_HOOK_INSN_INVALID callback, even one that handled the #UD, so
   * this goes on where the handler left EIP, with what is left of the
   * budget and the time. A budget is counted by the block counter when there
   * is one (see instruction-limit.ts), else by Unicorn per instruction.
   * Returns the instructions of the budget executed (0 without a budget).
   */
  start(begin: number, options: StartOptions): number {
    const deadline = options.timeoutUs ? performance.now() + options.timeoutUs / 1000 : 0;
    const initialBudget = options.maxInstructions ?? 0;
    let budget = initialBudget;
    this.stopRequested = false;
    this.budgetEndedRun = false;
    const counter = budget > 0 || options.periodic ? this.blockCounter : undefined;
    const periodic = counter ? options.periodic : undefined;
    const blockHook = counter && !this.persistentBlockHook ? this.addBlockHook(counter) : undefined;
    try {
      for (;;) {
        const timeoutUs = deadline ? Math.max(1, Math.round((deadline - performance.now()) * 1000)) : 0;
        let executed = 0, goOn = false, toTick = false, endedAtBoundary = false;
        if (this.raiseAtGuardStop(begin)) {
          goOn = true;
        } else if (counter) {
          this.untilTick ??= periodic?.interval;
          toTick = periodic !== undefined && (budget === 0 || this.untilTick! < budget);
          ({ executed, goOn } = toTick
            ? this.runToTick(counter, begin, options.until, timeoutUs, this.untilTick!)
            : this.runCounted(counter, begin, options.until, timeoutUs, budget));
          endedAtBoundary = !toTick && options.stopAtBlockBoundary === true && counter.stoppedTheCpu && !this.stopRequested;
        } else {
          goOn = this.startOnce(begin, options.until, timeoutUs, budget);
          if (budget) executed = readInstructionCounter(this.handle);
        }
        if (periodic) this.untilTick = Math.max(0, this.untilTick! - executed);
        if (budget) budget -= Math.min(budget, executed);
        if (endedAtBoundary) {
          this.budgetEndedRun = true;
          return initialBudget - budget;
        }
        if (this.stopRequested) return initialBudget - budget;
        if (periodic) {
          if (toTick && counter!.stoppedTheCpu) {
            // A block longer than the whole interval would be refused again after every pass and the guest
            // would never move: the next pass then comes after that block, not before it.
            this.untilTick = Math.max(periodic.interval, executed === 0 ? counter!.lastBlockInstructions : 0);
            periodic.onTick();
          }
        }
        if (!this.resumeAfterInvalidInstruction && !goOn) return initialBudget - budget;
        if (initialBudget && budget === 0) return initialBudget;
        if (deadline && performance.now() >= deadline) return initialBudget - budget;
        // A signal whose uc_emu_stop landed between two uc_emu_start calls was cleared by the next start
        // (Unicorn resets its stop request there): look at the flag itself before going on.
        if (this.hostSignals && this.hostSignals.received[0] !== 0) return initialBudget - budget;
        options.beforeResume?.();
        begin = this.readRegister(X86Reg.EIP);
      }
    } finally {
      blockHook?.dispose();
    }
  }

  /**
   * Keeps the block counter's hook installed from now on, so runs with a
   * budget (a scheduler's quanta) do not each drop every translated block.
   * Costs dropping the blocks translated so far, and the native hook on every block afterwards.
   * False when there is no block counter (budgets then use Unicorn's count).
   */
  keepBlockCounterInstalled(isPageReachable: (page: number) => boolean): boolean {
    if (!this.blockCounter) return false;
    if (this.persistentBlockHook) return true;
    // Blocks translated before lack the hook: drop them the cheap way (see dropTranslatedCode).
    if (this.hasRun) this.dropTranslatedCode(isPageReachable);
    this.persistentBlockHook = this.addBlockHookWithoutFlush(this.blockCounter);
    return true;
  }

  /**
   * One uc_emu_start under the block counter: whole blocks while they fit in
   * the budget; after the counter stopped before a block too long for what
   * is left, that block's first instructions up to the budget's end, ending
   * at any exception. `goOn`: the counter, not the guest, ended the run.
   */
  private runCounted(counter: BlockInstructionCounter, begin: number, until: number, timeoutUs: number, budget: number): { executed: number; goOn: boolean } {
    const partial = counter.endWithinLastBlock(begin, budget);
    counter.arm(partial === undefined ? budget : -1);
    if (partial) this.dropTranslations(partial.blockStart, partial.blockEnd);
    this.countingBlocks = true;
    this.stopAtException = partial !== undefined;
    let guardGoesOn = false;
    try {
      guardGoesOn = this.startOnce(begin, partial?.end ?? until, timeoutUs, 0);
    } finally {
      this.countingBlocks = false;
      this.stopAtException = false;
      if (partial) this.dropTranslations(partial.blockStart, partial.blockEnd);
    }
    const reachedEnd = partial !== undefined && !this.stopRequested && this.readRegister(X86Reg.EIP) === partial.end;
    if (reachedEnd) counter.takeBackFrom(partial.end);
    return { executed: counter.executed, goOn: guardGoesOn || reachedEnd || counter.stoppedTheCpu };
  }

  /**
   * One uc_emu_start under the block counter that stops before the block
   * that would take it past `untilTick` instructions (the periodic pass
   * comes first: no partial block). `goOn`: the counter ended the run.
   */
  private runToTick(counter: BlockInstructionCounter, begin: number, until: number, timeoutUs: number, untilTick: number): { executed: number; goOn: boolean } {
    counter.arm(untilTick);
    this.countingBlocks = true;
    let guardGoesOn = false;
    try {
      guardGoesOn = this.startOnce(begin, until, timeoutUs, 0);
    } finally {
      this.countingBlocks = false;
    }
    return { executed: counter.executed, goOn: guardGoesOn || counter.stoppedTheCpu };
  }

  private stopForCounter(): void {
    this.blockCounter!.markStopped();
    this.lib.emuStop(this.handle);
  }

  /**
   * The counter's native hook on every block, for one run. Blocks translated
   * before would not call it, so they are dropped first, unless none exist
   * yet (the first flush costs 1-2 s of CPU in Unicorn 2.0.1). Blocks
   * translated during the run keep calling Unicorn's (then empty) hook list.
   */
  private addBlockHook(counter: BlockInstructionCounter): Disposable {
    if (this.hasRun) this.flushTranslations();
    return this.addBlockHookWithoutFlush(counter);
  }

  private addBlockHookWithoutFlush(counter: BlockInstructionCounter): Disposable {
    const out: unknown[] = [0];
    this.call('uc_hook_add', this.lib.hookAdd(this.handle, out, UC_HOOK_BLOCK, counter.hookAddress, counter.userData, 1, 0));
    const hh = out[0] as number;
    return { dispose: () => { if (!this.closed) this.call('uc_hook_del', this.lib.hookDel(this.handle, hh)); } };
  }

  /** Drops every translated block (QEMU retranslates on demand), so hooks added since apply to all code. */
  flushTranslations(): void {
    this.call('uc_ctl', this.lib.ctlNoArgs(this.handle, UC_CTL_WRITE_TB_FLUSH));
  }

  /**
   * The same effect as flushTranslations for hooks added since (every block
   * is translated again, with them), without its cost: Unicorn 2.0.1's
   * tb_flush zeroes the whole 1 GiB translation buffer (tcg_region_reset_all),
   * so the first one takes 1-2 s of CPU and adds 1 GiB to the resident set,
   * and each later one ~15 ms. This drops the blocks of the pages code was
   * translated from (known through the translation guard's fetch hook, a
   * handful of pages for most programs), one page at a time; without the
   * guard, or past MAX_TRACKED_CODE_PAGES pages, it flushes.
   * `reachable` says which pages the CPU can fetch from now: Unicorn finds a
   * page's blocks through the MMU, and a page it cannot reach (not present,
   * or a supervisor page seen from user mode) leaves a stale #PF behind that
   * turns the next fault into a double fault. Blocks of other pages cannot
   * run until the page is mapped again, which drops them when the frame is new.
   */
  dropTranslatedCode(reachable: (page: number) => boolean): void {
    if (!this.translationGuard || this.translatedPages.size > MAX_TRACKED_CODE_PAGES) {
      this.flushTranslations();
      this.translatedPages.clear();
    } else {
      for (const page of this.translatedPages) if (reachable(page)) this.dropTranslations(page, page + CODE_PAGE_SIZE);
    }
    this.blockCounter?.forgetBlocks();
  }

  /** One uc_emu_start; true when the CPU should go on from EIP (a handled #UD, or the translation guard). */
  private startOnce(begin: number, until: number, timeoutUs: number, count: number): boolean {
    this.hasRun = true;
    // With exits in use (the translation guard), Unicorn ignores `until`: it is one of the exits.
    this.translationGuard?.translation.setUntil(until);
    this.translationGuard?.translation.restartFetchStream();
    this.hookError = undefined;
    this.resumeAfterInvalidInstruction = false;
    const rc = this.lib.emuStart(this.handle, begin >>> 0, until >>> 0, timeoutUs, count);
    if (this.hookError !== undefined) {
      const error = this.hookError;
      this.hookError = undefined;
      throw error;
    }
    if (rc === UC_ERR_FETCH_PROT && this.translationGuard?.translation.takeRetranslation()) return true;
    this.call('uc_emu_start', rc);
    if (this.resumeAfterInvalidInstruction || !this.translationGuard || this.stopRequested) return this.resumeAfterInvalidInstruction;
    const eip = this.readRegister(X86Reg.EIP);
    if (!this.translationGuard.translation.hasStop(eip)) return false;
    // A stop no longer there (the page's bytes changed: another process's code at the same address, a page
    // trimmed) is removed by raiseAtGuardStop, and the CPU goes on from it.
    return this.raiseAtGuardStop(eip) || eip >>> 0 !== until >>> 0;
  }

  /**
   * The CPU is about to run an instruction the translation guard stopped
   * before: raise its exception (#UD, or #GP for port I/O) without starting
   * it (a block that would start at a stop translates to nothing, and Unicorn
   * then looks up the page before it).
   */
  private raiseAtGuardStop(eip: number): boolean {
    const why = this.translationGuard?.translation.stopReachedAt(eip);
    if (why === undefined) return false;
    this.translationGuard!.onReached(why);
    return true;
  }

  /** Whether the translation guard has a stop at `eip` (stale or not). */
  hasTranslationStop(eip: number): boolean {
    return this.translationGuard?.translation.hasStop(eip) ?? false;
  }

  /** Why the CPU must not run the instruction at `eip` (#UD or #GP), if it must not; a stale stop there is removed. */
  guardStopAt(eip: number): GuardStop | undefined {
    return this.translationGuard?.translation.stopReachedAt(eip);
  }

  /** Lets a host signal stop this engine's CPU (see host-signals.ts); the engine stops being watched when disposed. */
  watchForHostSignals(signals: HostSignals): void {
    signals.watch(this.handle);
    this.hostSignals = signals;
  }

  /**
   * Keeps the CPU from translating instructions Unicorn 2.0.1 cannot, and
   * from running port I/O it does not trap (see translation-guard.ts): guest
   * memory must be mapped without UC_PROT_EXEC. `code` is guest memory as the
   * CPU sees it (indexed by virtual address); `onReached` raises the exception for `why` at EIP
   * (#UD for 'untranslatable', #GP for 'port-io'), where the CPU stopped
   * before such an instruction; `isPresent` says whether the guest's page at
   * an address is present (bytes of other pages are not the guest's).
   */
  guardTranslation(code: Uint8Array, onReached: (why: GuardStop) => void, isPresent?: (address: number) => boolean): void {
    // A block that starts at a stop has size 0, which no range removal reaches: a stale stop (rare) flushes every block.
    const translation = new TranslationGuard(code, (exits) => this.setExits(exits), () => this.flushTranslations(), isPresent);
    this.call('uc_ctl', this.lib.ctlUseExits(this.handle, UC_CTL_WRITE_USE_EXITS, 1));
    this.translationGuard = { translation, onReached };
    const cb = koffi.register((_uc: unknown, _type: number, address: number, size: number) => {
      try {
        this.translatedPages.add((address & ~(CODE_PAGE_SIZE - 1)) >>> 0);
        this.translatedPages.add(((address + size - 1) & ~(CODE_PAGE_SIZE - 1)) >>> 0);
        return translation.onCodeFetch(address, size);
      } catch (error) {
        this.hookError ??= error;
        return false;
      }
    }, koffi.pointer(this.lib.MemEventHook));
    this.addHook(UC_HOOK_MEM_FETCH_PROT, cb, 1, 0);
  }

  private setExits(exits: readonly number[]): void {
    const array = BigUint64Array.from(exits, (address) => BigInt(address >>> 0));
    this.call('uc_ctl', this.lib.ctlSetExits(this.handle, UC_CTL_WRITE_EXITS, array, array.length));
  }

  stop(): void {
    this.stopRequested = true;
    this.call('uc_emu_stop', this.lib.emuStop(this.handle));
  }

  allocateContext(): CpuContext {
    const out: unknown[] = [null];
    this.call('uc_context_alloc', this.lib.contextAlloc(this.handle, out));
    const context = new CpuContext(out[0], this.lib.contextSize(this.handle));
    this.contexts.push(context);
    return context;
  }

  /** Frees a context from allocateContext (a thread's, at its exit). */
  freeContext(context: CpuContext): void {
    const index = this.contexts.indexOf(context);
    if (index < 0) return;
    this.contexts.splice(index, 1);
    this.lib.contextFree(context.pointer);
  }

  saveContext(context: CpuContext): void {
    this.call('uc_context_save', this.lib.contextSave(this.handle, context.pointer));
  }

  restoreContext(context: CpuContext): void {
    this.call('uc_context_restore', this.lib.contextRestore(this.handle, context.pointer));
  }

  /**
   * Forgets the CPU's cached translation of one page. Unicorn 2.0.1 has no API
   * for this (writing CR3 through uc_reg_write does not flush, and
   * UC_CTL_TB_FLUSH only drops translated code), so this calls QEMU's own
   * tlb_flush_page, which Debian's libunicorn exports; the start-up probe
   * checks that it works.
   */
  flushTlbPage(address: number): void {
    this.lib.tlbFlushPage(this.cpuPointer(), address >>> 0);
  }

  /** Forgets every cached translation (QEMU's tlb_flush). */
  flushTlb(): void {
    this.lib.tlbFlush(this.cpuPointer());
  }

  /** QEMU's CPUState of the engine's one CPU (what qemu_get_cpu returns), for the CPU-state probe. */
  cpuPointer(): unknown {
    // Unicorn's single CPU keeps QEMU's UNASSIGNED_CPU_INDEX (-1) in this build; newer ones number it 0.
    this.cpu ??= this.lib.qemuGetCpu(this.handle, -1) ?? this.lib.qemuGetCpu(this.handle, 0);
    if (!this.cpu) throw new UnicornError('qemu_get_cpu', 0, 'libunicorn returned no CPU');
    return this.cpu;
  }

  /**
   * Whether code on the page at `pageAddress` may have been translated since
   * its blocks were last dropped (always true without the translation guard,
   * which sees every code fetch of the translator).
   */
  mayHoldTranslations(pageAddress: number): boolean {
    return this.translationGuard?.translation.translatedPages.has(pageAddress >>> 12) ?? true;
  }

  /** Drops translated blocks of [begin, end) so code in a page whose frame changed is retranslated. */
  removeTranslationCache(begin: number, end: number): void {
    this.dropTranslations(begin, end);
    this.blockCounter?.forgetBlocks();
  }

  private dropTranslations(begin: number, end: number): void {
    this.call('uc_ctl', this.lib.ctlRemoveCache(this.handle, UC_CTL_WRITE_TB_REMOVE_CACHE, begin, end));
    const pages = this.translationGuard?.translation.translatedPages;
    if (pages) for (let page = begin >>> 12; page < end / 4096; page++) pages.delete(page);
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = undefined;
    // A signal after this must not reach a closed engine.
    this.hostSignals?.watch(null);
    for (const context of this.contexts) this.lib.contextFree(context.pointer);
    this.blockCounter?.dispose();
    this.lib.close(this.handle);
    for (const cb of this.registered) koffi.unregister(cb as koffi.IKoffiRegisteredCallback);
  }

  private addHook(type: number, cb: unknown, begin: number, end: number): Disposable {
    const out: unknown[] = [0];
    this.registered.push(cb);
    this.call('uc_hook_add', this.lib.hookAdd(this.handle, out, type, cb, null, begin, end));
    const hh = out[0] as number;
    return { dispose: () => { if (!this.closed) this.call('uc_hook_del', this.lib.hookDel(this.handle, hh)); } };
  }

  /** Keeps the first hook error and stops the CPU: exceptions must not unwind through C. */
  private guard(fn: () => void): void {
    if (this.hookError !== undefined) return;
    try {
      fn();
    } catch (error) {
      this.hookError = error;
      this.lib.emuStop(this.handle);
    }
  }

  private call(name: string, rc: number): void {
    checkUcResult(this.lib, name, rc);
  }
}
