// ntdll's loader with programs and DLLs built by the stock mingw-w64
// compiler: LoadLibrary/GetProcAddress/FreeLibrary, DllMain's calls, two DLLs
// with one preferred base (the second relocated, its pages private copies),
// static TLS and TLS callbacks in Windows' order, and a missing DLL or export
// failing the process start with Windows' status and message. Expected
// values: MSDN's documented results and last errors (ERROR_MOD_NOT_FOUND
// 126, ERROR_PROC_NOT_FOUND 127, ERROR_INSUFFICIENT_BUFFER 122), Windows
// Internals 7th ed. ch. 3 (loader order), the guests' own arithmetic.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectExited, runCli, runGuest } from '../helpers/guests.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';
import { runTool } from '../../src/toolchain/tools.js';

const NO_CRT = ['-nostdlib', '-e', '_start'];
const helperDll = (extra = false) => mingwGuest(['test/guests/pe/helper-dll.c'], ['-shared', '-nostdlib', '-e', '_DllMain@12', '-Wl,--image-base=0x10000000', ...(extra ? ['-DEXTRA_EXPORT'] : [])], 'helper.dll');

/** A --root directory holding `files` (name in the guest → host path). */
function root(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'mmscope-pe-'));
  for (const [name, path] of Object.entries(files)) copyFileSync(path, join(directory, name));
  return directory;
}

async function runIn(directory: string, program: string) {
  return runGuest(join(directory, program), { machine: { systemDllDirectory: systemDllDirectory(), fileRoot: directory, checkInvariantsAfterServices: true } });
}

const values = (stdout: string): Record<string, string> =>
  Object.fromEntries(stdout.split('\n').map((line) => /^(\S+) ([0-9a-f]{8})$/.exec(line)).filter((m) => m !== null).map((m) => [m![1], m![2]]));

describe('LoadLibrary, GetProcAddress, FreeLibrary', () => {
  it('load, call, relocate, count references and unload as Windows does', async () => {
    const dll = helperDll();
    const directory = root({ 'prog.exe': mingwGuest(['test/guests/pe/loader.c'], [...NO_CRT, '-lkernel32']), 'helper.dll': dll, 'twin.dll': dll });
    // fixed.dll: the helper with IMAGE_FILE_RELOCS_STRIPPED set (ld keeps a DLL's relocations; a linker such as MSVC's /FIXED strips them).
    const fixed = readFileSync(dll);
    const characteristics = fixed.readUInt32LE(0x3c) + 4 + 18;
    fixed.writeUInt16LE(fixed.readUInt16LE(characteristics) | 0x0001, characteristics);
    writeFileSync(join(directory, 'fixed.dll'), fixed);
    const run = await runIn(directory, 'prog.exe');
    expectExited(run, 7, 'loader.exe');
    const v = values(run.stdout);
    expect(v.helper).toBe('10000000');                         // its preferred base
    expect(v.twin).not.toBe('10000000');                       // taken: mapped elsewhere and relocated
    expect(parseInt(v.twin!, 16) % 0x10000).toBe(0);           // on the allocation granularity
    expect(v.fixed).toBe('00000000');
    expect(v['fixed-error']).toBe('000001e7');                // ERROR_INVALID_ADDRESS, from STATUS_CONFLICTING_ADDRESSES
    expect(v.add).toBe('0000002a');
    expect(v['ordinal-1-is-add']).toBe('00000001');
    expect(v['helper-attaches']).toBe('00000001');            // DllMain(DLL_PROCESS_ATTACH) once
    expect(v['data-offset-twin']).toBe(v['data-offset-helper']); // relocated code reaches its own data
    expect(v['twin-code-protect']).toBe('00000020');          // PAGE_EXECUTE_READ again after the fix-ups
    expect(v['twin-code-type']).toBe('01000000');             // still MEM_IMAGE
    expect(v['twin-allocation-base']).toBe(v.twin);
    expect(v.again).toBe(v.helper);
    expect(v.handle).toBe(v.helper);
    expect(run.stdout).toContain('file C:\\helper.dll\n');
    expect(v['short-buffer']).toBe('00000004');
    expect(v['short-buffer-error']).toBe('0000007a');         // ERROR_INSUFFICIENT_BUFFER
    expect(v['short-buffer-text']).toBe('005c3a43');          // "C:\" and its terminator
    expect(v['free-1']).toBe('00000001');
    expect(v['still-loaded']).toBe(v.helper);                 // two loads, one free: still there
    expect(v['free-2']).toBe('00000001');
    expect(v.unloaded).toBe('00000000');
    expect(v['unloaded-error']).toBe('0000007e');             // ERROR_MOD_NOT_FOUND
    expect(v['missing-dll']).toBe('00000000');
    expect(v['missing-dll-error']).toBe('0000007e');
    expect(v['missing-export']).toBe('00000000');
    expect(v['missing-export-error']).toBe('0000007f');       // ERROR_PROC_NOT_FOUND
    expect(v.program).toBe('00400000');
    const dllMainLines = run.stdout.split('\n').filter((line) => line.startsWith('DllMain'));
    expect(dllMainLines).toEqual([
      'DllMain attach dynamic', 'DllMain attach dynamic',     // helper, twin: lpReserved NULL for LoadLibrary
      'DllMain detach on FreeLibrary',                        // helper's last reference
      'DllMain detach at exit',                               // twin, when the process ends
    ]);
    expect(run.machine.modules().map((m) => m.name).sort()).toEqual([
      'C:\\Windows\\System32\\kernel32.dll', 'C:\\Windows\\System32\\ntdll.dll', 'C:\\twin.dll', join(directory, 'prog.exe'),
    ].sort());
  });
});

describe('process start', () => {
  it('static imports initialise first, then TLS callbacks in order, then the entry point; the reverse at exit', async () => {
    const dll = helperDll();
    const directory = root({ 'tls.exe': mingwGuest(['test/guests/pe/tls.c'], [...NO_CRT, dll, '-lkernel32']), 'helper.dll': dll });
    const run = await runIn(directory, 'tls.exe');
    expectExited(run, 0, 'tls.exe');
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      'DllMain attach static', 'callback 1 attach', 'callback 2 attach', 'entry point', 'tls value 1234', 'import works',
      'DllMain detach at exit', 'callback 1 detach', 'callback 2 detach',
    ]);
  });

  it('keeps the PEB loader lists as Windows does: program, ntdll, then the imports; initialisation order without the program', async () => {
    const dll = helperDll();
    const exe = mingwGuest(['test/guests/pe/lists.c'], [...NO_CRT, dll, '-lkernel32']);
    // The import directory's order, read by binutils' objdump (independent of mmscope's parser).
    const order = [...runTool('i686-w64-mingw32-objdump', ['-p', exe]).matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]!);
    expect([...order].sort()).toEqual(['KERNEL32.dll', 'helper.dll']);
    const directory = root({ 'lists.exe': exe, 'helper.dll': dll });
    const run = await runIn(directory, 'lists.exe');
    expectExited(run, 0, 'lists.exe');
    expect(run.stdout.split('\n').filter((line) => !line.startsWith('DllMain'))).toEqual([
      `load lists.exe ntdll.dll ${order.join(' ')}`,
      `memory lists.exe ntdll.dll ${order.join(' ')}`,
      `init ntdll.dll ${order.join(' ')}`,
      'helper entry matches its image',
      '',
    ]);
  });

  it('binds an import by ordinal and a data import', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mmscope-pe-lib-'));
    const def = join(work, 'helper-ordinals.def');
    writeFileSync(def, 'LIBRARY helper.dll\nEXPORTS\nadd @1 NONAME\nattach_count DATA\n');
    const library = join(work, 'libhelper-ordinals.a');
    runTool('i686-w64-mingw32-dlltool', ['-d', def, '-l', library]);
    const directory = root({ 'imports.exe': mingwGuest(['test/guests/pe/imports.c'], [...NO_CRT, library, '-lkernel32']), 'helper.dll': helperDll() });
    const run = await runIn(directory, 'imports.exe');
    expectExited(run, 0, 'imports.exe');
    expect(run.stdout).toBe('DllMain attach static\nordinal import works\ndata import reads 1\nDllMain detach at exit\n');
  });

  it('a missing DLL fails the start with STATUS_DLL_NOT_FOUND, naming it', async () => {
    const directory = root({ 'tls.exe': mingwGuest(['test/guests/pe/tls.c'], [...NO_CRT, helperDll(), '-lkernel32']) });
    const run = await runIn(directory, 'tls.exe');
    expectExited(run, 0xc0000135, 'tls.exe without helper.dll');
    expect(run.stderr).toBe('The code execution cannot proceed because helper.dll was not found; imported by tls.exe\n');
    expect(run.stdout).toBe('');
  });

  it('a missing export fails the start with STATUS_ENTRYPOINT_NOT_FOUND, naming the function and the DLL', async () => {
    const linked = mingwGuest(['test/guests/pe/missing-export.c'], [...NO_CRT, helperDll(true), '-lkernel32']);
    const directory = root({ 'prog.exe': linked, 'helper.dll': helperDll() });
    const run = await runIn(directory, 'prog.exe');
    expectExited(run, 0xc0000139, 'prog.exe importing extra');
    expect(run.stderr).toBe('The procedure entry point extra could not be located in the dynamic link library helper.dll\n');
  });

  it('mmscope run: the status is the process exit status (0x35, all of it in --json) and the message is on stderr', () => {
    const directory = root({ 'tls.exe': mingwGuest(['test/guests/pe/tls.c'], [...NO_CRT, helperDll(), '-lkernel32']) });
    const result = runCli(['run', '--json', '--root', directory, join(directory, 'tls.exe')], directory);
    expect(result.status).toBe(0x35);
    expect(result.stderr).toContain('The code execution cannot proceed because helper.dll was not found; imported by tls.exe\n');
    expect(JSON.parse(result.stdout)).toMatchObject({ reason: 'exited', exitStatus: 0xc0000135 });
  });
});

describe('exceptions in a PE process', () => {
  it('reach the vectored handler through ntdll\'s KiUserExceptionDispatcher; an unhandled one ends the process with its code', async () => {
    const directory = root({ 'exc.exe': mingwGuest(['test/guests/pe/exceptions.c'], [...NO_CRT, '-lkernel32']) });
    const run = await runIn(directory, 'exc.exe');
    expect(run.stdout).toBe('handler saw the access violation at 0x10\nresumed after the handler\n');
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: 0xc0000005 });
  });
});
