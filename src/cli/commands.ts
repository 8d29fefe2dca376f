// Every mmscope subcommand, in the order `mmscope --help` lists them. A new
// subcommand is one CommandDeclaration (command-table.ts) added here.
import type { CommandDeclaration } from './command-table.js';
import { BUILD_COMMAND } from './build-command.js';
import { RUN_COMMAND } from './run-command.js';
import { DEBUG_COMMAND } from './debug-command.js';

export const COMMANDS: readonly CommandDeclaration<never>[] = [
  RUN_COMMAND as CommandDeclaration<never>,
  BUILD_COMMAND as CommandDeclaration<never>,
  DEBUG_COMMAND as CommandDeclaration<never>,
];
