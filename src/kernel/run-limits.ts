// Limits the kernel itself enforces on every path back into the CPU (page
// faults, system calls, exceptions, breakpoints): Unicorn's own timer asks the
// CPU to stop, but a hook that then moves EIP (an exception delivered to the
// guest, NtContinue) makes Unicorn go on and the request is lost, so an
// exception storm would outlive --timeout. Checked at each trap, these cost a
// clock read and a memory load.

export type StopCause = 'timeout' | 'signal';

export class RunLimits {
  /** performance.now() value after which the run stops; 0 for none. */
  deadline = 0;
  /** The host signal that asked for a stop (a view of the native handler's variable), if signals are watched. */
  hostSignal: Int32Array | undefined;
  /** Why the kernel stopped the CPU on its own, if it did. */
  stoppedBy: StopCause | undefined;

  /** The number of the signal that arrived, 0 for none. */
  signalNumber(): number {
    return this.hostSignal ? this.hostSignal[0]! : 0;
  }

  /** True when the CPU must not go on: the deadline passed or a signal came. Remembers which. */
  reached(): boolean {
    if (this.signalNumber() !== 0) this.stoppedBy = 'signal';
    else if (this.deadline !== 0 && performance.now() >= this.deadline) this.stoppedBy = 'timeout';
    return this.stoppedBy !== undefined;
  }
}
