// One JSON object per line per event, written synchronously so a crash or
// stop still leaves every earlier event on disk.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceEvent } from './events.js';

export class JsonlTraceWriter {
  private readonly fd: number;
  constructor(path: string) { this.fd = openSync(path, 'w'); }
  write(event: TraceEvent): void { writeSync(this.fd, JSON.stringify(event) + '\n'); }
  close(): void { closeSync(this.fd); }
}
