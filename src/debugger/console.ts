// The cdb-style console: prompt `0:000> `, commands separated by `;`,
// Node's readline for line editing and history, commands given up front
// (cdb -c, -cf) run first, and the session ends when input ends.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { CommandEngine } from './commands.js';

export const PROMPT = '0:000> ';

export interface ConsoleOptions {
  input: Readable & { isTTY?: boolean };
  /** Where readline draws the prompt and the line being edited (a terminal). */
  output: Writable;
  /** Where command output goes. */
  write(text: string): void;
  /** Run before reading input (from -c and -cf), each echoed after the prompt as cdb does. */
  initialCommands: readonly string[];
}

/** Runs the session until `q` or the end of input; resolves when it is over. */
export async function runConsole(engine: CommandEngine, options: ConsoleOptions): Promise<void> {
  const write = (text: string): void => { if (text) options.write(text.endsWith('\n') ? text : `${text}\n`); };
  for (const line of options.initialCommands) {
    write(`${PROMPT}${line}`);
    const result = engine.execute(line, write);
    if (result.quit) return;
  }
  const terminal = options.input.isTTY === true;
  const reader = createInterface({ input: options.input, output: options.output, prompt: PROMPT, terminal, historySize: 1000 });
  await new Promise<void>((resolve) => {
    let done = false;
    reader.on('line', (line) => {
      if (done) return;
      // Without a terminal readline does not echo: show the command so the transcript reads like cdb's.
      if (!terminal) write(line);
      const result = engine.execute(line, write);
      if (result.quit) { done = true; reader.close(); return; }
      reader.prompt();
    });
    reader.on('close', () => resolve());
    reader.prompt();
  });
  if (!terminal) options.write('\n');
}
