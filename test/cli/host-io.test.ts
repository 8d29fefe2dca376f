// Host I/O failures are the user's, not mmscope's bugs: a trace file that
// cannot be written, a reader that closed the pipe. Each is one line on
// stderr (when stderr still works) and status 125, never an internal error.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, guestElf, runCli } from '../helpers/guests.js';
import { expectSchema } from '../helpers/schemas.js';

let dir: string;
let hello: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmscope-io-'));
  hello = guestElf('guest/examples/hello.c');
});

/** Runs `mmscope ARGS` in bash with `redirect` between it and a reader that exits at once (`| true`). */
function runIntoClosedPipe(args: string[], redirect = ''): { status: number; stderr: string } {
  const command = `node ${join(PROJECT_ROOT, 'bin', 'mmscope.js')} ${args.map((a) => `'${a}'`).join(' ')} ${redirect} | (exec 0<&-; sleep 0); echo "status=\${PIPESTATUS[0]}" >&2`;
  const result = spawnSync('bash', ['-c', command], { encoding: 'utf8', timeout: 120_000 });
  const status = Number(/status=(\d+)\n$/.exec(result.stderr)?.[1]);
  return { status, stderr: result.stderr.replace(/status=\d+\n$/, '') };
}

function expectOneLine(result: { status: number | null; stderr: string }, line: RegExp): void {
  expect(result.status).toBe(125);
  expect(result.stderr).toMatch(line);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('trace files', () => {
  it('a folder that does not exist', () => {
    const result = runCli(['run', '--trace-file', join(dir, 'missing', 't.jsonl'), hello]);
    expectOneLine(result, /^mmscope: cannot write the trace to .*missing\/t\.jsonl: no such file or directory\n$/);
    expect(result.stdout).toBe('');
  });

  it('a directory', () => {
    expectOneLine(runCli(['run', '--trace-file', dir, hello]), /^mmscope: cannot write the trace to .*: it is a directory\n$/);
  });

  it('"-" is stdout, as for Unix tools: JSON lines there, the guest\'s stdout on stderr', () => {
    const result = runCli(['run', '--trace-file', '-', hello, 'pipe']);
    expect(result.status).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    for (const event of events) expectSchema('trace-event.schema.json', event);
    expect(events.at(-1)).toMatchObject({ type: 'process-exit', status: 0 });
    expect(result.stderr).toContain('Hello from ring 3, pipe!\n');
  });

  it('--trace-format chrome without --trace-file: a usage error, not a format dropped without a word', () => {
    const result = runCli(['run', '--trace-format', 'chrome', hello]);
    expect(result.status).toBe(125);
    expect(result.stderr).toMatch(/^mmscope: --trace-format chrome is the format of --trace-file FILE; give the file\n/);
  });

  it('"-" and --json would both write to stdout: a usage error', () => {
    const result = runCli(['run', '--json', '--trace-file', '-', hello]);
    expect(result.status).toBe(125);
    expect(result.stderr).toMatch(/--json and --trace-file - both want stdout/);
  });
});

describe('a reader that closed the pipe', () => {
  it('stdout: one line on stderr, status 125', () => {
    expectOneLine(runIntoClosedPipe(['run', '--vad', hello]), /^mmscope: cannot write to stdout: the reader closed the pipe; output was lost\n$/);
  });

  it('stdout carrying the trace (--trace-file -)', () => {
    expectOneLine(runIntoClosedPipe(['run', '--trace-file', '-', hello]), /mmscope: cannot write to stdout: the reader closed the pipe/);
  });

  it('stderr: nothing can be said, status 125', () => {
    const result = runIntoClosedPipe(['run', '--trace', 'all', hello], '2>&1 >/dev/null');
    expect(result).toEqual({ status: 125, stderr: '' });
  });

  it('help into a closed pipe', () => {
    expectOneLine(runIntoClosedPipe(['run', '--help']), /mmscope: cannot write to stdout: the reader closed the pipe/);
  });
});

describe('--gdb where the stub cannot listen', () => {
  it('a port another program holds: one line, status 125', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = runCli(['run', '--gdb', `127.0.0.1:${port}`, hello]);
      expectOneLine(result, new RegExp(`^mmscope: cannot listen for gdb on 127\\.0\\.0\\.1:${port}: the address is already in use\n$`));
    } finally {
      holder.close();
    }
  });

  it('an address that is not this machine\'s: one line, status 125', () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address, and nothing is sent there.
    expectOneLine(runCli(['run', '--gdb', '192.0.2.1:34999', hello]), /^mmscope: cannot listen for gdb on 192\.0\.2\.1:34999: the address is not one of this machine's\n$/);
  });
});

describe('build: host files, not compiler failures', () => {
  it.each([
    [['build', 'guest/examples/hello.c', '-o', '/nonexistent/x.elf'], /^mmscope: cannot write \/nonexistent\/x\.elf: no such file or directory\n$/],
    [['build', 'guest/examples/hello.c', '-o', 'guest'], /^mmscope: cannot write guest: it is a directory\n$/],
    [['build', 'nosuch.c', '-o', 'x.elf'], /^mmscope: cannot read nosuch\.c: no such file or directory\n$/],
  ])('%j: one line, status 125', (args, line) => {
    expectOneLine(runCli(args), line);
  });
});
