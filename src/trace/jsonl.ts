// JSON lines: one event per line, written as it happens, so a crash or a
// stop still leaves every earlier event in the file. The schema of a line is
// schema/trace-event.schema.json (generated from events.ts).
import type { TraceEvent } from './events.js';

/** Where a trace writer's text goes (a file, stdout); it may throw the host's I/O error. */
export type TextSink = (text: string) => void;

export class JsonlTraceWriter {
  constructor(private readonly sink: TextSink) {}
  write(event: TraceEvent): void { this.sink(JSON.stringify(event) + '\n'); }
  /** JSON lines need no closing. */
  end(): void {}
}
