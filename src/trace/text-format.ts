// The human-readable trace: one line per event.
import type { PageFaultEvent, PageWriteEvent, SystemCallEvent, TraceEvent } from './events.js';
import { formatNtStatus } from '../nt/status.js';
import { formatPteView } from '../mm/pte-view.js';
import { formatVadTable } from '../mm/vad-view.js';

const hex = (value: number, width = 8): string => '0x' + (value >>> 0).toString(16).padStart(width, '0');

/** "write, user mode, page not present" from a #PF error code. */
export function describeErrorCode(errorCode: number): string {
  return [
    errorCode & 2 ? 'write' : 'read',
    errorCode & 4 ? 'user mode' : 'kernel mode',
    errorCode & 1 ? 'protection violation' : 'page not present',
  ].join(', ');
}

function formatFault(event: PageFaultEvent): string {
  const code = `${event.errorCode & 1 ? 'P' : 'NP'}|${event.errorCode & 2 ? 'W' : 'R'}|${event.errorCode & 4 ? 'U' : 'K'}`;
  const parts = [`#PF ${hex(event.address)} eip=${hex(event.eip)} ${code}`];
  if (event.instruction) parts.push(`[${event.instruction}]`);
  if (event.inSystemCall) parts.push(`(in ${event.inSystemCall})`);
  let outcome = event.resolution + (event.why ? ` (${event.why})` : '');
  if (event.pfn !== undefined) outcome += ` pfn=${hex(event.pfn, 5)}`;
  if (event.fileBytes) outcome += ` file=${event.fileBytes}B`;
  if (event.stackLimit !== undefined) outcome += ` StackLimit=${hex(event.stackLimit)}`;
  if (event.section) {
    outcome += ` controlarea=${event.section.controlArea} proto=${hex(event.section.prototypePte)}`;
    if (event.section.file !== undefined) outcome += ` from ${event.section.file}@${hex(event.section.fileOffset ?? 0)}`;
    if ((event.section.clusterPages ?? 1) > 1) outcome += ` cluster=${event.section.clusterPages}`;
  }
  const pageFile = event.pageFile ?? event.section?.pageFile;
  if (pageFile) outcome += ` PageFile: ${pageFile.number}, Offset: ${pageFile.offset.toString(16)} cluster=${pageFile.clusterPages}`;
  parts.push('→ ' + outcome);
  parts.push(`pte ${hex(event.pteBefore)}→${event.pteAfter === undefined ? '-' : hex(event.pteAfter)}`);
  if (event.vad) parts.push(`vad ${hex(event.vad.start)}-${hex(event.vad.end)}`);
  return parts.join(' ');
}

function formatPageWrite(event: PageWriteEvent): string {
  if (event.pageFile) {
    const offsets = event.pageFile.offsets;
    const range = offsets.length > 1 ? `${offsets[0]!.toString(16)}-${offsets[offsets.length - 1]!.toString(16)}` : offsets[0]!.toString(16);
    return `page-write ${event.pages} pages to PageFile: ${event.pageFile.number}, Offset: ${range}`;
  }
  return `page-write ${event.pages} pages to ${event.file!.name}@${event.file!.offsets.map((o) => hex(o)).join(',')}`;
}

function formatSystemCall(event: SystemCallEvent): string {
  const args = event.args.map((a) => hex(a)).join(', ');
  const result = event.abi === 'nt' ? formatNtStatus(event.result) : String(event.result | 0);
  return `${event.abi === 'nt' ? 'int 2e' : 'int 80'} ${event.name}(${args}) = ${result}`;
}

export function formatTraceEvent(event: TraceEvent): string {
  const head = `#${String(event.seq).padEnd(5)} ${event.timeUs.toFixed(1).padStart(10)}us pid=${event.pid} tid=${event.tid} `;
  switch (event.type) {
    case 'page-fault': return head + formatFault(event);
    case 'syscall': return head + formatSystemCall(event);
    case 'exception':
      return head + `exception ${formatNtStatus(event.code)} at eip=${hex(event.eip)}${event.instruction ? ` [${event.instruction}]` : ''}` +
        (event.address !== undefined ? ` ${event.write ? 'writing' : 'reading'} ${hex(event.address)}` : '') +
        (event.firstChance ? ' (first chance: to the guest\'s handlers)' : ' (unhandled)');
    case 'process-exit': return head + `process exit ${formatNtStatus(event.status)}`;
    case 'process-create': return head + `process create by pid=${event.parentPid}: ${event.image} command line ${JSON.stringify(event.commandLine)}`;
    case 'vad-dump': return head + `VAD tree (${event.vads.length} VADs, commit ${event.commitPages} pages)\n` + formatVadTable(event.vads);
    case 'pte-dump': return head + 'PTE\n' + formatPteView(event.pte);
    case 'experiment':
      return head + `experiment ${event.name} ${hex(event.address)} → pfn=${hex(event.pfn, 5)} pte at ${hex(event.pteAddress)} = ${hex(event.pteAfter)} (no VAD, no commit)`;
    case 'bugcheck':
      return head + `bugcheck ${event.name} (${event.code.toString(16)}) ${event.parameters.map((p) => hex(p)).join(' ')}: ${event.explanation}`;
    case 'trim': return head + `trim ${event.pages} pages (${event.why}): ${event.toStandby} to standby, ${event.toModified} to modified; working set ${event.workingSetPages} pages`;
    case 'page-write': return head + formatPageWrite(event);
    case 'thread-create':
      return head + `thread-create tid=${event.newTid} start=${hex(event.startAddress)} teb=${hex(event.teb)} stack ${hex(event.stack.start)}-${hex(event.stack.end)}${event.suspended ? ' suspended' : ''}${event.ownerPid !== undefined ? ` in pid=${event.ownerPid}` : ''}`;
    case 'thread-exit': return head + `thread-exit tid=${event.exitTid} ${formatNtStatus(event.status)}`;
    case 'context-switch':
      return head + `context-switch → tid=${event.toTid} (${event.reason})${event.waitStatus !== undefined ? ` wait ended ${formatNtStatus(event.waitStatus)}` : ''}`;
    case 'repurpose': return head + `repurpose pfn=${hex(event.pfn, 5)} from ${event.prototype ? 'prototype ' : ''}pte ${hex(event.pteAddress)} → ${hex(event.pteAfter)}`;
  }
}
