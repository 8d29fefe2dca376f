// Programs built by the stock mingw-w64 compiler (its own headers and C
// runtime start-up, no mmscope header) on mmscope's kernel32.dll and
// msvcrt.dll. The reference is the same source built with the SDK as an
// ELF: the test suite's C conformance guests that use only Win32 and C
// must print the same lines and exit with the same status both ways. A
// mingw-built DLL with its own C runtime is loaded with LoadLibraryA and
// called through GetProcAddress, its DllMain running once per attach and
// detach (MSDN, DllMain: "called once" per process attach).
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, expectExited, guestElf, runGuest, type GuestRun } from '../helpers/guests.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';

/** A fresh --root holding `files` (name in the guest's C:\ → host path). */
function root(files: Record<string, string> = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'mmscope-pe-crt-'));
  for (const [name, path] of Object.entries(files)) copyFileSync(path, join(directory, name));
  return directory;
}

const stockMingw = (source: string, flags: readonly string[] = [], name?: string) =>
  mingwGuest([source], [`-I${join(PROJECT_ROOT, 'test/guests')}`, ...flags], ...(name ? [name] as [string] : []));

async function runPe(program: string, args: string[] = [], fileRoot = root()): Promise<GuestRun> {
  return runGuest(program, { args, machine: { systemDllDirectory: systemDllDirectory(), fileRoot, checkInvariantsAfterServices: true } });
}

/** What a run showed, for comparing two builds of one source. */
const shown = (run: GuestRun) => ({ outcome: run.outcome, stdout: run.stdout, stderr: run.stderr });

describe('the C conformance guests: stock mingw-w64 PE and SDK ELF builds agree', () => {
  // Win32 and C only (test/guests/check.h prints one line per check); printf-formats is left out on purpose:
  // mingw-w64's printf is its own (libmingwex), not msvcrt's, and prints %p its own way ("0040a000"), not as the SDK's ELF runtime
  // (C99's "0x0040a000") nor as msvcrt.dll ("0040A000", tested below).
  const guests: { source: string; args?: string[]; files?: boolean }[] = [
    { source: 'test/guests/c-library.c' },
    { source: 'test/guests/c-headers.c' },
    { source: 'test/guests/win32-runtime.c' },
    { source: 'test/guests/heap-last-error.c' },
    { source: 'test/guests/sections.c' },
    { source: 'test/guests/exceptions-veh.c' },
    { source: 'test/guests/files.c', files: true },
    { source: 'test/guests/stdio-files.c', files: true },
    { source: 'test/guests/share-modes.c' },
    // Threads and waits through kernel32.dll's CreateThread/WaitForMultipleObjects (RtlUserThreadStart in kernel32).
    { source: 'test/guests/threads.c', args: ['counter', '100'] },
    { source: 'test/guests/threads.c', args: ['tls'] },
    { source: 'test/guests/threads.c', args: ['suspend'] },
    { source: 'test/guests/threads.c', args: ['exit'] },
  ];

  it.each(guests.map((g) => [[g.source, ...(g.args ?? [])].join(' '), g]))('%s', async (_name, guest) => {
    const { source, args = [], files = false } = guest as (typeof guests)[number];
    const elfRoot = root(), peRoot = root();
    const elf = await runGuest(guestElf(source), { args, machine: { fileRoot: elfRoot } });
    const pe = await runPe(stockMingw(source), args, peRoot);
    expectExited(pe, 0, `${source} (PE)`);
    expect(shown(pe)).toEqual(shown(elf));
    expect(pe.stdout).toMatch(/^\d+ checks, 0 failed$/m);
    if (files) {
      for (const name of ['text.txt', 'binary.bin', 'notes.txt'].filter((n) => { try { readFileSync(join(elfRoot, n)); return true; } catch { return false; } })) {
        expect(readFileSync(join(peRoot, name)), `${name} on disk`).toEqual(readFileSync(join(elfRoot, name)));
      }
    }
  });

  it('test/guests/command-line.c: the command line the loader builds and msvcrt\'s __getmainargs split it back into the same argv', async () => {
    // The arguments of test/kernel/guest-sdk.test.ts: quotes, an empty one, trailing and inner backslashes.
    const args = ['plain', 'two words', 'say "hi"', '', 'C:\\dir with space\\', 'back\\slash'];
    const elf = await runGuest(guestElf('test/guests/command-line.c'), { args });
    const pe = await runPe(stockMingw('test/guests/command-line.c'), args);
    expect(shown(pe)).toEqual(shown(elf));
    expectExited(pe, 0, 'command-line (PE)');
  });
});

describe('console output of a stock mingw-w64 program', () => {
  it('printf, puts, putchar and fprintf(stderr) reach stdout and stderr exactly, and exit\'s status is the process\'s', async () => {
    const run = await runPe(stockMingw('test/guests/pe-crt/console-output.c'));
    expectExited(run, 7, 'console-output.exe');
    expect(run.stdout).toBe('printf 42 -7 ff 3.25 text\nputs line\nxy\nfwrite to stdout\n');
    expect(run.stderr).toBe('fprintf to stderr: 0x2a\n');
  });
});

describe('msvcrt\'s own printf', () => {
  it('prints %p, exponents, infinities and NaNs as Windows\' msvcrt.dll does; _snprintf returns -1 and leaves no terminator when the result does not fit', async () => {
    const run = await runPe(stockMingw('test/guests/pe-crt/msvcrt-formats.c', ['-D__USE_MINGW_ANSI_STDIO=0']));
    expectExited(run, 0, 'msvcrt-formats.exe');
    expect(run.stdout.split('\n')).toEqual([
      '[0040A000] [00000000] [    DEADBEEF] [00000001    ]',
      '[1.234568e+004] [1.230000E-004] [1e+020] [1E-005] [1e+000]',
      '[1.#INF00] [-1.#INF00] [1.#INF00e+000] [1.#INF] [1.#J] [1] [  1.#INF00]',
      '[-1.#IND00] [1.#QNAN0]',   // the x87 default NaN is negative ("indefinite"); negated, a plain quiet NaN
      'sprintf [7FFDF000 5.000000e-001]',
      '_snprintf too long: -1 [abcdxxxx]',
      '_snprintf exactly full: 4 [abcdxxxx]',
      '_snprintf room to spare: 3 [abc]',
      '',
    ]);
  });
});

describe('msvcrt\'s calendar', () => {
  it('gmtime, strftime, mktime on dates whose answers are arithmetic; atol; clock', async () => {
    const run = await runPe(stockMingw('test/guests/pe-crt/calendar.c'));
    expectExited(run, 0, 'calendar.exe');
    expect(run.stdout.split('\n').filter((line) => line.startsWith('ok ')).length).toBe(9);
    expect(run.stdout).toContain('9 checks, 0 failed\n');
  });
});

describe('a mingw-w64 DLL with its C runtime, loaded with LoadLibraryA', () => {
  it('DllMain runs once per attach and detach; exports by GetProcAddress; one heap; the DLL\'s atexit at unload', async () => {
    const dll = stockMingw('test/guests/pe-crt/counter-dll.c', ['-shared'], 'counter-dll.dll');
    const directory = root({ 'counter-dll.dll': dll, 'load-counter.exe': stockMingw('test/guests/pe-crt/load-counter.c') });
    const run = await runPe(join(directory, 'load-counter.exe'), [], directory);
    expectExited(run, 0, 'load-counter.exe');
    expect(run.stdout.split('\n')).toEqual([
      'counter-dll: DllMain(DLL_PROCESS_ATTACH) call 1',
      'the second LoadLibraryA returns the same module: yes',
      'DllMain attached 1 time(s); counter_scale(14) = 42',
      'allocated by the DLL, freed by the program',
      'GetProcAddress of a missing export: 00000000, error 127',   // ERROR_PROC_NOT_FOUND
      'first FreeLibrary: 1, still loaded: yes',
      'counter-dll: DllMain(DLL_PROCESS_DETACH)',
      'counter-dll: its atexit function, at unload',
      'last FreeLibrary: 1',
      'after it, GetModuleHandleA: 00000000',
      '',
    ]);
  });
});
