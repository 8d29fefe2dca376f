// What the user is told when an exception ends the process.
import { formatNtStatus } from '../nt/status.js';
import { hex32 } from '../mm/layout.js';
import type { RefusedWhy } from '../mm/fault-handler.js';

export interface ExceptionReport {
  code: number;
  eip: number;
  instruction?: string;
  /** Page faults: the address, the access and the hardware error code. */
  address?: number;
  write?: boolean;
  errorCode?: number;
  why?: RefusedWhy;
  /** STATUS_IN_PAGE_ERROR: the NTSTATUS of the read that failed (ExceptionInformation[2]). */
  ioStatus?: number;
  /** CPU exception vector that raised it, when not a page fault. */
  vector?: number;
  /** Raised by the program itself (RaiseException / NtRaiseException), with its ExceptionInformation. */
  software?: { parameters: number[] };
}

const WHY_TEXT: Record<RefusedWhy, string> = {
  'kernel-address': 'kernel space (0x80000000 and up) is not accessible from user mode',
  'no-vad': 'no allocation (VAD) covers this address',
  'not-committed': 'the address is reserved but not committed',
  decommitted: 'the page was decommitted',
  'no-access': 'the page is PAGE_NOACCESS',
  'write-to-read-only': 'the page is read-only',
};

function describeErrorCode(errorCode: number): string {
  return `${errorCode & 1 ? 'protection violation' : 'page not present'}, ${errorCode & 2 ? 'write' : 'read'}, ${errorCode & 4 ? 'user' : 'kernel'} mode`;
}

export function formatExceptionReport(report: ExceptionReport): string {
  const lines = [`unhandled exception ${formatNtStatus(report.code)}`];
  lines.push(`  at eip ${hex32(report.eip)}${report.instruction ? `: ${report.instruction}` : ''}`);
  if (report.address !== undefined) {
    lines.push(`  the instruction ${report.write ? 'wrote to' : 'read from'} ${hex32(report.address)}`);
  }
  if (report.errorCode !== undefined) lines.push(`  page-fault error code ${report.errorCode}: ${describeErrorCode(report.errorCode)}`);
  if (report.why) lines.push(`  reason: ${WHY_TEXT[report.why]}`);
  if (report.ioStatus !== undefined) lines.push(`  the page could not be read in: ${formatNtStatus(report.ioStatus)}`);
  if (report.vector !== undefined) lines.push(`  CPU exception vector ${report.vector}`);
  if (report.software) {
    const parameters = report.software.parameters.map(hex32).join(', ');
    lines.push(`  raised by the program (RaiseException)${parameters ? `, parameters ${parameters}` : ''}`);
  }
  lines.push(`  process exit status ${formatNtStatus(report.code)}`);
  return lines.join('\n');
}
