// Runaways: the --timeout deadline holds in exception storms, and a signal
// stops a guest with its mapped file's pages written back.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, guestElf, runGuest } from '../helpers/guests.js';

describe('--timeout in an exception storm', () => {
  it.each(['av-storm', 'int3-storm'])('%s stops at the deadline, not minutes later', async (what) => {
    const started = Date.now();
    const run = await runGuest(guestElf('test/guests/runaway.c'), { args: [what], run: { timeoutMs: 1000, maxInstructions: undefined } });
    expect(run.outcome).toEqual({ reason: 'timeout', exitStatus: undefined });
    // The run itself is 1 s; the rest is machine creation and load on a busy host.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.events.filter((e) => e.type === 'exception').length).toBeGreaterThan(10);
  });
});

/** Runs `mmscope run` as a user would and sends `signal` once the guest said "ready". */
function runAndSignal(args: string[], signal: NodeJS.Signals, cwd: string): Promise<{ status: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'mmscope.js'), ...args], { cwd });
    let stdout = '', stderr = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit; stdout ${stdout} stderr ${stderr}`)); }, 60_000);
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      if (stdout.includes('ready\n')) child.kill(signal);
    });
    child.stderr.on('data', (data: Buffer) => { stderr += data.toString(); });
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stderr, stdout }); });
  });
}

describe('signals', () => {
  it.each([
    ['SIGTERM', 15],
    ['SIGINT', 2],
    ['SIGHUP', 1],
  ] as const)('%s stops the guest, writes the mapped file back, says so and exits with 128 + %i', async (signal, number) => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-signal-'));
    const result = await runAndSignal(['run', '--root', '.', guestElf('test/guests/runaway.c'), 'map-spin', 'data.bin'], signal, root);
    expect(result.status).toBe(128 + number);
    expect(result.stderr.trim().split('\n')).toEqual([`mmscope: stopped: ${signal} ended the run (mapped files were written back)`]);
    const file = readFileSync(join(root, 'data.bin'));
    expect(file.length).toBe(16 * 4096);
    for (let page = 0; page < 16; page++) {
      expect(file.subarray(page * 4096, (page + 1) * 4096).every((byte) => byte === 0x41 + page)).toBe(true);
    }
  });
});
