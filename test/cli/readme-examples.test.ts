// Every README example that shows its output is run as written from the
// project directory, and each line the README shows must appear, in order,
// in what the command prints (stdout and stderr together, as a terminal
// shows them). Timings (`1234.5us`) may differ; `…` in the README stands for
// text left out, on its own line for lines left out. Examples that leave a
// server running in the background (`… &`, the gdb walk-through) are for two
// terminals and are tested by their own suite (test/debugger).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, guestBuildKey, guestElf, runHostCommand } from '../helpers/guests.js';

interface Example { line: number; command: string; shown: string[] }

/** Code blocks whose first line is `$ command`, with the lines after it. */
function readmeExamples(): Example[] {
  const lines = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8').split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```\w*$/.test(lines[i]!) || !lines[i + 1]?.startsWith('$ ')) continue;
    const end = lines.indexOf('```', i + 1);
    if (lines[i + 1]!.trimEnd().endsWith('&')) { i = end; continue; }
    examples.push({ line: i + 2, command: lines[i + 1]!.slice(2), shown: lines.slice(i + 2, end).filter((l) => l !== '' && l !== '…') });
    i = end;
  }
  return examples;
}

const normalizeTimings = (text: string) => text.replace(/\d+(\.\d+)?us\b/g, 'Tus');

/** A README line as a pattern: `…` is any text, timings any timing. */
function linePattern(shown: string): RegExp {
  const parts = normalizeTimings(shown).split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, ' +'));
  return new RegExp(`^${parts.join('.*?')}$`);
}

/**
 * The guest programs an example runs from guest/build/examples, built the
 * way `npm start` builds them. One that `npm start` built earlier is reused
 * only while its source and the SDK are unchanged (a stamp beside it holds
 * both): after a runtime change the README shows the new program's output.
 */
function buildExampleGuests(command: string): void {
  for (const [, name] of command.matchAll(/guest\/build\/examples\/([\w-]+)\.elf/g)) {
    const source = ['c', 'asm'].map((ext) => `guest/examples/${name}.${ext}`).find((path) => existsSync(join(PROJECT_ROOT, path)))!;
    const output = join(PROJECT_ROOT, 'guest/build/examples', `${name}.elf`);
    const stamp = `${output}.stamp`;
    const wanted = `${guestBuildKey(source)}\n`; // the test cache's key for this source with today's SDK
    if (existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) continue;
    mkdirSync(join(PROJECT_ROOT, 'guest/build/examples'), { recursive: true });
    const built = runHostCommand(process.execPath, ['bin/mmscope.js', 'build', source, '-o', `guest/build/examples/${name}.elf`]);
    expect(built.status, built.stderr).toBe(0);
    writeFileSync(stamp, wanted);
  }
}

describe('README examples', () => {
  const examples = readmeExamples();

  it('the README has examples with output to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(examples.every((e) => e.shown.length > 0)).toBe(true);
  });

  it.each(examples.map((e) => [e.line, e.command, e]))('README line %i: %s', (_line, _command, example) => {
    const { command, shown } = example as Example;
    guestElf('guest/examples/hello.c'); // the runtime library is built once, before examples build theirs
    buildExampleGuests(command);
    const printed = runHostCommand('sh', ['-c', `PATH="${join(PROJECT_ROOT, 'node_modules/.bin')}:$PATH" ${command} 2>&1`]);
    const lines = normalizeTimings(printed.stdout).split('\n');
    let at = 0;
    for (const line of shown) {
      const pattern = linePattern(line);
      const found = lines.findIndex((candidate, index) => index >= at && pattern.test(candidate));
      expect(found, `the README shows a line the command does not print (after line ${at} of its output):\n${line}\n--- printed:\n${printed.stdout}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});
