// `mmscope run`: load a program into a fresh machine, run it, report.
import { readFileSync, writeSync } from 'node:fs';
import { Machine, type RunOutcome } from '../kernel/machine.js';
import { formatExceptionReport } from '../kernel/exception-report.js';
import { formatBugCheck } from '../mm/bugcheck.js';
import { hex32 } from '../mm/layout.js';
import { formatPteView } from '../mm/pte-view.js';
import { formatModuleTable, formatVadTable } from '../mm/vad-view.js';
import { JsonlTraceWriter } from '../trace/jsonl.js';
import { formatTraceEvent } from '../trace/text-format.js';
import type { TraceEvent, TraceEventType } from '../trace/events.js';
import type { CommandDeclaration, CommandOutput, Invocation } from './command-table.js';
import { ProgramNotFoundError, ProgramUnreadableError, UsageError, describeErrno } from './errors.js';
import { EXIT_STATUS_HELP, EXIT_STOPPED, guestExitStatus } from './exit-status.js';
import { runOptions, tracedEventTypes, type RunOptionValues } from './run-options.js';

interface RunSettings extends RunOptionValues {
  program: string;
  guestArgs: string[];
  fileRoot: string;
}

export const RUN_COMMAND: CommandDeclaration<RunOptionValues> = {
  name: 'run',
  operands: [
    { syntax: '<program>', description: 'a static i386 ELF (mmscope build), or a flat binary with --base' },
    { syntax: '[args...]', description: 'arguments for the guest (argv[1..]); options after PROGRAM are the guest\'s' },
  ],
  summary: 'run a program under the mmscope kernel',
  description: `Runs PROGRAM in ring 3 under the mmscope kernel. The guest's stdout and
stderr are ours (with --json the guest's stdout goes to stderr). An unhandled
exception prints a report to stderr; a bug check (only after an experiment)
prints its report and exits with the code's low byte (MEMORY_MANAGEMENT 0x1A
→ 26). Everything after PROGRAM is passed to the guest.`,
  options: runOptions,
  passThrough: true,
  examples: [
    'npx mmscope run guest/build/examples/hello.elf world',
    'npx mmscope run --trace faults guest/build/examples/first-touch.elf',
    'npx mmscope run --trace all --trace-file t.jsonl guest/build/examples/hello.elf',
    'npx mmscope run --vad --pte 404000 guest/build/examples/first-touch.elf',
    'npx mmscope run --json --vad guest/build/examples/first-touch.elf',
    'npx mmscope run --stack 256K --trace faults guest/build/examples/recursion.elf 100',
    'npx mmscope run --heap-check --trace syscalls guest/build/examples/heap.elf',
    'npx mmscope run --root . --modules guest/build/examples/hidden-module.elf',
  ],
  epilog: EXIT_STATUS_HELP,
  action: runProgram,
};

async function runProgram(invocation: Invocation<RunOptionValues>): Promise<number> {
  const [program, ...guestArgs] = invocation.operands;
  warnAboutGuestOptions(invocation);
  const settings: RunSettings = { ...invocation.options, program: program!, guestArgs, fileRoot: invocation.options.root ?? process.cwd() };
  try {
    Machine.validateOptions(machineOptions(settings));
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, 'run');
    throw error;
  }
  const bytes = readProgram(settings.program);
  const machine = await Machine.create({ ...machineOptions(settings), console: writeToTerminal });
  const jsonl = settings.traceFile ? new JsonlTraceWriter(settings.traceFile) : undefined;
  try {
    if (jsonl) machine.trace.subscribe((event) => jsonl.write(event));
    if (settings.trace) subscribeText(machine, tracedEventTypes(settings.trace));
    machine.load({ name: settings.program, bytes, ...(settings.base !== undefined ? { flatBase: settings.base } : {}) }, settings.guestArgs);
    const outcome = machine.run({ maxInstructions: settings.maxInsns, timeoutMs: settings.timeout });
    reportOutcome(outcome, settings);
    const damage = machine.experimentDamage();
    if (damage) writeSync(2, `mmscope: invariant check at exit: ${damage}\n`);
    printDumps(machine, outcome, settings, invocation.output);
    return exitStatusOf(outcome);
  } finally {
    jsonl?.close();
    machine.dispose();
  }
}

function machineOptions(settings: RunSettings) {
  return {
    ramBytes: settings.ram,
    pagefileBytes: settings.pagefile,
    stackReserveBytes: settings.stack,
    heapCheck: settings.heapCheck ?? false,
    fileRoot: settings.fileRoot,
    allowExperiments: settings.allowExperiments ?? false,
  };
}

/**
 * Options after PROGRAM are the guest's (as with env(1) and timeout(1)); one
 * that is also an mmscope option was probably meant for mmscope, so say where
 * it went. Nothing is said after an explicit `--`.
 */
function warnAboutGuestOptions(invocation: Invocation<RunOptionValues>): void {
  const [program, ...guestArgs] = invocation.operands;
  const programAt = invocation.rawArguments.indexOf(program!);
  if (invocation.rawArguments.slice(0, programAt).includes('--')) return;
  const ours = new Set(runOptions().flatMap((option) => [option.long, option.short]).concat(['--help', '-h']));
  const end = guestArgs.indexOf('--');
  const misplaced = guestArgs.slice(0, end < 0 ? undefined : end).filter((arg) => ours.has(arg.split('=')[0]!));
  for (const arg of new Set(misplaced)) {
    invocation.output.err(`mmscope: note: ${arg.split('=')[0]} after the program is passed to the guest\n`);
  }
}

function readProgram(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ProgramNotFoundError(path);
    throw new ProgramUnreadableError(path, describeErrno(error));
  }
}

/** The guest's console output; a reader that went away (a closed pipe) just stops receiving it. */
function writeToTerminal(stream: 'stdout' | 'stderr', data: Uint8Array): void {
  try {
    writeSync(stream === 'stdout' ? 1 : 2, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

function subscribeText(machine: Machine, types: ReadonlySet<TraceEventType>): void {
  machine.trace.subscribe((event: TraceEvent) => {
    if (types.has(event.type)) writeSync(2, formatTraceEvent(event) + '\n');
  });
}

function reportOutcome(outcome: RunOutcome, settings: RunSettings): void {
  const say = (text: string): void => { writeSync(2, `mmscope: ${text}\n`); };
  if (outcome.reason === 'exception') say(formatExceptionReport(outcome.exception));
  if (outcome.reason === 'bugcheck') say(formatBugCheck(outcome.bugCheck));
  if (outcome.reason === 'timeout') say(`stopped: the guest ran for more than ${settings.timeout} ms (--timeout)`);
  if (outcome.reason === 'instruction-limit') say(`stopped: the guest executed ${settings.maxInsns} instructions (--max-insns)`);
  if (outcome.reason === 'waits-forever') say('stopped: the only thread waits forever (an infinite NtDelayExecution) and nothing can wake it; on Windows the process would hang');
}

function exitStatusOf(outcome: RunOutcome): number {
  return outcome.exitStatus === undefined ? EXIT_STOPPED : guestExitStatus(outcome.exitStatus);
}

function printDumps(machine: Machine, outcome: RunOutcome, settings: RunSettings, output: CommandOutput): void {
  const write = output.out;
  const ptes = settings.pte ?? [];
  if (settings.json) {
    const summary = {
      reason: outcome.reason,
      exitStatus: outcome.exitStatus ?? null,
      ...(outcome.reason === 'exception' ? { exception: outcome.exception } : {}),
      ...(outcome.reason === 'bugcheck' ? { bugCheck: { code: outcome.bugCheck.code, parameters: outcome.bugCheck.parameters, explanation: outcome.bugCheck.explanation } } : {}),
      commit: machine.commit(),
      frames: machine.frameCounts(),
      faults: machine.faultCounts(),
      ...(settings.vad ? { vads: machine.vads() } : {}),
      ...(settings.modules ? { modules: machine.modules() } : {}),
      ...(ptes.length ? { ptes: ptes.map((a) => machine.pte(a)) } : {}),
    };
    write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  if (settings.vad) write(formatVadTable(machine.vads()) + '\n');
  if (settings.modules) write(formatModuleTable(machine.modules()) + '\n');
  for (const address of ptes) write(formatPteView(machine.pte(address)) + '\n');
  if (settings.vad || ptes.length || settings.modules) {
    const faults = Object.entries(machine.faultCounts()).map(([how, count]) => `${count} ${how}`).join(', ');
    write(`page faults: ${faults || 'none'}\n`);
    write(`process commit ${machine.commit().processPages} pages; exit status ${hex32(outcome.exitStatus ?? 0)}\n`);
  }
}
