// Where the trace goes: --trace prints lines on stderr; --trace-file writes
// JSON lines or the Trace Event Format to a file, or to stdout for "-".
// Host failures (a missing folder, a directory, a full disk, a closed pipe)
// become one HostIoError line, never an internal error.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Machine } from '../kernel/machine.js';
import { ChromeTraceWriter } from '../trace/chrome-trace.js';
import type { TraceEvent, TraceEventType } from '../trace/events.js';
import { JsonlTraceWriter, type TextSink } from '../trace/jsonl.js';
import { formatTraceEvent } from '../trace/text-format.js';
import { HostIoError, describeErrno } from './errors.js';
import type { CommandOutput } from './command-table.js';

export const TRACE_FORMATS = ['jsonl', 'chrome'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** A trace file (or stdout for "-") in one format; the first write error stops it and is reported at close. */
export class TraceFileOutput {
  private failure: string | undefined;
  private readonly writer: JsonlTraceWriter | ChromeTraceWriter;

  private constructor(private readonly path: string, private readonly fd: number | undefined, format: TraceFormat, machine: Machine, program: string, streams: CommandOutput) {
    const sink: TextSink = fd === undefined ? (text) => streams.write('stdout', text) : (text) => { writeSync(fd, text); };
    const guarded: TextSink = (text) => this.guard(() => sink(text));
    this.writer = format === 'chrome'
      ? new ChromeTraceWriter(guarded, program, () => ({ commitPages: machine.commit().processPages, residentPages: machine.frameCounts().active }))
      : new JsonlTraceWriter(guarded);
  }

  /** Opens `path` for writing ("-": stdout); HostIoError when it cannot be created. */
  static open(path: string, format: TraceFormat, machine: Machine, program: string, streams: CommandOutput): TraceFileOutput {
    if (path === '-') return new TraceFileOutput(path, undefined, format, machine, program, streams);
    return new TraceFileOutput(path, openOutputFile(path, 'the trace'), format, machine, program, streams);
  }

  write(event: TraceEvent): void { this.writer.write(event); }

  /** Ends the document and closes the file; HostIoError if any write failed. */
  close(): void {
    this.writer.end();
    if (this.fd !== undefined) this.guard(() => closeSync(this.fd!));
    if (this.failure) throw new HostIoError(`cannot write the trace to ${this.path === '-' ? 'stdout' : this.path}: ${this.failure}; the trace is incomplete`);
  }

  private guard(action: () => void): void {
    if (this.failure) return;
    try {
      action();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === undefined) throw error;
      this.failure = describeErrno(error);
    }
  }
}

/** Creates (or truncates) `path` for `what` mmscope writes; HostIoError naming both when it cannot. */
export function openOutputFile(path: string, what: string): number {
  try {
    return openSync(path, 'w');
  } catch (error) {
    throw new HostIoError(`cannot write ${what} to ${path}: ${describeErrno(error)}`);
  }
}

/** --trace: the chosen event types as text lines on stderr. */
export function subscribeTextTrace(machine: Machine, types: ReadonlySet<TraceEventType>, streams: CommandOutput): void {
  machine.trace.subscribe((event) => {
    if (types.has(event.type)) streams.err(formatTraceEvent(event) + '\n');
  });
}
