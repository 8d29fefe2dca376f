// Fan-out of trace events. The kernel asks `active` before building an event,
// so an untraced run pays nothing for tracing.
import type { TraceEvent, TraceEventInit } from './events.js';

export type TraceListener = (event: TraceEvent) => void;

export class TraceBus {
  private readonly listeners = new Set<TraceListener>();
  private seq = 0;
  private startNs = process.hrtime.bigint();
  /** The running process's id, given to every event that names no process itself. */
  currentPid = 4;
  /** The running thread's id, which every event names (the scheduler sets it at each context switch). */
  tid = 0;

  get active(): boolean { return this.listeners.size > 0; }

  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Restarts the clock: time 0 is when the guest starts running. */
  startClock(): void { this.startNs = process.hrtime.bigint(); }

  /** Microseconds since the clock started, to 0.1 µs (the resolution of `timeUs`). */
  nowUs(): number {
    return Math.round(Number(process.hrtime.bigint() - this.startNs) / 100) / 10;
  }

  emit(init: TraceEventInit): void {
    if (!this.active) return;
    const event = { seq: ++this.seq, timeUs: this.nowUs(), pid: this.currentPid, tid: this.tid, ...init } as TraceEvent;
    for (const listener of this.listeners) listener(event);
  }
}
