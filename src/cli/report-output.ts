// --report FILE: the HTML report of the run (src/report), written after the
// guest ends. The file is created before the run, so a path that cannot be
// written fails at once, not after a long run.
import { closeSync, writeSync } from 'node:fs';
import type { Machine, RunOutcome } from '../kernel/machine.js';
import { formatNtStatus } from '../nt/status.js';
import { FaultRecorder } from '../report/fault-recorder.js';
import { renderReportHtml } from '../report/html.js';
import { collectReportData } from '../report/report-data.js';
import { HostIoError, describeErrno } from './errors.js';
import { openOutputFile } from './trace-outputs.js';

export class ReportOutput {
  private readonly recorder: FaultRecorder;
  private readonly fd: number;

  /** Creates `path` and starts recording `machine`'s faults; HostIoError when the file cannot be created. */
  constructor(private readonly path: string, private readonly machine: Machine) {
    this.fd = openOutputFile(path, 'the report');
    this.recorder = new FaultRecorder(machine);
  }

  /** Writes the page for the run that ended with `outcome` and closes the file. */
  finish(program: string, outcome: RunOutcome): void {
    const html = renderReportHtml(collectReportData(this.machine, this.recorder, program, describeOutcome(outcome)));
    try {
      writeSync(this.fd, html);
    } catch (error) {
      throw new HostIoError(`cannot write the report to ${this.path}: ${describeErrno(error)}`);
    } finally {
      this.close();
    }
  }

  close(): void {
    try { closeSync(this.fd); } catch { /* closed already */ }
  }
}

function describeOutcome(outcome: RunOutcome): string {
  switch (outcome.reason) {
    case 'exited': return `exited with status ${outcome.exitStatus} (${formatNtStatus(outcome.exitStatus)})`;
    case 'exception': return `ended by an unhandled exception ${formatNtStatus(outcome.exception.code)} at eip 0x${outcome.exception.eip.toString(16).padStart(8, '0')}${outcome.exception.instruction ? `: ${outcome.exception.instruction}` : ''}`;
    case 'bugcheck': return `stopped by a bug check (0x${outcome.bugCheck.code.toString(16)})`;
    case 'timeout': return 'stopped by --timeout';
    case 'instruction-limit': return 'stopped by --max-insns';
    default: return `stopped (${outcome.reason})`;
  }
}
