// The guest SDK as a Win32 programmer first meets it: the C runtime's
// formatting and headers, kernel32's module, time and console functions,
// and GetLastError as Windows leaves it. Each guest prints ok/FAIL lines.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import type { SystemCallEvent } from '../../src/trace/events.js';
import { PROJECT_ROOT, guestElf, runChecks, runCli, runGuest, syscallEvents } from '../helpers/guests.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mmscope-sdk-'));
  buildGuest({ sources: [join(PROJECT_ROOT, 'test/guests/exports-module.c')], output: join(root, 'exports.elf'), imageBase: 0x10000000 });
  buildGuest({ sources: [join(PROJECT_ROOT, 'test/guests/dllexport-module.c')], output: join(root, 'dllexport.elf'), imageBase: 0x11000000 });
});

describe('the C runtime', () => {
  it('printf: precision, flags, * widths, hh/h/ll/z/j lengths, %f %e %g exactly as the C standard and glibc print them', async () => {
    // 74 CHECK_FORMAT lines in the source, all in main.
    await runChecks('test/guests/printf-formats.c', [], {}, 78);
  });
});

describe('the C library', () => {
  it('string.h searches, strtok, qsort, bsearch, abs, and rand with the Microsoft runtime\'s sequence', async () => {
    // 21 checks in main, none in a loop.
    await runChecks('test/guests/c-library.c', [], {}, 21);
  });
});

describe('the C headers', () => {
  it('limits.h, stdint.h, stddef.h, stdbool.h, ctype.h and errno.h give the standard values', async () => {
    // 30 checks in main.
    await runChecks('test/guests/c-headers.c', [], {}, 30);
  });

  it('a failed assert prints what the Microsoft runtime prints and ends the process with status 3', async () => {
    const run = await runGuest(guestElf('test/guests/c-headers.c'), { args: ['assert'] });
    expect(run.stderr).toMatch(/^Assertion failed: answer == 42, file .*c-headers\.c, line \d+\n$/);
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 3 });
  });
});

describe('GetProcAddress', () => {
  it('finds a module\'s exports (its __declspec(dllexport) symbols, else all its globals) by name and ordinal in its export directory; ERROR_PROC_NOT_FOUND and ERROR_MOD_NOT_FOUND otherwise', async () => {
    // 37 checks in main; the conditional ones run when the exports are found.
    await runChecks('test/guests/get-proc-address.c', [], { fileRoot: root }, 37);
  });
});

describe('time, the console and the system', () => {
  it('Sleep moves the kernel clock at once; GetTickCount, the performance counter and the system time read it from KUSER_SHARED_DATA; GetStdHandle and GetSystemInfo answer as Windows x86', async () => {
    // 32 checks in main.
    const run = await runChecks('test/guests/time-and-console.c', [], {}, 32);
    expect(run.stdout).toContain('via the std handle\n');
    expect(run.stdout).toContain('via WriteConsoleA\n');
    expect(run.stderr).toBe('to stderr\n');
    const delays = (syscallEvents(run.events) as SystemCallEvent[]).filter((e) => e.name === 'NtDelayExecution');
    expect(delays.map((e) => [e.args[0], e.result])).toEqual([[0, 0], [0, 0], [1, 0], [0, 0], [0, 0xc0000005]]);
  });

  it('Sleep(INFINITE): nothing can wake the only thread, so the run ends as a hang instead of waiting forever', async () => {
    const run = await runGuest(guestElf('test/guests/time-and-console.c'), { args: ['forever'] });
    expect(run.outcome).toEqual({ reason: 'waits-forever', exitStatus: undefined });
    const cli = runCli(['run', guestElf('test/guests/time-and-console.c'), 'forever']);
    expect(cli.status).toBe(124);
    expect(cli.stderr).toContain('mmscope: stopped: the only thread waits forever');
  });
});

describe('the command line and the environment', () => {
  it('GetCommandLineA quotes the arguments as CreateProcess needs them; the environment is empty', async () => {
    await runChecks('test/guests/command-line.c', ['plain', 'two words', 'say "hi"', '', 'C:\\dir with space\\', 'back\\slash'], {}, 7);
  });
});

describe('GetLastError after the Virtual*, mapping and file functions', () => {
  it('is set, or left alone, as Windows does (Wine\'s virtual.c and file.c)', async () => {
    const files = mkdtempSync(join(tmpdir(), 'mmscope-last-error-'));
    writeFileSync(join(files, 'empty.bin'), '');
    writeFileSync(join(files, 'data.bin'), Buffer.alloc(8192, 7));
    // Checks in main: 31 EXPECT_ERROR (two checks each) and 35 single ones.
    await runChecks('test/guests/last-error.c', [], { fileRoot: files }, 2 * 31 + 35);
  });
});
