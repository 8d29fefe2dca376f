// The mmscope command line: a thin layer over the Machine API.
import { writeSync } from 'node:fs';
import { BadImageError } from '../kernel/loader/loadable-image.js';
import { ProcessCreationError } from '../kernel/machine.js';
import { BuildError } from '../toolchain/tools.js';
import { UsageError } from './arguments.js';
import { BUILD_HELP, buildCommand } from './build-command.js';
import { RUN_HELP, runCommand } from './run-command.js';
import { EXIT_BUILD_FAILED, EXIT_INTERNAL_ERROR, EXIT_PROCESS_CREATION_FAILED, EXIT_USAGE } from './exit-status.js';

export const MAIN_HELP = `Usage: mmscope COMMAND [options]

Runs real 32-bit x86 programs in ring 3 under a TypeScript kernel that
models the Windows NT memory manager, and shows every page fault.

Commands:
  run PROGRAM [ARGS...]     run a program (mmscope run --help)
  build SOURCE... -o OUT    build a guest program with the SDK (mmscope build --help)
  help [COMMAND]            show help

Examples:
  npx mmscope build guest/examples/first-touch.c -o first-touch.elf
  npx mmscope run --trace faults first-touch.elf
`;

const HELP: Record<string, string> = { run: RUN_HELP, build: BUILD_HELP };

const writeOut = (text: string): void => { writeSync(1, text); };
const writeError = (text: string): void => { writeSync(2, text); };

export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    return reportError(error);
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'run': return runCommand(args, writeOut);
    case 'build': return buildCommand(args, writeOut);
    case 'help': case '--help': case '-h':
      writeOut(HELP[args[0] ?? ''] ?? MAIN_HELP);
      return 0;
    case undefined:
      writeError(MAIN_HELP);
      return EXIT_USAGE;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    writeError(`mmscope: ${error.message}\n(see: mmscope ${error.command ? `${error.command} ` : ''}--help)\n`);
    return EXIT_USAGE;
  }
  if (error instanceof BadImageError) { writeError(`mmscope: cannot run ${error.message}\n`); return EXIT_USAGE; }
  if (error instanceof ProcessCreationError) { writeError(`mmscope: ${error.message}\n`); return EXIT_PROCESS_CREATION_FAILED; }
  if (error instanceof BuildError) { writeError(`mmscope: ${error.message}\n`); return EXIT_BUILD_FAILED; }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeError(`mmscope: internal error (a bug in mmscope, please report it):\n${detail}\n`);
  return EXIT_INTERNAL_ERROR;
}
