// The kernel's clock: Windows' interrupt time (100 ns units since boot, what
// KUSER_SHARED_DATA.InterruptTime and TickCount derive from) and system time
// (100 ns units since 1601-01-01 UTC, KUSER_SHARED_DATA.SystemTime).
//
// Time runs with the host's monotonic clock while the guest runs, and jumps
// ahead when the only thread sleeps (NtDelayExecution): with one thread and
// nothing else to run, the wait ends at once, as an idle processor would skip
// to the next timer interrupt. So Sleep(5000) takes no host time but the
// guest sees 5 s pass.

/** 100 ns units per millisecond. */
const HUNDRED_NS_PER_MS = 10_000n;
/** 100 ns units between 1601-01-01 and 1970-01-01 (Windows FILETIME epoch vs Unix). */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;

export class SystemClock {
  /** The host's monotonic clock at boot, in ms (performance.now: sub-microsecond resolution). */
  private readonly bootHostMs = performance.now();
  /** System time at boot, from the host's wall clock. */
  private readonly bootSystemTime = BigInt(Date.now()) * HUNDRED_NS_PER_MS + FILETIME_UNIX_EPOCH;
  /** bootSystemTime's 32-bit halves, for writers that avoid BigInt work on every kernel entry. */
  readonly bootSystemTimeHigh = Number(this.bootSystemTime >> 32n);
  readonly bootSystemTimeLow = Number(this.bootSystemTime & 0xffffffffn);
  /** Time skipped while the only thread slept, in 100 ns units. */
  private skipped = 0;

  /** Interrupt time: 100 ns units since boot (Windows' KeQueryInterruptTime). */
  interruptTime(): bigint {
    return BigInt(this.interruptTime100ns());
  }

  /**
   * interruptTime() as a number, which stays exact for 28 years of uptime
   * (below 2^53): KUSER_SHARED_DATA is brought up to date on every kernel
   * entry, where BigInt arithmetic would cost a tenth of a system call.
   */
  interruptTime100ns(): number {
    return Math.floor((performance.now() - this.bootHostMs) * 10_000) + this.skipped;
  }

  /** System time: 100 ns units since 1601-01-01 UTC (Windows' KeQuerySystemTime, a FILETIME). */
  systemTime(): bigint {
    return this.bootSystemTime + this.interruptTime();
  }

  /** Moves time ahead by `hundredNs` (the thread slept that long). */
  advance(hundredNs: bigint): void {
    if (hundredNs > 0n) this.skipped += Number(hundredNs);
  }
}
