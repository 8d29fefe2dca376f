// SIGINT, SIGTERM and SIGHUP during `mmscope run`: the guest stops, the run
// is torn down as at exit (dirty pages of mapped files written back, files
// closed), one line names the signal, and mmscope exits with 128 + signal as
// a shell expects of a process a signal ended. A second signal ends it at
// once. The handler is the machine's (Machine.stopOnHostSignals), since
// Node's own handlers cannot run while the guest holds the event loop.
import { constants } from 'node:os';
import type { Machine, RunOutcome } from '../kernel/machine.js';

/** Makes host signals stop `machine`'s guest instead of killing mmscope mid-run. */
export function stopGuestOnSignals(machine: Machine): void {
  machine.stopOnHostSignals();
}

/** The name of signal `number` (SIGTERM), or "signal N". */
export function signalName(number: number): string {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? entry[0] : `signal ${number}`;
}

/** The line printed when a signal stopped the run. */
export function describeSignalStop(outcome: Extract<RunOutcome, { reason: 'signal' }>): string {
  return `stopped: ${signalName(outcome.signal)} ended the run (mapped files were written back)`;
}

/** 128 + N, the status a shell gives a process signal N ended. */
export const signalExitStatus = (signal: number): number => 128 + signal;
