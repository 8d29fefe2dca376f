// The mmscope command line: a thin layer over the Machine API. Parsing and
// help come from commander over the command table (commands.ts); this file
// maps every failure to one message and an exit status (exit-status.ts).
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { BadImageError } from '../kernel/loader/loadable-image.js';
import { ProcessCreationError } from '../kernel/machine.js';
import { BuildError } from '../toolchain/tools.js';
import { createProgram, seeHelp, type CommandOutput } from './command-table.js';
import { COMMANDS } from './commands.js';
import { HostIoError, ProgramNotFoundError, ProgramUnreadableError, UsageError } from './errors.js';
import { EXIT_BUILD_FAILED, EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_NOT_FOUND } from './exit-status.js';

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

const DESCRIPTION = `Runs real 32-bit x86 programs in ring 3 under a TypeScript kernel that
models the Windows NT memory manager, and shows every page fault.`;

const EXAMPLES = [
  'npx mmscope build guest/examples/first-touch.c -o first-touch.elf',
  'npx mmscope run --trace faults first-touch.elf',
];

const consoleOutput: CommandOutput = {
  out: (text) => { writeSync(1, text); },
  err: (text) => { writeSync(2, text); },
};

/** Runs the command line `argv` (without node and the script) and returns the exit status. */
export async function main(argv: readonly string[], output: CommandOutput = consoleOutput): Promise<number> {
  let status = 0;
  const args = helpForUnknownIsAnError(argv);
  const program = createProgram({ version: VERSION, description: DESCRIPTION, examples: EXAMPLES, argv: args }, COMMANDS, output, (s) => { status = s; });
  try {
    await program.parseAsync(args, { from: 'user' });
    return status;
  } catch (error) {
    return reportError(error, output);
  }
}

/**
 * `mmscope help nosuch` would print the main help with status 0 (commander's
 * help command); asking commander to run "nosuch" instead gives its
 * "unknown command" error with a suggestion.
 */
function helpForUnknownIsAnError(argv: readonly string[]): string[] {
  const [first, second] = argv;
  if (first === 'help' && second !== undefined && !COMMANDS.some((c) => c.name === second)) return [second];
  return [...argv];
}

function reportError(error: unknown, output: CommandOutput): number {
  const say = (text: string): void => output.err(`mmscope: ${text}\n`);
  if (error instanceof CommanderError) return commanderStatus(error);
  if (error instanceof UsageError) { say(`${error.message}\n${seeHelp(error.command)}`); return EXIT_FAILED; }
  if (error instanceof ProgramNotFoundError) { say(error.message); return EXIT_NOT_FOUND; }
  if (error instanceof ProgramUnreadableError) { say(error.message); return EXIT_CANNOT_RUN; }
  if (error instanceof BadImageError) { say(`cannot run ${error.message}`); return EXIT_CANNOT_RUN; }
  if (error instanceof ProcessCreationError) { say(error.message); return EXIT_CANNOT_RUN; }
  if (error instanceof HostIoError) { say(error.message); return EXIT_FAILED; }
  if (error instanceof BuildError) { say(error.message); return EXIT_BUILD_FAILED; }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say(`internal error (a bug in mmscope, please report it):\n${detail}`);
  return EXIT_FAILED;
}

/** Commander has already printed its message, or the help or version asked for (exit code 0). */
function commanderStatus(error: CommanderError): number {
  return error.exitCode === 0 ? 0 : EXIT_FAILED;
}
