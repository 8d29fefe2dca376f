// `mmscope debug`: the console debugger over a run (the run options, plus
// cdb's -c and -cf). The command engine and the console live in
// src/debugger; this is the glue to the command line.
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import { Machine } from '../kernel/machine.js';
import type { CommandDeclaration, Invocation } from './command-table.js';
import { HostIoError, UsageError, describeErrno } from './errors.js';
import { EXIT_STATUS_HELP, guestExitStatus } from './exit-status.js';
import { runOptions, tracedEventTypes, type RunOptionValues } from './run-options.js';
import { createMachine, machineOptions, readProgram, systemDllOptions, type RunSettings } from './run-command.js';
import { TraceFileOutput, subscribeTextTrace } from './trace-outputs.js';
import { collect } from './parsers.js';

interface DebugOptionValues extends RunOptionValues {
  commands?: string;
  commandFile?: string;
  /** cdb's -xe/-xd/-xn/-xi: event filter states set before the process starts. */
  xe?: string[];
  xd?: string[];
  xn?: string[];
  xi?: string[];
}

/** cdb's start-up filter options and the sx command each stands for. */
const START_FILTER_OPTIONS = { xe: 'sxe', xd: 'sxd', xn: 'sxn', xi: 'sxi' } as const;

export const DEBUG_COMMAND: CommandDeclaration<DebugOptionValues> = {
  name: 'debug',
  operands: [
    { syntax: '<program>', description: 'the program to debug (as for run)' },
    { syntax: '[args...]', description: 'arguments for the guest (argv[1..])' },
  ],
  summary: 'debug a program with WinDbg\'s commands (g, p, t, bp, r, db, !vad, !pte, …)',
  description: `Starts PROGRAM as run does and stops before its first instruction with
the prompt 0:000>. Commands are WinDbg's, separated by ';' (.help lists them);
-c runs commands first (as cdb -c), -cf runs a file of them. When input ends
the session ends: the process is ended as at exit and its files written back.
-xe, -xd, -xn, -xi set event filters before the process starts (as cdb's):
-xe cpr stops at process creation, before the program's first instruction.
Looking (db, !pte, !vad, !address, …) never changes the memory manager's state:
bytes on pages that are not present print as ??.`,
  options: () => [
    ...runOptions(),
    new Option('-c, --commands <commands>', 'run these commands first (separated by ;), as cdb -c'),
    new Option('--cf, --command-file <file>', 'run the commands in FILE first, one line at a time (cdb -cf)'),
    ...Object.entries(START_FILTER_OPTIONS).map(([flag, command]) =>
      new Option(`--${flag} <event>`, `${command} EVENT before the process starts, as cdb -${flag} (repeatable): -xe cpr stops at process creation`).argParser(collect(String))),
  ],
  passThrough: true,
  examples: [
    'npx mmscope debug --gdb 1234 guest/build/examples/first-touch.elf   # then: gdb -ex "target remote :1234" first-touch.elf',
    'npx mmscope debug -c "bp reserve-commit!main; g; !vad; q" guest/build/examples/reserve-commit.elf',
    'npx mmscope debug guest/build/examples/first-touch.elf',
  ],
  epilog: EXIT_STATUS_HELP,
  action: debugProgram,
};

/** cdb spells its options `-cf`, `-xe`…; commander would read `-cf` as -c with the value "f". */
export function normalizeDebugArguments(argv: readonly string[]): string[] {
  if (argv[0] !== 'debug') return [...argv];
  return argv.map((arg, i) => (i > 0 && /^-(cf|x[edni])$/.test(arg) ? `-${arg}` : arg));
}

/** `mmscope debug`, and `mmscope run --gdb` (which serves gdb instead of the console). */
export async function debugProgram(invocation: Invocation<DebugOptionValues>): Promise<number> {
  const streams = invocation.output;
  const [program, ...guestArgs] = invocation.operands;
  const settings: RunSettings = { ...invocation.options, program: program!, guestArgs, fileRoot: invocation.options.root ?? process.cwd(), ptes: [] };
  try {
    Machine.validateOptions(machineOptions(settings));
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, 'debug');
    throw error;
  }
  const initial = [
    ...(invocation.options.commands ? [invocation.options.commands] : []),
    ...(invocation.options.commandFile ? readCommandFile(invocation.options.commandFile) : []),
  ];
  const bytes = readProgram(settings.program);
  // The debugger's modules load only for `mmscope debug`: every `mmscope run` would pay ~15-30 ms of CPU for them.
  const [{ DebugSession }, { CommandEngine }, { runConsole }, { serveGdb }] = await Promise.all([
    import('../debugger/session.js'), import('../debugger/commands.js'), import('../debugger/console.js'), import('../debugger/gdb-stub.js'),
  ]);
  const machine = await createMachine({ ...machineOptions(settings), ...systemDllOptions(bytes), console: (stream, data) => streams.write(stream, data) });
  let traceFile: TraceFileOutput | undefined;
  try {
    traceFile = settings.traceFile ? TraceFileOutput.open(settings.traceFile, settings.traceFormat, machine, settings.program, streams) : undefined;
    if (traceFile) machine.trace.subscribe((event) => traceFile!.write(event));
    if (settings.trace) subscribeTextTrace(machine, tracedEventTypes(settings.trace), streams);
    machine.load({ name: settings.program, bytes, ...(settings.base !== undefined ? { flatBase: settings.base } : {}) }, settings.guestArgs);
    const session = new DebugSession(machine, settings.program, bytes);
    const engine = new CommandEngine(session);
    for (const [flag, command] of Object.entries(START_FILTER_OPTIONS)) {
      for (const event of invocation.options[flag as keyof typeof START_FILTER_OPTIONS] ?? []) {
        const complaint = engine.execute(`${command} ${event}`).output;
        if (complaint) throw new UsageError(`-${flag} ${event}: ${complaint}`, 'debug');
      }
    }
    const say = (text: string): void => streams.out(text.endsWith('\n') ? text : `${text}\n`);
    const start = engine.describeStop(session.start());
    if (settings.gdb) {
      const where = `${settings.gdb.host}:${settings.gdb.port}`;
      await serveGdb(session, engine, {
        ...settings.gdb,
        onListening: ({ host, port }) => streams.err(`mmscope: waiting for gdb on ${host}:${port} (target remote ${host}:${port})\n`),
      }).catch((error: unknown) => {
        // A port in use, an address not on this machine, a host name that does not resolve: the user's, not a bug.
        if ((error as NodeJS.ErrnoException).code) throw new HostIoError(`cannot listen for gdb on ${where}: ${describeErrno(error)}`);
        throw error;
      });
    } else {
      say(start);
      await runConsole(engine, { input: process.stdin, output: process.stdout, write: streams.out, initialCommands: initial });
    }
    // Stopped at its own exit (sxe epr): it ended by itself, with the status it asked for.
    const exiting = machine.terminatingWith();
    const endedByItself = machine.outcome() ?? (exiting !== undefined ? machine.terminate(exiting) : undefined);
    const outcome = endedByItself ?? machine.terminate(0);
    const damage = machine.experimentDamage();
    if (damage) streams.err(`mmscope: invariant check at exit: ${damage}\n`);
    traceFile?.close();
    traceFile = undefined;
    return endedByItself && outcome.exitStatus !== undefined ? guestExitStatus(outcome.exitStatus) : 0;
  } finally {
    try { traceFile?.close(); } catch { /* an earlier error is the one to report */ }
    machine.dispose();
  }
}

function readCommandFile(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line.trim() && !line.trim().startsWith('*'));
  } catch (error) {
    throw new HostIoError(`cannot read the command file ${path}: ${describeErrno(error)}`);
  }
}
