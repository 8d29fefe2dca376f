// Windows programs for tests: built with the stock mingw-w64 cross compiler
// (i686-w64-mingw32-gcc, its own headers and C runtime, no mmscope header),
// cached by the content of the sources and flags, and run with the SDK's
// system DLLs (ntdll, kernel32, msvcrt) as C:\Windows\System32.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { guestPaths } from '../../src/toolchain/paths.js';
import { buildSystemDlls, MINGW_GCC } from '../../src/toolchain/system-dlls.js';
import { runTool } from '../../src/toolchain/tools.js';
import { PROJECT_ROOT } from './guests.js';

/** The built system DLLs' host directory (MachineOptions.systemDllDirectory). */
export const systemDllDirectory = (): string => buildSystemDlls().directory;

/**
 * Builds `sources` (relative to the project root) with `i686-w64-mingw32-gcc
 * FLAGS -o NAME` once per content and returns the output's path. `flags`
 * may name other outputs (a DLL to link against) by absolute path.
 */
export function mingwGuest(sources: readonly string[], flags: readonly string[] = [], extension: 'exe' | 'dll' = 'exe'): string {
  const paths = sources.map((source) => join(PROJECT_ROOT, source));
  const hash = createHash('sha256');
  for (const path of paths) hash.update(path).update(readFileSync(path));
  for (const flag of flags) hash.update(flag).update(existsSync(flag) ? readFileSync(flag) : '');
  const directory = join(guestPaths().build, 'test-guests');
  mkdirSync(directory, { recursive: true });
  const output = join(directory, `${sources[0]!.replace(/\W+/g, '_')}-${hash.digest('hex').slice(0, 16)}.${extension}`);
  if (!existsSync(output)) {
    const staging = `${output}.${process.pid}.tmp.${extension}`;
    runTool(MINGW_GCC, ['-O1', ...flags, '-o', staging, ...paths]);
    renameSync(staging, output);
  }
  return output;
}
