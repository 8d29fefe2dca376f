// The mmscope command line: a thin layer over the Machine API. Parsing and
// help come from commander over the command table (commands.ts); this file
// maps every failure to one message and an exit status (exit-status.ts).
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { BadImageError } from '../kernel/loader/loadable-image.js';
import { ProcessCreationError } from '../kernel/machine.js';
import { PagingIoError } from '../mm/page-file.js';
import { BuildError } from '../toolchain/tools.js';
import { createProgram, seeHelp } from './command-table.js';
import { COMMANDS } from './commands.js';
import { normalizeDebugArguments } from './debug-command.js';
import { HostIoError, ProgramNotFoundError, ProgramUnreadableError, UsageError } from './errors.js';
import { EXIT_BUILD_FAILED, EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_NOT_FOUND } from './exit-status.js';
import { HostStreams } from './host-streams.js';
import { JsonDocument } from './json-document.js';
import type { RunEndReason, RunSummary } from './run-summary.js';

const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

const DESCRIPTION = `Runs real 32-bit x86 programs in ring 3 under a TypeScript kernel that
models the Windows NT memory manager, and shows every page fault.`;

const EXAMPLES = [
  'npx mmscope build guest/examples/first-touch.c -o first-touch.elf',
  'npx mmscope run --trace faults first-touch.elf',
];

/** A failure: the one line said, the status, and the reason --json gives. */
interface Failure { message: string; status: number; reason: RunEndReason }

/** Runs the command line `argv` (without node and the script) and returns the exit status. */
export async function main(argv: readonly string[], streams = new HostStreams()): Promise<number> {
  let status = 0;
  let commanderMessage = '';
  const document = new JsonDocument(streams.out);
  const args = helpForUnknownIsAnError(normalizeDebugArguments(argv));
  const program = createProgram({ version: VERSION, description: DESCRIPTION, examples: EXAMPLES, argv: args }, COMMANDS, {
    output: streams, document, onStatus: (s) => { status = s; }, onError: (message) => { commanderMessage = message; },
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    const failure = error instanceof CommanderError
      ? { message: commanderMessage, status: error.exitCode === 0 ? 0 : EXIT_FAILED, reason: 'usage-error' as const }
      : describeFailure(error);
    if (!(error instanceof CommanderError)) streams.err(`mmscope: ${failure.message}\n`);
    if (failure.status !== 0 && document.requested) document.print(failureSummary(failure));
    status = failure.status;
  }
  return streams.reportFailure() ? EXIT_FAILED : status;
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

function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { message: `${error.message}\n${seeHelp(error.command)}`, status: EXIT_FAILED, reason: 'usage-error' };
  if (error instanceof ProgramNotFoundError) return { message: error.message, status: EXIT_NOT_FOUND, reason: 'not-found' };
  if (error instanceof ProgramUnreadableError) return { message: error.message, status: EXIT_CANNOT_RUN, reason: 'cannot-run' };
  if (error instanceof BadImageError) return { message: `cannot run ${error.message}`, status: EXIT_CANNOT_RUN, reason: 'cannot-run' };
  if (error instanceof ProcessCreationError) return { message: error.message, status: EXIT_CANNOT_RUN, reason: 'cannot-run' };
  if (error instanceof HostIoError) return { message: error.message, status: EXIT_FAILED, reason: 'io-error' };
  // The page file refused a write (a full disk, a device error): the host's failure, not the guest's.
  if (error instanceof PagingIoError) return { message: error.message, status: EXIT_FAILED, reason: 'io-error' };
  if (error instanceof BuildError) return { message: error.message, status: EXIT_BUILD_FAILED, reason: 'internal-error' };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { message: `internal error (a bug in mmscope, please report it):\n${detail}`, status: EXIT_FAILED, reason: 'internal-error' };
}

function failureSummary(failure: Failure): RunSummary {
  return { reason: failure.reason, status: failure.status, exitStatus: null, error: failure.message.split('\n')[0]! };
}
