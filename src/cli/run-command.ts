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
import { UsageError, formatOptions, parseAddress, parseArguments, parseCount, parseSize, type OptionSpec } from './arguments.js';
import { EXIT_INSTRUCTION_LIMIT, EXIT_TIMEOUT } from './exit-status.js';

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: 'trace', value: 'WHAT', help: 'print trace events to stderr: faults, syscalls or all' },
  { name: 'trace-file', value: 'FILE', help: 'write every trace event to FILE as JSON lines' },
  { name: 'max-insns', value: 'N', help: `stop the guest after N instructions (exit status ${EXIT_INSTRUCTION_LIMIT})` },
  { name: 'timeout', value: 'MS', help: `stop the guest after MS milliseconds (exit status ${EXIT_TIMEOUT})` },
  { name: 'ram', value: 'SIZE', help: 'physical memory, e.g. 64M or 1G (default 256M)' },
  { name: 'pagefile', value: 'SIZE', help: 'page-file size added to the commit limit (default 0)' },
  { name: 'stack', value: 'SIZE', help: 'reserve SIZE for the stack (default: the ELF\'s PT_GNU_STACK size, else 1M)' },
  { name: 'heap-check', help: 'turn on the heap checks (NtGlobalFlag hfc+hpc): heap misuse stops the process with a report' },
  { name: 'root', value: 'DIR', help: 'the directory the guest sees as C:\\ for its files (default: the current directory)' },
  { name: 'allow-experiments', help: 'let the guest damage kernel state on purpose (MmsExperimentRemoveVad, MmsExperimentMapFrame)' },
  { name: 'base', value: 'ADDR', help: 'load PROGRAM as a flat binary (nasm -f bin) at ADDR and enter it there' },
  { name: 'vad', help: 'print the VAD tree at exit, like WinDbg\'s !vad' },
  { name: 'pte', value: 'ADDR', repeatable: true, help: 'print the PDE and PTE of ADDR at exit, like !pte (repeatable)' },
  { name: 'modules', help: 'list the modules at exit, found by walking the VAD tree for image views' },
  { name: 'json', help: 'print the exit summary and the --vad/--pte dumps as one JSON object on stdout' },
  { name: 'help', short: 'h', help: 'show this help' },
];

export const RUN_HELP = `Usage: mmscope run [options] PROGRAM [ARGS...]

Runs PROGRAM (a static i386 ELF, or a flat binary with --base) in ring 3
under the mmscope kernel. The guest's stdout and stderr are ours; our exit
status is the guest's exit code (its low byte). An unhandled exception prints
a report to stderr and exits with the exception code's low byte
(0xC0000005 → 5); a bug check (only after an experiment) prints its report
and exits with the code's low byte (MEMORY_MANAGEMENT 0x1A → 26).
Everything after PROGRAM is passed to the guest.

Options:
${formatOptions(RUN_OPTIONS)}

Exit statuses of mmscope itself: 2 bad option or bad program file,
3 the process could not be created (e.g. STATUS_COMMITMENT_LIMIT),
${EXIT_TIMEOUT} --timeout reached, ${EXIT_INSTRUCTION_LIMIT} --max-insns reached, 70 internal error.

Examples:
  npx mmscope run hello.elf world
  npx mmscope run --trace faults first-touch.elf
  npx mmscope run --trace all --trace-file trace.jsonl hello.elf
  npx mmscope run --max-insns 1000000 --timeout 2000 spin.elf
  npx mmscope run --base 0x400000 flat.bin
  npx mmscope run --vad --pte 0x404000 first-touch.elf
  npx mmscope run --stack 256K --trace faults recursion.elf 100
  npx mmscope run --heap-check heap-misuse.elf double-free
  npx mmscope run --root . --modules hidden-module.elf
`;

const TRACE_SELECTIONS: Record<string, readonly TraceEventType[]> = {
  faults: ['page-fault', 'exception'],
  syscalls: ['syscall', 'process-exit'],
  all: ['page-fault', 'syscall', 'exception', 'process-exit'],
};

interface RunSettings {
  program: string;
  guestArgs: string[];
  traceTypes?: readonly TraceEventType[];
  traceFile?: string;
  maxInstructions?: number;
  timeoutMs?: number;
  ramBytes?: number;
  pagefileBytes?: number;
  stackReserveBytes?: number;
  heapCheck: boolean;
  fileRoot: string;
  allowExperiments: boolean;
  flatBase?: number;
  vad: boolean;
  modules: boolean;
  ptes: number[];
  json: boolean;
}

function readSettings(args: readonly string[]): RunSettings | 'help' {
  const parsed = parseArguments('run', args, RUN_OPTIONS, true);
  const option = (name: string): string | undefined => parsed.options.get(name)?.[0];
  if (parsed.options.has('help')) return 'help';
  const program = parsed.positionals[0];
  if (!program) throw new UsageError('run needs a PROGRAM', 'run');
  const trace = option('trace');
  if (trace !== undefined && !TRACE_SELECTIONS[trace]) throw new UsageError(`--trace: "${trace}" is not one of faults, syscalls, all`, 'run');
  const maybe = <T>(name: string, parse: (option: string, text: string) => T): T | undefined => {
    const text = option(name);
    return text === undefined ? undefined : parse(name, text);
  };
  return {
    program,
    guestArgs: parsed.rest,
    ...(trace ? { traceTypes: TRACE_SELECTIONS[trace] } : {}),
    traceFile: option('trace-file'),
    maxInstructions: maybe('max-insns', parseCount),
    timeoutMs: maybe('timeout', parseCount),
    ramBytes: maybe('ram', parseSize),
    pagefileBytes: maybe('pagefile', parseSize),
    stackReserveBytes: maybe('stack', parseSize),
    heapCheck: parsed.options.has('heap-check'),
    fileRoot: option('root') ?? process.cwd(),
    allowExperiments: parsed.options.has('allow-experiments'),
    flatBase: maybe('base', parseAddress),
    vad: parsed.options.has('vad'),
    modules: parsed.options.has('modules'),
    ptes: (parsed.options.get('pte') ?? []).map((text) => parseAddress('pte', text)),
    json: parsed.options.has('json'),
  };
}

function readProgram(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UsageError(`cannot read ${path}: ${reason}`);
  }
}

export async function runCommand(args: readonly string[], write: (text: string) => void): Promise<number> {
  const settings = readSettings(args);
  if (settings === 'help') { write(RUN_HELP); return 0; }
  try {
    Machine.validateOptions(settings);
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, 'run');
    throw error;
  }
  const bytes = readProgram(settings.program);
  const machine = await createMachine(settings);
  const jsonl = settings.traceFile ? new JsonlTraceWriter(settings.traceFile) : undefined;
  try {
    if (jsonl) machine.trace.subscribe((event) => jsonl.write(event));
    if (settings.traceTypes) subscribeText(machine, settings.traceTypes);
    machine.load({ name: settings.program, bytes, ...(settings.flatBase !== undefined ? { flatBase: settings.flatBase } : {}) }, settings.guestArgs);
    const outcome = machine.run({ maxInstructions: settings.maxInstructions, timeoutMs: settings.timeoutMs });
    reportOutcome(outcome, settings);
    const damage = machine.experimentDamage();
    if (damage) writeSync(2, `mmscope: invariant check at exit: ${damage}\n`);
    printDumps(machine, outcome, settings, write);
    return exitStatusOf(outcome);
  } finally {
    jsonl?.close();
    machine.dispose();
  }
}

function createMachine(settings: RunSettings): Promise<Machine> {
  return Machine.create({
    ramBytes: settings.ramBytes,
    pagefileBytes: settings.pagefileBytes,
    stackReserveBytes: settings.stackReserveBytes,
    heapCheck: settings.heapCheck,
    fileRoot: settings.fileRoot,
    allowExperiments: settings.allowExperiments,
    console: writeToTerminal,
  });
}

/** The guest's console output; a reader that went away (a closed pipe) just stops receiving it. */
function writeToTerminal(stream: 'stdout' | 'stderr', data: Uint8Array): void {
  try {
    writeSync(stream === 'stdout' ? 1 : 2, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

function subscribeText(machine: Machine, types: readonly TraceEventType[]): void {
  machine.trace.subscribe((event: TraceEvent) => {
    if (types.includes(event.type)) writeSync(2, formatTraceEvent(event) + '\n');
  });
}

function reportOutcome(outcome: RunOutcome, settings: RunSettings): void {
  const say = (text: string): void => { writeSync(2, `mmscope: ${text}\n`); };
  if (outcome.reason === 'exception') say(formatExceptionReport(outcome.exception));
  if (outcome.reason === 'bugcheck') say(formatBugCheck(outcome.bugCheck));
  if (outcome.reason === 'timeout') say(`stopped: the guest ran for more than ${settings.timeoutMs} ms (--timeout)`);
  if (outcome.reason === 'instruction-limit') say(`stopped: the guest executed ${settings.maxInstructions} instructions (--max-insns)`);
}

function exitStatusOf(outcome: RunOutcome): number {
  switch (outcome.reason) {
    case 'timeout': return EXIT_TIMEOUT;
    case 'instruction-limit': return EXIT_INSTRUCTION_LIMIT;
    default: return outcome.exitStatus & 0xff;
  }
}

function printDumps(machine: Machine, outcome: RunOutcome, settings: RunSettings, write: (text: string) => void): void {
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
      ...(settings.ptes.length ? { ptes: settings.ptes.map((a) => machine.pte(a)) } : {}),
    };
    write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  if (settings.vad) write(formatVadTable(machine.vads()) + '\n');
  if (settings.modules) write(formatModuleTable(machine.modules()) + '\n');
  for (const address of settings.ptes) write(formatPteView(machine.pte(address)) + '\n');
  if (settings.vad || settings.ptes.length || settings.modules) {
    const faults = Object.entries(machine.faultCounts()).map(([how, count]) => `${count} ${how}`).join(', ');
    write(`page faults: ${faults || 'none'}\n`);
    write(`process commit ${machine.commit().processPages} pages; exit status ${hex32(outcome.exitStatus ?? 0)}\n`);
  }
}
