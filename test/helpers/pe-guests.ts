// Windows programs for tests: built with the stock mingw-w64 cross compiler
// (i686-w64-mingw32-gcc, its own headers and C runtime, no mmscope header),
// cached by the content of the sources and flags, and run with the SDK's
// system DLLs (ntdll, kernel32, msvcrt) as C:\Windows\System32.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { guestPaths } from '../../src/toolchain/paths.js';
import { buildSystemDlls, MINGW_GCC } from '../../src/toolchain/system-dlls.js';
import { runTool } from '../../src/toolchain/tools.js';
import { PROJECT_ROOT } from './guests.js';

/** The built system DLLs' host directory (MachineOptions.systemDllDirectory). */
export const systemDllDirectory = (): string => buildSystemDlls().directory;

/**
 * Builds `sources` (relative to the project root) with `i686-w64-mingw32-gcc
 * FLAGS -o NAME` once per content and returns the output's path (NAME is
 * the first source's name with .exe unless given). `flags`
 * may name libraries (-lkernel32) and other outputs (a DLL to link against,
 * by absolute path): those are put after the sources.
 */
export function mingwGuest(sources: readonly string[], flags: readonly string[] = [], name = `${basename(sources[0]!, '.c')}.exe`): string {
  const paths = sources.map((source) => join(PROJECT_ROOT, source));
  const hash = createHash('sha256');
  for (const path of paths) hash.update(path).update(readFileSync(path));
  for (const flag of flags) hash.update(flag).update(existsSync(flag) ? readFileSync(flag) : '');
  const directory = join(guestPaths().build, 'test-guests');
  mkdirSync(directory, { recursive: true });
  hash.update(name);
  // The file keeps its name (a DLL's name is in its export directory and in what links against it): one directory per build.
  const outputDirectory = join(directory, `${sources[0]!.replace(/\W+/g, '_')}-${hash.digest('hex').slice(0, 16)}`);
  const output = join(outputDirectory, name);
  if (!existsSync(output)) {
    const stagingDirectory = `${outputDirectory}.${process.pid}.tmp`;
    mkdirSync(stagingDirectory, { recursive: true });
    const staging = join(stagingDirectory, name);
    // Libraries (-lNAME) and DLLs to link against go after the sources, as ld resolves left to right.
    const linked = (flag: string): boolean => flag.startsWith('-l') || existsSync(flag);
    runTool(MINGW_GCC, ['-O1', ...flags.filter((flag) => !linked(flag)), '-o', staging, ...paths, ...flags.filter(linked)]);
    try {
      renameSync(stagingDirectory, outputDirectory);
    } catch {
      if (!existsSync(output)) throw new Error(`could not place ${output}`);
      rmSync(stagingDirectory, { recursive: true, force: true });
    }
  }
  return output;
}
