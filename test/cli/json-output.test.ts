// --json prints exactly one JSON document on stdout, whatever the guest
// prints and however the run ends; it and the JSONL trace match the
// published schemas, which match the TypeScript types they come from.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, guestElf, runCli } from '../helpers/guests.js';
import { expectSchema } from '../helpers/schemas.js';
// @ts-expect-error tools/schema.mjs is plain JavaScript, run by `npm run schema`
import { SCHEMAS, generateSchema } from '../../tools/schema.mjs';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'mmscope-json-')); });

/** Runs with --json and parses the whole of stdout as one document. */
function runJson(args: string[]): { status: number | null; document: Record<string, unknown>; stderr: string } {
  const result = runCli(['run', '--json', ...args]);
  const document = JSON.parse(result.stdout) as Record<string, unknown>;
  expectSchema('run-summary.schema.json', document);
  expect(document.status).toBe(result.status);
  return { status: result.status, document, stderr: result.stderr };
}

describe('the published schemas', () => {
  it('are what `npm run schema` generates from the TypeScript types', () => {
    for (const entry of SCHEMAS as { file: string }[]) {
      expect(readFileSync(join(PROJECT_ROOT, entry.file), 'utf8'), `${entry.file} is out of date: run npm run schema`).toBe(generateSchema(entry));
    }
  });
});

describe('--json', () => {
  it('keeps the guest\'s output out of the document\'s way: on stderr and in "stdout"', () => {
    const hello = guestElf('guest/examples/hello.c');
    const { status, document, stderr } = runJson(['--vad', '--pte', '404000', '--modules', hello, 'world']);
    const printed = `Hello from ring 3, world!\nargv[0] = ${hello}\nargv[1] = world\n`;
    expect(status).toBe(0);
    expect(stderr).toBe(printed);
    expect(document).toMatchObject({ reason: 'exited', status: 0, exitStatus: 0, stdout: printed, stdoutBytes: printed.length, program: hello });
    expect(document.vads).toEqual(expect.any(Array));
    expect(document.ptes).toMatchObject([{ address: 0x404000 }]);
    expect(document.modules).toMatchObject([{ base: 0x400000 }]);
  });

  it('an unhandled exception: the full NTSTATUS, its name, and the instruction that raised it (int3 itself)', () => {
    const { status, document, stderr } = runJson(['--trace', 'faults', guestElf('test/guests/cpu-exceptions.c'), 'int3']);
    expect(status).toBe(3); // the low byte of 0x80000003
    expect(stderr).toMatch(/exception STATUS_BREAKPOINT \(0x80000003\) at eip=0x004[0-9a-f]{5} \[int3\] \(unhandled\)/);
    expect(stderr).toMatch(/unhandled exception STATUS_BREAKPOINT \(0x80000003\)\n  at eip 0x004[0-9a-f]{5}: int3\n/);
    expect(document).toMatchObject({
      reason: 'exception', exitStatus: 0x80000003, exitStatusName: 'STATUS_BREAKPOINT',
      exception: { code: 0x80000003, codeName: 'STATUS_BREAKPOINT', instruction: 'int3', vector: 3 },
    });
  });

  it('stopped by a limit: reason, status 124 and no exit status', () => {
    const { document } = runJson(['--max-insns', '100000', guestElf('test/guests/spin.asm')]);
    expect(document).toMatchObject({ reason: 'instruction-limit', status: 124, exitStatus: null });
  });

  it.each([
    ['a missing program', () => [join(dir, 'nope.elf')], { reason: 'not-found', status: 127 }],
    ['a file that is not a program', () => [join(PROJECT_ROOT, 'package.json')], { reason: 'cannot-run', status: 126 }],
    ['a bad option value', () => ['--ram', 'lots', 'x.elf'], { reason: 'usage-error', status: 125 }],
    ['an unknown option', () => ['--frobnicate', 'x.elf'], { reason: 'usage-error', status: 125 }],
    ['a trace file in a missing folder', () => ['--trace-file', join(dir, 'none', 't.jsonl'), guestElf('guest/examples/hello.asm')], { reason: 'io-error', status: 125 }],
  ])('a failure prints a document too: %s', (_, args, expected) => {
    const { document, stderr } = runJson(args());
    expect(document).toMatchObject({ ...expected, exitStatus: null, error: expect.any(String) });
    expect(stderr).toContain(`mmscope: ${document.error as string}`);
  });
});

describe('the JSONL trace', () => {
  it.each([
    ['test/guests/bss-touch.c', []],
    ['test/guests/sections.c', []],
    ['test/guests/stack-growth.c', []],
    ['test/guests/cpu-exceptions.c', ['caught', '2']],
    ['guest/examples/heap.c', []],
  ])('every event of %s matches the schema', (source, args) => {
    const file = join(dir, 'trace.jsonl');
    runCli(['run', '--trace-file', file, '--root', dir, guestElf(source), ...args]);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) expectSchema('trace-event.schema.json', event);
  });
});
