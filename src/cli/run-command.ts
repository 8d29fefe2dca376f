// `mmscope run`: load a program into a fresh machine, run it, report.
import { readFileSync } from 'node:fs';
import { Machine, ProcessCreationError, type MachineOptions, type RunOutcome } from '../kernel/machine.js';
import { isPe } from '../kernel/loader/pe32.js';
import { STATUS_DLL_NOT_FOUND } from '../nt/status.js';
import { buildSystemDlls } from '../toolchain/system-dlls.js';
import { BuildError } from '../toolchain/tools.js';
import { formatExceptionReport } from '../kernel/exception-report.js';
import { formatMemorySummary } from '../kernel/memory-view.js';
import { PagingFileError } from '../kernel/io/paging-file.js';
import { formatBugCheck } from '../mm/bugcheck.js';
import { hex32 } from '../mm/layout.js';
import { formatPteView } from '../mm/pte-view.js';
import { formatModuleTable, formatVadTable } from '../mm/vad-view.js';
import type { CommandDeclaration, CommandOutput, Invocation } from './command-table.js';
import { HostIoError, ProgramNotFoundError, ProgramUnreadableError, UsageError, describeErrno } from './errors.js';
import { EXIT_STATUS_HELP, EXIT_STOPPED, guestExitStatus } from './exit-status.js';
import type { StreamName } from './host-streams.js';
import { describeSignalStop, signalExitStatus, stopGuestOnSignals } from './signals.js';
import { runOptions, tracedEventTypes, type RunOptionValues } from './run-options.js';
import { STDOUT_KEPT_BYTES, summarizeMachine, summarizeOutcome } from './run-summary.js';
import { formatProcessHeader } from '../kernel/ps/process-view.js';
import type { Process } from '../kernel/process.js';
import { ReportOutput } from './report-output.js';
import { TraceFileOutput, subscribeTextTrace } from './trace-outputs.js';
import { debugProgram } from './debug-command.js';

export interface RunSettings extends RunOptionValues {
  program: string;
  guestArgs: string[];
  fileRoot: string;
  ptes: number[];
}

export const RUN_COMMAND: CommandDeclaration<RunOptionValues> = {
  name: 'run',
  operands: [
    { syntax: '<program>', description: 'a static i386 ELF (mmscope build), or a flat binary with --base' },
    { syntax: '[args...]', description: 'arguments for the guest (argv[1..]); options after PROGRAM are the guest\'s' },
  ],
  summary: 'run a program under the mmscope kernel',
  description: `Runs PROGRAM in ring 3 under the mmscope kernel. The guest's stdout and
stderr are ours; when our stdout carries JSON (--json, --trace-file -) the
guest's stdout goes to stderr. An unhandled exception prints a report naming
the instruction that raised it; a bug check (only after an experiment)
prints its report and exits with the code's low byte (MEMORY_MANAGEMENT 0x1A
→ 26). Everything after PROGRAM is passed to the guest.`,
  options: runOptions,
  passThrough: true,
  examples: [
    'npx mmscope run guest/build/examples/hello.elf world',
    'npx mmscope run --trace faults guest/build/examples/first-touch.elf',
    'npx mmscope run --trace all --trace-file t.jsonl guest/build/examples/hello.elf',
    'npx mmscope run --trace-file t.json --trace-format chrome guest/build/examples/heap.elf',
    'npx mmscope run --vad --pte 404000 guest/build/examples/first-touch.elf',
    'npx mmscope run --report report.html guest/build/examples/reserve-commit.elf',
    'npx mmscope run --json --vad guest/build/examples/first-touch.elf',
    'npx mmscope run --stack 256K --trace faults guest/build/examples/recursion.elf 100',
    'npx mmscope run --heap-check --trace syscalls guest/build/examples/heap.elf',
    'npx mmscope run --root guest/build/examples --modules guest/build/examples/hidden-module.elf',
  ],
  epilog: EXIT_STATUS_HELP,
  action: runProgram,
};

async function runProgram(invocation: Invocation<RunOptionValues>): Promise<number> {
  const streams = invocation.output;
  if (invocation.options.gdb) return debugProgram(invocation);
  const settings = readSettings(invocation);
  const bytes = readProgram(settings.program);
  const guestStdout = new GuestStdout(streams, settings.json || settings.traceFile === '-' ? 'stderr' : 'stdout');
  const machine = await createMachine({ ...machineOptions(settings), ...systemDllOptions(bytes), console: (stream, data) => (stream === 'stdout' ? guestStdout.write(data) : streams.write('stderr', data)) });
  stopGuestOnSignals(machine);
  let traceFile: TraceFileOutput | undefined;
  let report: ReportOutput | undefined;
  try {
    traceFile = settings.traceFile ? TraceFileOutput.open(settings.traceFile, settings.traceFormat, machine, settings.program, streams) : undefined;
    report = settings.report ? new ReportOutput(settings.report, machine) : undefined;
    if (traceFile) machine.trace.subscribe((event) => traceFile!.write(event));
    if (settings.trace) subscribeTextTrace(machine, tracedEventTypes(settings.trace), streams);
    machine.load({ name: settings.program, bytes, ...(settings.base !== undefined ? { flatBase: settings.base } : {}) }, settings.guestArgs);
    const outcome = machine.run({ maxInstructions: settings.maxInsns, timeoutMs: settings.timeout });
    reportOutcome(outcome, settings, streams);
    if (machine.fileWritesRefused > 0) streams.err(`mmscope: the guest was refused ${machine.fileWritesRefused} file write(s): without --root the current directory is read-only (--root DIR allows writes)\n`);
    const damage = machine.experimentDamage();
    if (damage) streams.err(`mmscope: invariant check at exit: ${damage}\n`);
    const status = exitStatusOf(outcome);
    traceFile?.close();
    traceFile = undefined;
    report?.finish(settings.program, outcome);
    report = undefined;
    printResults(machine, outcome, status, settings, invocation, guestStdout);
    return status;
  } finally {
    try { traceFile?.close(); } catch { /* an earlier error is the one to report */ }
    report?.close();
    machine.dispose();
  }
}

function readSettings(invocation: Invocation<RunOptionValues>): RunSettings {
  const [program, ...guestArgs] = invocation.operands;
  warnAboutGuestOptions(invocation);
  const settings: RunSettings = {
    ...invocation.options, program: program!, guestArgs, fileRoot: invocation.options.root ?? process.cwd(), ptes: invocation.options.pte ?? [],
  };
  if (settings.json && settings.traceFile === '-') throw new UsageError('--json and --trace-file - both want stdout; give the trace a file name', 'run');
  // A format with nowhere to go would be dropped without a word.
  if (settings.traceFormat !== 'jsonl' && !settings.traceFile) throw new UsageError(`--trace-format ${settings.traceFormat} is the format of --trace-file FILE; give the file`, 'run');
  try {
    Machine.validateOptions(machineOptions(settings));
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, 'run');
    throw error;
  }
  return settings;
}

/** Machine.create, with a page file the host cannot create (--pagefile-path) as a host I/O error (status 125). */
export async function createMachine(options: MachineOptions): Promise<Machine> {
  try {
    return await Machine.create(options);
  } catch (error) {
    if (error instanceof PagingFileError) throw new HostIoError(`cannot create the page file ${error.path}: ${describeErrno(error.cause)}`);
    throw error;
  }
}

export function machineOptions(settings: RunSettings): MachineOptions {
  return {
    ramBytes: settings.ram,
    pagefileBytes: settings.pagefile,
    ...(settings.pagefilePath !== undefined ? { pagefilePath: settings.pagefilePath } : {}),
    ...(settings.balanceInterval !== undefined ? { balanceSetInterval: settings.balanceInterval } : {}),
    stackReserveBytes: settings.stack,
    ...(settings.quantum !== undefined ? { quantum: settings.quantum } : {}),
    ...(settings.seed !== undefined ? { seed: settings.seed } : {}),
    heapCheck: settings.heapCheck ?? false,
    fileRoot: settings.fileRoot,
    // Without --root the guest reads the current directory but may not change it.
    fileRootReadOnly: settings.root === undefined,
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
  const misplaced = guestArgs.slice(0, end < 0 ? undefined : end).map((arg) => arg.split('=')[0]!).filter((arg) => ours.has(arg));
  for (const arg of new Set(misplaced)) invocation.output.err(`mmscope: note: ${arg} after the program is passed to the guest\n`);
}

/**
 * A PE program needs the SDK's system DLLs (built with mingw-w64 on first
 * use and cached); an ELF program does not, so it never waits for them: it
 * gets them only when it first creates a PE child (a failed build then fails
 * that CreateProcess with ERROR_MOD_NOT_FOUND, as a missing ntdll.dll).
 * Without mingw a PE program cannot be run (status 126), as a missing DLL.
 */
export function systemDllOptions(program: Uint8Array): MachineOptions {
  if (!isPe(program)) return { systemDllDirectory: builtSystemDllsOrUndefined };
  try {
    return { systemDllDirectory: buildSystemDlls().directory };
  } catch (error) {
    if (error instanceof BuildError) throw new ProcessCreationError(STATUS_DLL_NOT_FOUND, `the system DLLs (ntdll, kernel32, msvcrt) could not be built: ${error.message.split('\n')[0]}`);
    throw error;
  }
}

function builtSystemDllsOrUndefined(): string | undefined {
  try {
    return buildSystemDlls().directory;
  } catch (error) {
    if (error instanceof BuildError) return undefined;
    throw error;
  }
}

export function readProgram(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ProgramNotFoundError(path);
    throw new ProgramUnreadableError(path, describeErrno(error));
  }
}

/** The guest's stdout: passed on to `stream`, and the first STDOUT_KEPT_BYTES kept for --json. */
class GuestStdout {
  private readonly kept: Uint8Array[] = [];
  private keptBytes = 0;
  totalBytes = 0;

  constructor(private readonly streams: CommandOutput, private readonly stream: StreamName) {}

  write(data: Uint8Array): void {
    this.streams.write(this.stream, data);
    this.totalBytes += data.length;
    if (this.keptBytes >= STDOUT_KEPT_BYTES) return;
    const part = data.subarray(0, STDOUT_KEPT_BYTES - this.keptBytes);
    this.kept.push(Uint8Array.from(part));
    this.keptBytes += part.length;
  }

  text(): string { return Buffer.concat(this.kept).toString('utf8'); }
}

function reportOutcome(outcome: RunOutcome, settings: RunSettings, streams: CommandOutput): void {
  const say = (text: string): void => streams.err(`mmscope: ${text}\n`);
  if (outcome.reason === 'exception') say(formatExceptionReport(outcome.exception));
  if (outcome.reason === 'bugcheck') say(formatBugCheck(outcome.bugCheck));
  if (outcome.reason === 'timeout') say(`stopped: the guest ran for more than ${settings.timeout} ms (--timeout)`);
  if (outcome.reason === 'instruction-limit') say(`stopped: the guest executed ${settings.maxInsns} instructions (--max-insns)`);
  if (outcome.reason === 'signal') say(describeSignalStop(outcome));
  if (outcome.reason === 'waits-forever') say('stopped: the only thread waits forever (an infinite NtDelayExecution) and nothing can wake it; on Windows the process would hang');
}

function exitStatusOf(outcome: RunOutcome): number {
  if (outcome.reason === 'signal') return signalExitStatus(outcome.signal);
  return outcome.exitStatus === undefined ? EXIT_STOPPED : guestExitStatus(outcome.exitStatus);
}

function printResults(machine: Machine, outcome: RunOutcome, status: number, settings: RunSettings, invocation: Invocation<RunOptionValues>, guestStdout: GuestStdout): void {
  const dumps = { vad: settings.vad ?? false, modules: settings.modules ?? false, ptes: settings.ptes };
  if (settings.json) {
    invocation.document.print({
      ...summarizeOutcome(outcome, status), program: settings.program,
      stdout: guestStdout.text(), stdoutBytes: guestStdout.totalBytes, ...summarizeMachine(machine, dumps, dumpedProcesses(machine, settings.pid, invocation.output.err)),
    });
    return;
  }
  // With the trace on stdout, the dumps go to stderr.
  const write = settings.traceFile === '-' ? invocation.output.err : invocation.output.out;
  const processes = dumpedProcesses(machine, settings.pid, invocation.output.err);
  const several = processes.length > 1 || settings.pid !== undefined;
  for (const process of processes) {
    if (several && (dumps.vad || dumps.ptes.length || dumps.modules)) write(formatProcessHeader(process) + '\n');
    if (dumps.vad) write(formatVadTable(machine.vads(process.id)) + '\n');
    if (dumps.modules) write(formatModuleTable(machine.modules(process.id)) + '\n');
    for (const address of dumps.ptes) {
      write((process.addressSpaceDeleted ? `VA ${hex32(address)}: process ${process.id} has ended, its page tables are gone` : formatPteView(machine.pte(address, process.id))) + '\n');
    }
  }
  if (dumps.vad || dumps.ptes.length || dumps.modules) {
    const faults = Object.entries(machine.faultCounts()).map(([how, count]) => `${count} ${how}`).join(', ');
    write(`page faults: ${faults || 'none'}\n`);
    write(formatMemorySummary(machine.memory()) + '\n');
    write(`process commit ${machine.commit().processPages} pages; exit status ${hex32(outcome.exitStatus ?? 0)}\n`);
  }
}

/** The processes whose state is dumped at exit: every one that ran, or --pid's (a pid no process had is said on stderr). */
function dumpedProcesses(machine: Machine, pid: number | undefined, err: (text: string) => void): readonly Process[] {
  if (pid === undefined) return machine.processes();
  const process = machine.processById(pid);
  if (!process) err(`mmscope: --pid ${pid}: no process had that id (ids: ${machine.processes().map((p) => p.id).join(', ')})\n`);
  return process ? [process] : [];
}
