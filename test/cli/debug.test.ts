// `mmscope debug` as a user runs it: -c, -cf, commands on stdin, the end of
// input ending the session.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, guestElf, runCli } from '../helpers/guests.js';

const elf = (): string => guestElf('test/guests/debuggee.c');
const moduleName = (): string => elf().replace(/^.*\//, '').replace(/\.elf$/, '');

function debugWithInput(args: readonly string[], input: string) {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'mmscope.js'), 'debug', ...args], { cwd: PROJECT_ROOT, input, encoding: 'utf8', timeout: 10 * 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mmscope debug', () => {
  it('-c runs its commands after the initial break, echoed after the prompt; q ends the process', () => {
    const run = runCli(['debug', '-c', `bp ${moduleName()}!add_one; g; r eax; q`, elf()]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Initial break at the program\'s entry point');
    expect(run.stdout).toContain(`0:000> bp ${moduleName()}!add_one; g; r eax; q`);
    expect(run.stdout).toContain('Breakpoint 0 hit');
    expect(run.stdout).toMatch(/eax=[0-9a-f]{8}\nquit:/);
    expect(run.stdout).not.toContain('total 3'); // q ended it before the printf
  });

  it('-xe cpr (cdb\'s) stops at process creation, before anything of the program ran: no process heap yet', () => {
    const run = runCli(['debug', '-xe', 'cpr', '-c', '!heap -s; q', elf()]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ModLoad: 00400000 [0-9a-f]{8}   .*debuggee.*\nCreate process .*: nothing of it has run yet - event 'cpr'\neax=/);
    expect(run.stdout).not.toContain('Initial break');
    expect(run.stdout).toMatch(/!_start:\n/); // the program's first instruction
    expect(run.stdout).toContain('no process heap'); // crt0 creates it: not yet
    const notify = runCli(['debug', '-xn', 'cpr', '-c', 'q', elf()]);
    expect(notify.stdout).toMatch(/Create process .*\nInitial break at the program's entry point/);
    const unknown = runCli(['debug', '-xe', 'nosuch', '-c', 'q', elf()]);
    expect(unknown.stderr).toContain("-xe nosuch: unknown event filter 'nosuch'");
    expect(unknown.status).not.toBe(0);
  });

  it('reads commands from stdin; the guest runs to its end and its exit status is ours', () => {
    const run = debugWithInput([elf()], 'g\n');
    expect(run.stdout).toContain('0:000> g\n');
    expect(run.stdout).toContain('total 3 counter 3');
    expect(run.stdout).toContain('ExitProcess: the process exited with status 00000003');
    expect(run.status).toBe(3);
  });

  it('sxe epr stops at the exit; when input ends there, the exit status is still the guest\'s', () => {
    const run = debugWithInput([elf()], 'sxe epr\ng\n');
    expect(run.stdout).toContain('ExitProcess: status 00000003');
    expect(run.stdout).toMatch(/!NtTerminateProcess\+0x[0-9a-f]+:/);
    expect(run.status).toBe(3);
  });

  it('-cf runs a script (lines starting with * are comments); the end of input ends the session cleanly', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mmscope-debug-'));
    const script = join(directory, 'script.txt');
    writeFileSync(script, `* stop in add_one twice\nbp ${moduleName()}!add_one\ng\ng\n? poi(${moduleName()}!counter)\n`);
    const run = debugWithInput(['-cf', script, elf()], '');
    expect(run.stderr).toBe('');
    expect(run.stdout.match(/Breakpoint 0 hit/g)).toHaveLength(2);
    expect(run.stdout).toContain('Evaluate expression: 0 = 00000000'); // stopped at the second call: counter = 0 + 0 so far
    expect(run.status).toBe(0);
  });

  it('a bad command prints WinDbg\'s complaint and skips the rest of the line', () => {
    const run = runCli(['debug', '-c', 'nosuchcommand; !nosuchextension; r', elf()]);
    expect(run.stdout).toContain("       ^ Syntax error in 'nosuchcommand'\n");
    expect(run.stdout).not.toContain('No export');
    expect(run.stdout).not.toMatch(/0:000> nosuchcommand; r\n[^\n]*\neax=/);
  });

  it('an unknown extension is "No export X found", as WinDbg says', () => {
    const run = runCli(['debug', '-c', '!nosuchextension; q', elf()]);
    expect(run.stdout).toContain('No export nosuchextension found\n');
  });
});
