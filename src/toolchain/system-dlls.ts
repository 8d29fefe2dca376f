// mmscope's own system DLLs (ntdll.dll, kernel32.dll, msvcrt.dll), built
// from guest/system/NAME/ with the stock mingw-w64 cross compiler as PE32
// DLLs at fixed bases, as Windows gives its system DLLs distinct preferred
// bases (XP: ntdll 0x7C900000, kernel32 0x7C800000, msvcrt 0x77C10000).
// The convention (guest/system/README.md):
//   NAME.def          the export list (ld's module-definition syntax;
//                     stdcall names undecorated, forwarders `A = DLL.B`)
//   *.c, *.asm        the DLL's own sources (nasm -f win32, --prefix _)
//   runtime-sources   optional: file names from guest/runtime, one a line,
//                     compiled into this DLL too (# starts a comment)
// ntdll also gets one generated stub per NT service (as the ELF runtime's
// ntstubs.asm) and their names appended to its exports. Each DLL is linked
// against the import libraries of the ones built before it (ntdll, then
// kernel32, then msvcrt; libNAME.a beside each DLL, import-library.ts), so
// kernel32 may import from ntdll and msvcrt from both. The DLLs are cached
// under guest/build/system-HASH, rebuilt when any input changes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NT_SERVICES } from '../kernel/syscalls/nt-service-table.js';
import { parseDefExports, symbolDecorations, writeImportLibrary } from './import-library.js';
import { guestPaths } from './paths.js';
import { BuildError, runTool } from './tools.js';

export const MINGW_GCC = 'i686-w64-mingw32-gcc';

/** The system DLLs in link order, with their preferred image bases (Windows XP SP2's). */
export const SYSTEM_DLLS: readonly { name: string; imageBase: number }[] = [
  { name: 'ntdll', imageBase: 0x7c900000 },
  { name: 'kernel32', imageBase: 0x7c800000 },
  { name: 'msvcrt', imageBase: 0x77c10000 },
];

/**
 * C flags for system DLL sources: freestanding i686, the SDK's headers
 * (mingw's own are never seen) and gcc's freestanding ones (stdint.h,
 * stdarg.h) from the host compiler, whose copies are target-neutral.
 */
export const PE_CC_FLAGS = [
  '-march=i686', '-O2', '-std=gnu11', '-ffreestanding', '-fno-builtin', '-nostdinc', '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables', '-fno-unwind-tables', '-fcf-protection=none', '-mno-stack-arg-probe',
  '-Wall', '-Wextra', '-Wno-unused-parameter',
];
export const PE_NASM_FLAGS = ['-f', 'win32', '--prefix', '_'];
/** No timestamp, so the same sources give the same bytes; stdcall fixup lets the .def name `HeapAlloc` for `_HeapAlloc@12`. */
export const PE_DLL_LINK_FLAGS = ['-nostdlib', '-shared', '-Wl,--enable-stdcall-fixup', '-Wl,--no-insert-timestamp', '-Wl,--disable-auto-import'];

export interface SystemDlls {
  /** Host directory holding ntdll.dll, kernel32.dll and msvcrt.dll: the guest's C:\Windows\System32. */
  directory: string;
}

/** One stdcall stub per NT service for a PE ntdll: `_NtClose@4` and friends, exported undecorated. */
export function generatePeNtServiceStubs(): string {
  const lines = ['; generated from src/kernel/syscalls/nt-service-table.ts', 'bits 32', 'section .text code'];
  for (const service of NT_SERVICES) {
    const symbol = `${service.name}@${service.argCount * 4}`;
    lines.push(`global ${symbol}`, `${symbol}:`, `    mov eax, 0x${service.number.toString(16)}`, '    lea edx, [esp + 4]', '    int 0x2e', `    ret ${service.argCount * 4}`);
  }
  return lines.join('\n') + '\n';
}

const serviceExports = (): string => NT_SERVICES.map((service) => `    ${service.name}`).join('\n') + '\n';

interface DllSources { name: string; imageBase: number; files: string[]; def: string }

function dllSources(systemRoot: string, runtime: string, dll: { name: string; imageBase: number }): DllSources {
  const directory = join(systemRoot, dll.name);
  if (!existsSync(join(directory, `${dll.name}.def`))) throw new BuildError(`${directory}: no ${dll.name}.def`);
  const own = readdirSync(directory).filter((f) => /\.(c|asm)$/.test(f)).sort().map((f) => join(directory, f));
  const listPath = join(directory, 'runtime-sources');
  const shared = existsSync(listPath)
    ? readFileSync(listPath, 'utf8').split('\n').map((line) => line.replace(/#.*/, '').trim()).filter(Boolean).map((f) => join(runtime, f))
    : [];
  for (const file of shared) if (!existsSync(file)) throw new BuildError(`${listPath}: ${file} does not exist`);
  return { ...dll, files: [...own, ...shared], def: join(directory, `${dll.name}.def`) };
}

/** Every input that decides the DLLs' bytes: a change to any of them gives another cache directory. */
function inputHash(dlls: readonly DllSources[]): string {
  const paths = guestPaths();
  const hash = createHash('sha256');
  const add = (file: string): void => { hash.update(file).update(readFileSync(file)); };
  for (const dll of dlls) [...dll.files, dll.def].forEach(add);
  for (const directory of [paths.include, paths.runtime]) {
    for (const file of readdirSync(directory).sort()) if (/\.h$/.test(file)) add(join(directory, file));
  }
  for (const name of readdirSync(join(paths.root, 'system')).sort()) {
    const directory = join(paths.root, 'system', name);
    if (!statSync(directory).isDirectory()) continue;
    for (const file of readdirSync(directory).sort()) if (/\.h$/.test(file)) add(join(directory, file));
  }
  hash.update(JSON.stringify([PE_CC_FLAGS, PE_NASM_FLAGS, PE_DLL_LINK_FLAGS, SYSTEM_DLLS])).update(generatePeNtServiceStubs());
  return hash.digest('hex').slice(0, 16);
}

/** Builds (or finds cached) the system DLLs; BuildError when mingw is missing or a source does not build. */
export function buildSystemDlls(): SystemDlls {
  const paths = guestPaths();
  const systemRoot = join(paths.root, 'system');
  const dlls = SYSTEM_DLLS.map((dll) => dllSources(systemRoot, paths.runtime, dll));
  const directory = join(paths.build, `system-${inputHash(dlls)}`);
  if (SYSTEM_DLLS.every((dll) => existsSync(join(directory, `${dll.name}.dll`)) && existsSync(join(directory, `lib${dll.name}.a`)))) return { directory };
  // Build privately and rename into place: concurrent builds never see half a directory.
  const staging = `${directory}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    const built: string[] = [];
    const exported = new Map<string, ReadonlyMap<string, string>>();
    for (const dll of dlls) {
      const result = linkDll(staging, dll, built, exported);
      built.push(result.importLibrary);
      exported.set(`${dll.name}`, result.exports);
    }
    try {
      renameSync(staging, directory);
    } catch {
      if (!existsSync(join(directory, 'msvcrt.dll'))) throw new BuildError(`could not place the system DLLs in ${directory}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { directory };
}

/**
 * Compiles and links one DLL against the import libraries of the ones
 * before it, then writes its own import library (lib NAME.a beside it,
 * src/toolchain/import-library.ts); returns that and its exports' decorations.
 */
function linkDll(staging: string, dll: DllSources, earlier: readonly string[], forwarded: ReadonlyMap<string, ReadonlyMap<string, string>>): { importLibrary: string; exports: Map<string, string> } {
  const work = join(staging, `${dll.name}.obj`);
  mkdirSync(work, { recursive: true });
  const sources = [...dll.files];
  let def = readFileSync(dll.def, 'utf8');
  if (dll.name === 'ntdll') {
    const stubs = join(work, 'ntstubs.asm');
    writeFileSync(stubs, generatePeNtServiceStubs());
    sources.push(stubs);
    def = def.trimEnd() + '\n' + serviceExports();
  }
  const defPath = join(work, `${dll.name}.def`);
  writeFileSync(defPath, def);
  const objects = sources.map((file, i) => {
    const object = join(work, `${i}-${file.replace(/^.*\//, '').replace(/\.(c|asm)$/, '.o')}`);
    if (file.endsWith('.asm')) runTool('nasm', [...PE_NASM_FLAGS, '-o', object, file]);
    else runTool(MINGW_GCC, [...PE_CC_FLAGS, ...peIncludeFlags(join(guestPaths().root, 'system', dll.name)), '-c', '-o', object, file]);
    return object;
  });
  const output = join(staging, `${dll.name}.dll`);
  const importLibrary = join(staging, `lib${dll.name}.a`);
  const entry = objects.some((object) => /\sT _DllMain@12$/m.test(runTool('nm', ['-g', object]))) ? '_DllMain@12' : '0';
  runTool(MINGW_GCC, [
    ...PE_DLL_LINK_FLAGS, `-Wl,--image-base=0x${dll.imageBase.toString(16)}`, `-Wl,--entry=${entry}`,
    '-o', output, ...objects, defPath, ...[...earlier].reverse(), '-lgcc',
  ]);
  const exports = writeImportLibrary({
    dllName: `${dll.name}.dll`, exports: parseDefExports(def), decorations: symbolDecorations(objects), forwarded,
    defPath: join(work, `lib${dll.name}.def`), library: importLibrary,
  });
  rmSync(work, { recursive: true, force: true });
  return { importLibrary, exports };
}

/** The SDK's headers, the DLL's own directory, and gcc's freestanding headers (the host gcc's, target-neutral). */
export function peIncludeFlags(dllDirectory?: string): string[] {
  const gccInclude = runTool('gcc', ['-m32', '-print-file-name=include']).trim();
  return ['-isystem', gccInclude, '-I', guestPaths().include, '-I', guestPaths().runtime, ...(dllDirectory ? ['-I', dllDirectory] : [])];
}
