// The Trace Event Format (Chrome's about:tracing and ui.perfetto.dev read it):
// one object {"traceEvents": [...]}, written as events happen and closed at
// the end. System calls are complete events ("X") lasting as long as the
// kernel took; page faults, exceptions and the exit are instant events ("i")
// carrying the trace fields; commit charge and resident pages are counters
// ("C"). Times are microseconds since the guest started, as in the trace.
// Format: "Trace Event Format", Google (docs.google.com, the Catapult project's
// trace-viewer documentation).
import type { TraceEvent } from './events.js';
import type { TextSink } from './jsonl.js';
import { hex32 as hex } from '../mm/layout.js';

/** Machine state at an event, for the counters. */
export interface CounterSample {
  /** The process's commit charge, in pages. */
  commitPages: number;
  /** Frames in use (ActiveAndValid), in pages. */
  residentPages: number;
}

/** One Trace Event Format record (the fields this writer uses). */
export interface ChromeTraceEvent {
  name: string;
  ph: 'X' | 'i' | 'C' | 'M';
  ts: number;
  pid: number;
  tid: number;
  cat?: string;
  dur?: number;
  /** Instant events: scope "t" (thread). */
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

/** The whole file. */
export interface ChromeTraceFile {
  displayTimeUnit: 'ms';
  traceEvents: ChromeTraceEvent[];
}

/** The first process's UniqueProcessId: the counters and the names belong to it; events carry their own process's id. */
const PID = 4;
const TID = 1;

export class ChromeTraceWriter {
  private first = true;
  private lastSample: CounterSample | undefined;

  /** `program` names the process in the viewer; `sample` reads the counters at each event. */
  constructor(private readonly sink: TextSink, program: string, private readonly sample?: () => CounterSample) {
    this.sink('{"displayTimeUnit":"ms","traceEvents":[\n');
    this.emit({ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: TID, args: { name: `mmscope ${program}` } });
    this.emit({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid: TID, args: { name: 'initial thread' } });
  }

  write(event: TraceEvent): void {
    for (const record of toChromeEvents(event)) this.emit(record);
    if (this.sample) this.writeCounters(event.timeUs, this.sample());
  }

  /** Closes the array and the object: the file is one JSON document. */
  end(): void { this.sink('\n]}\n'); }

  private writeCounters(ts: number, sample: CounterSample): void {
    if (this.lastSample?.commitPages !== sample.commitPages) {
      this.emit({ name: 'commit charge (pages)', ph: 'C', ts, pid: PID, tid: TID, args: { commit: sample.commitPages } });
    }
    if (this.lastSample?.residentPages !== sample.residentPages) {
      this.emit({ name: 'resident pages', ph: 'C', ts, pid: PID, tid: TID, args: { resident: sample.residentPages } });
    }
    this.lastSample = sample;
  }

  private emit(record: ChromeTraceEvent): void {
    this.sink((this.first ? '' : ',\n') + JSON.stringify(record));
    this.first = false;
  }
}

/** The records for one trace event (none for events a timeline has no use for). */
export function toChromeEvents(event: TraceEvent): ChromeTraceEvent[] {
  const at = { ts: event.timeUs, pid: event.pid, tid: TID };
  switch (event.type) {
    case 'syscall': {
      const duration = event.durationUs ?? 0;
      return [{
        name: event.name, cat: `syscall,${event.abi}`, ph: 'X', ...at, ts: Math.max(0, event.timeUs - duration), dur: duration,
        args: { seq: event.seq, number: hex(event.number), args: event.args.map(hex), result: hex(event.result), ...(event.resultName ? { resultName: event.resultName } : {}) },
      }];
    }
    case 'page-fault':
      return [{
        name: `#PF ${event.resolution}`, cat: 'page-fault', ph: 'i', s: 't', ...at,
        args: {
          seq: event.seq, address: hex(event.address), eip: hex(event.eip), errorCode: event.errorCode, resolution: event.resolution,
          ...(event.pfn !== undefined ? { pfn: hex(event.pfn) } : {}),
          ...(event.instruction ? { instruction: event.instruction } : {}),
          ...(event.why ? { why: event.why } : {}),
          pteBefore: hex(event.pteBefore), ...(event.pteAfter !== undefined ? { pteAfter: hex(event.pteAfter) } : {}),
          ...(event.vad ? { vad: `${hex(event.vad.start)}-${hex(event.vad.end)}` } : {}),
          ...(event.section ? { section: event.section } : {}),
          ...(event.pageFile ? { pageFile: event.pageFile } : {}),
          ...(event.inSystemCall ? { inSystemCall: event.inSystemCall } : {}),
        },
      }];
    case 'exception':
      return [{
        name: `${event.codeName}${event.firstChance ? '' : ' (unhandled)'}`, cat: 'exception', ph: 'i', s: 't', ...at,
        args: { seq: event.seq, code: hex(event.code), eip: hex(event.eip), firstChance: event.firstChance, ...(event.address !== undefined ? { address: hex(event.address), write: event.write } : {}) },
      }];
    case 'process-exit':
      return [{ name: 'process exit', cat: 'process', ph: 'i', s: 'p', ...at, args: { seq: event.seq, status: hex(event.status) } }];
    case 'bugcheck':
      return [{ name: `bugcheck ${event.name}`, cat: 'bugcheck', ph: 'i', s: 'g', ...at, args: { seq: event.seq, code: hex(event.code), parameters: event.parameters.map(hex), explanation: event.explanation } }];
    case 'trim':
      return [{ name: `trim ${event.pages} (${event.why})`, cat: 'paging', ph: 'i', s: 'p', ...at, args: { seq: event.seq, pages: event.pages, why: event.why, toStandby: event.toStandby, toModified: event.toModified, workingSetPages: event.workingSetPages } }];
    case 'page-write':
      return [{ name: `page-write ${event.pages}`, cat: 'paging', ph: 'i', s: 'p', ...at, args: { seq: event.seq, pages: event.pages, ...(event.pageFile ? { pageFile: event.pageFile.number, offsets: event.pageFile.offsets } : {}), ...(event.file ? { file: event.file.name, offsets: event.file.offsets } : {}) } }];
    default:
      return [{ name: event.type, cat: event.type, ph: 'i', s: 't', ...at, args: { seq: event.seq } }];
  }
}
