// mmscope build --pe / --dll: the SDK's sources as PE32 images linked
// against mmscope's system DLLs, checked by reading the files' headers
// (PE/COFF: ImageBase, IMAGE_FILE_DLL, SizeOfStackReserve, the import and
// export directories) and by running them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePe32 } from '../../src/kernel/loader/pe32.js';
import { runCli } from '../helpers/guests.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'mmscope-build-pe-')); });

const headers = (file: string) => parsePe32(file, readFileSync(file));

describe('mmscope build --pe', () => {
  it('builds a program that imports only mmscope\'s DLLs and runs', () => {
    const exe = join(dir, 'hello.exe');
    expect(runCli(['build', '--pe', 'guest/examples/hello.c', '-o', exe])).toMatchObject({ status: 0, stderr: '' });
    const image = headers(exe);
    expect(image.pe).toMatchObject({ imageBase: 0x400000, dll: false });
    expect([...image.pe!.importedDlls].map((name) => name.toLowerCase()).every((name) => ['msvcrt.dll', 'kernel32.dll', 'ntdll.dll'].includes(name))).toBe(true);
    const run = runCli(['run', exe, 'one', 'two words']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Hello from ring 3, one!\n');
    expect(run.stdout).toContain('argv[2] = two words\n');
  });

  it('--stack sets SizeOfStackReserve; --base the ImageBase', () => {
    const exe = join(dir, 'stack.exe');
    expect(runCli(['build', '--pe', '--stack', '256K', '--base', '0x800000', 'guest/examples/hello.c', '-o', exe]).status).toBe(0);
    const image = headers(exe);
    expect(image.stackReserveBytes).toBe(256 * 1024);
    expect(image.pe!.imageBase).toBe(0x800000);
  });

  it('--dll builds a DLL exporting its dllexport functions, with DllMain as its entry point', () => {
    const dll = join(dir, 'hidden-dll.dll');
    expect(runCli(['build', '--dll', '--base', '0x10000000', 'guest/examples/pe/hidden-dll.c', '-o', dll]).status).toBe(0);
    const image = headers(dll);
    expect(image.pe).toMatchObject({ imageBase: 0x10000000, dll: true });
    expect([...image.pe!.exports.keys()]).toEqual(['hidden_dll_greeting']);
    expect(image.entry).not.toBe(0x10000000);   // AddressOfEntryPoint set: DllMain
  });

  it('the seed\'s VAD-unlink experiment built as PE: the "fresh" allocation still holds the old secret', () => {
    const exe = join(dir, 'vad-unlink.exe');
    expect(runCli(['build', '--pe', 'guest/examples/vad-unlink.c', '-o', exe]).status).toBe(0);
    const run = runCli(['run', '--allow-experiments', exe]);
    expect(run.stdout).toContain('new memory should be zero; it reads: "the old allocation\'s secret"\n');
    expect(run.status).toBe(2);
  });
});
