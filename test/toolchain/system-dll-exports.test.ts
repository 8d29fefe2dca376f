// mmscope's kernel32.dll and msvcrt.dll export what stock mingw-w64 programs
// import (read from the programs' import tables, as `objdump -p` prints
// them: an independent tool over independently built programs), their data
// exports are objects in writable data, and the README's export list is the
// DLLs' (generated, never hand-kept).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePe32 } from '../../src/kernel/loader/pe32.js';
import { exportListMarkdown, readmeExportList, systemDllExports } from '../../src/toolchain/export-list.js';
import { runTool } from '../../src/toolchain/tools.js';
import { PROJECT_ROOT } from '../helpers/guests.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';

/** "DLL!name" for each function a PE file imports by name (objdump -p's import tables). */
function importsOf(file: string): string[] {
  const imports: string[] = [];
  let dll = '';
  for (const line of runTool('i686-w64-mingw32-objdump', ['-p', file]).split('\n')) {
    const name = /^\s*DLL Name: (\S+)/.exec(line);
    if (name) { dll = name[1]!.toLowerCase(); continue; }
    const entry = /^\t[0-9a-f]+\t +\d+ +(\S+)$/.exec(line);
    if (entry && dll) imports.push(`${dll}!${entry[1]}`);
  }
  return imports;
}

const exported = () => new Set(systemDllExports().flatMap(({ dll, names }) => names.map((name) => `${dll}!${name}`)));

describe('the system DLLs export what stock mingw-w64 programs import', () => {
  // Win32 and C only: the hello of the issue, the C library and stdio, files and mappings, heaps, exceptions, modules, psapi.
  const programs = [
    'guest/examples/hello.c', 'test/guests/c-library.c', 'test/guests/printf-formats.c', 'test/guests/files.c',
    'test/guests/file-open.c', 'test/guests/heap-last-error.c', 'test/guests/exceptions-veh.c', 'test/guests/get-proc-address.c',
    'test/guests/sections.c', 'test/guests/command-line.c', 'guest/examples/paging.c', 'guest/examples/pe/hidden-dll-host.c',
  ];

  it.each(programs)('%s', (source) => {
    const exe = mingwGuest([source], [`-I${join(PROJECT_ROOT, 'test/guests')}`]);
    const imports = importsOf(exe);
    expect(imports.length, 'the program imports something').toBeGreaterThan(10);
    expect(imports.filter((name) => !exported().has(name))).toEqual([]);
  });

  it('a stock hello imports exactly the issue\'s list, all of it exported', () => {
    const imports = importsOf(mingwGuest(['guest/examples/hello.c']));
    // The list measured with mingw-w64 10 / gcc 12 (issue 14), written out here.
    for (const name of ['DeleteCriticalSection', 'EnterCriticalSection', 'GetStartupInfoA', 'IsDBCSLeadByteEx', 'MultiByteToWideChar',
      'SetUnhandledExceptionFilter', 'TlsGetValue', 'VirtualProtect', 'VirtualQuery', 'WideCharToMultiByte']) {
      expect(imports).toContain(`kernel32.dll!${name}`);
    }
    for (const name of ['__getmainargs', '__initenv', '__mb_cur_max', '__p__acmdln', '_iob', '_initterm', '_onexit', 'localeconv', 'signal', 'vfprintf']) {
      expect(imports).toContain(`msvcrt.dll!${name}`);
    }
    expect(imports.filter((name) => !exported().has(name))).toEqual([]);
  });
});

describe('msvcrt.dll\'s data exports', () => {
  it('_iob (20 FILEs of 32 bytes), __initenv and __mb_cur_max are objects in writable, non-executable data', () => {
    const file = join(systemDllDirectory(), 'msvcrt.dll');
    const image = parsePe32(file, readFileSync(file));
    const base = image.pe!.imageBase;
    for (const [name, bytes] of [['_iob', 20 * 32], ['__initenv', 4], ['__mb_cur_max', 4]] as const) {
      const address = base + image.pe!.exports.get(name)!;
      const segment = image.segments.find((s) => address >= s.address && address + bytes <= s.address + s.memorySize);
      expect(segment, `${name} lies in one section`).toBeDefined();
      expect([segment!.writable, segment!.executable], `${name}: writable, not executable`).toEqual([true, false]);
    }
    // __mb_cur_max is 1 (one byte per character in Windows-1252): read it from the file's initialized data.
    const at = base + image.pe!.exports.get('__mb_cur_max')!;
    const data = image.segments.find((s) => at >= s.address && at < s.address + s.memorySize)!;
    expect(new DataView(data.fileBytes.buffer, data.fileBytes.byteOffset).getInt32(at - data.address, true)).toBe(1);
  });
});

describe('the README\'s export list', () => {
  it('is the built DLLs\' (npm run readme:exports regenerates it)', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readmeExportList(readme), 'README.md has the export block').toBeDefined();
    expect(readmeExportList(readme)).toBe(exportListMarkdown(systemDllExports()));
  });
});
