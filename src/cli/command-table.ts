// The command table: every mmscope subcommand is one CommandDeclaration, and
// commander turns the table into parsing, help, suggestions and errors.
// Adding a subcommand is adding one declaration to COMMANDS (commands.ts).
import { Command, type Option } from 'commander';
import type { JsonDocument } from './json-document.js';

/** Where a command writes its normal output (stdout) and its messages (stderr). */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
  /** Bytes or text to either stream (a guest's console output). */
  write(stream: 'stdout' | 'stderr', data: string | Uint8Array): void;
}

/** What an action receives: its operands as typed, its parsed options, and where to write. */
export interface Invocation<Options> {
  /** The operands in order (for a pass-through command: the program, then the guest's arguments). */
  operands: string[];
  options: Options;
  output: CommandOutput;
  /** The --json document of this invocation (a command with a --json option prints it with `document.print`). */
  document: JsonDocument;
  /** The raw arguments after the command's name, as the user typed them (before commander took `--` away). */
  rawArguments: readonly string[];
}

export interface CommandDeclaration<Options = Record<string, unknown>> {
  name: string;
  /** Operands in commander's syntax: '<program>', '[args...]', '<sources...>'. */
  operands: readonly { syntax: string; description: string }[];
  /** One line, for `mmscope --help`. */
  summary: string;
  /** Paragraphs for `mmscope NAME --help`. */
  description: string;
  /** A fresh list per call: commander attaches each Option to one command. */
  options(): Option[];
  /** Lines shown under "Examples:"; each runs as written from the project directory. */
  examples: readonly string[];
  /** More help after the examples (e.g. exit statuses). */
  epilog?: string;
  /** Options end at the first operand: the rest belongs to the guest program. */
  passThrough?: boolean;
  /** Returns the exit status. Throws UsageError and the other errors main.ts maps to statuses. */
  action(invocation: Invocation<Options>): number | Promise<number>;
}

export function seeHelp(command?: string): string {
  return `(see: mmscope ${command ? `${command} ` : ''}--help)`;
}

export function formatExamples(examples: readonly string[]): string {
  return examples.length ? `\nExamples:\n${examples.map((line) => `  ${line}`).join('\n')}\n` : '';
}

/**
 * Builds the commander program for `declarations`, to parse `argv` (the
 * user's arguments). Commander does not hand back an action's result, so
 * each action's exit status goes to `onStatus`.
 */
export function createProgram(
  top: { version: string; description: string; examples: readonly string[]; argv: readonly string[] },
  declarations: readonly CommandDeclaration<never>[],
  context: { output: CommandOutput; document: JsonDocument; onStatus: (status: number) => void; onError: (message: string) => void },
): Command {
  const { output } = context;
  const program = new Command('mmscope')
    .description(top.description)
    .version(top.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .showHelpAfterError(seeHelp())
    .exitOverride()
    .configureOutput({
      writeOut: output.out,
      writeErr: output.err,
      outputError: (text, write) => {
        context.onError(text.replace(/^error: /, '').trim());
        write(`mmscope: ${text.replace(/^error: /, '')}`);
      },
    })
    .addHelpText('after', formatExamples(top.examples));
  for (const declaration of declarations) declareCommand(program, declaration, top.argv, context);
  return program;
}

function declareCommand(
  program: Command, declaration: CommandDeclaration<never>, argv: readonly string[],
  { output, document, onStatus }: { output: CommandOutput; document: JsonDocument; onStatus: (status: number) => void },
): void {
  const command = program.command(declaration.name)
    .summary(declaration.summary)
    .description(declaration.description)
    .showHelpAfterError(seeHelp(declaration.name))
    .addHelpText('after', formatExamples(declaration.examples) + (declaration.epilog ? `\n${declaration.epilog}` : ''));
  for (const operand of declaration.operands) command.argument(operand.syntax, operand.description);
  for (const option of declaration.options()) command.addOption(option);
  command.on('option:json', () => { document.requested = true; });
  if (declaration.passThrough) command.passThroughOptions();
  command.action(async (...args: unknown[]) => {
    const self = args.at(-1) as Command;
    const rawArguments = argv.slice(argv.indexOf(declaration.name) + 1);
    onStatus(await declaration.action({ operands: self.args, options: self.opts() as never, output, document, rawArguments }));
  });
}
