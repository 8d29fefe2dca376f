// mmscope's own stdout and stderr. A reader that goes away (`mmscope ... |
// head -1`: EPIPE, as Node ignores SIGPIPE) is a host I/O failure, not a
// bug: the stream is dropped, the rest of the run goes on, and main() ends
// with one line on the other stream and status 125.
import { writeSync } from 'node:fs';
import type { CommandOutput } from './command-table.js';
import { describeErrno } from './errors.js';

export type StreamName = 'stdout' | 'stderr';

export class HostStreams implements CommandOutput {
  /** The first stream that failed, and why. */
  failure: { stream: StreamName; reason: string } | undefined;
  private readonly dead = new Set<StreamName>();

  constructor(private readonly fds: Record<StreamName, number> = { stdout: 1, stderr: 2 }) {}

  readonly out = (text: string): void => { this.write('stdout', text); };
  readonly err = (text: string): void => { this.write('stderr', text); };

  /** Writes all of `data`, or drops the stream for good on a host error (EPIPE, EIO, ENOSPC). */
  write(stream: StreamName, data: string | Uint8Array): void {
    if (this.dead.has(stream)) return;
    let bytes = typeof data === 'string' ? Buffer.from(data) : data;
    while (bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(this.fds[stream], bytes));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: the reader will drain it
        if (code === undefined) throw error;
        this.dead.add(stream);
        this.failure ??= { stream, reason: describeErrno(error) };
        return;
      }
    }
  }

  /** Says on stderr (when it still works) that a stream failed; false when both streams worked. */
  reportFailure(): boolean {
    if (!this.failure) return false;
    this.write('stderr', `mmscope: cannot write to ${this.failure.stream}: ${this.failure.reason}; output was lost\n`);
    return true;
  }
}
