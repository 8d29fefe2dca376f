// Builds SDK programs and DLLs as PE32 images (mmscope build --pe / --dll):
// the same sources and headers as the ELF build, compiled by mingw-w64's
// gcc and linked against mmscope's own system DLLs through their import
// libraries (src/toolchain/system-dlls.ts, import-library.ts), so the image
// runs unchanged on Windows too (it imports only KERNEL32, msvcrt and ntdll).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { guestPaths } from './paths.js';
import { buildSystemDlls, MINGW_GCC, PE_NASM_FLAGS, peIncludeFlags } from './system-dlls.js';
import { BuildError, runTool } from './tools.js';

export interface PeBuildRequest {
  sources: readonly string[];
  output: string;
  /** A DLL (its exports: the dllexport-marked symbols, else every global, as mingw's ld chooses) instead of a program. */
  dll: boolean;
  /** Extra flags for gcc (e.g. -O0, -DNAME). */
  cflags?: readonly string[];
  /** SizeOfStackReserve in the optional header (bytes); mingw's default is 2 MiB. */
  stackReserveBytes?: number;
  /** The preferred ImageBase; ld's defaults are 0x00400000 for programs and 0x10000000 for DLLs. */
  imageBase?: number;
}

/**
 * C as the ELF build compiles it (freestanding, the SDK's headers) but for
 * the mingw target: MSVC's stack probe (___chkstk_ms from libgcc) instead of
 * -fstack-clash-protection, as a Windows compiler emits it.
 */
export const PE_PROGRAM_CC_FLAGS = [
  '-march=i686', '-O2', '-std=gnu11', '-ffreestanding', '-fno-builtin', '-nostdinc', '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables', '-fno-unwind-tables', '-fcf-protection=none', '-Wall', '-Wextra', '-Wno-unused-parameter',
];

/** A console program or DLL with the characteristics a stock mingw-w64 link gives (dynamic base, NX). */
export const PE_PROGRAM_LINK_FLAGS = ['-nostdlib', '-Wl,--subsystem,console', '-Wl,--dynamicbase', '-Wl,--nxcompat', '-Wl,--enable-stdcall-fixup', '-Wl,--no-insert-timestamp'];

/** The system DLLs a program links against, most specific first (an archive resolves from the first that has a name). */
const SYSTEM_LIBRARIES = ['-lmsvcrt', '-lkernel32', '-lntdll', '-lgcc'];

/** Throws BuildError with the tools' messages when a step fails; returns what they printed on success. */
export function buildPeGuest(request: PeBuildRequest): { diagnostics: string } {
  if (request.sources.length === 0) throw new BuildError('no source files given');
  const system = buildSystemDlls();
  const work = mkdtempSync(join(tmpdir(), 'mmscope-build-pe-'));
  try {
    const diagnostics: string[] = [];
    const objects = request.sources.map((source, i) => compileSource(source, join(work, `${i}.o`), request.cflags ?? [], diagnostics));
    // mmscope_syscall (raw service calls, mmscope.h) is linked into the image as in the ELF build.
    const syscall = compileSource(join(guestPaths().runtime, 'syscall.asm'), join(work, 'syscall.o'), [], diagnostics);
    const startup = request.dll ? [syscall] : [compileSource(join(guestPaths().root, 'runtime-pe', 'crt0.c'), join(work, 'crt0.o'), [], diagnostics), syscall];
    runTool(MINGW_GCC, [
      ...PE_PROGRAM_LINK_FLAGS, ...linkMode(request, objects),
      ...(request.imageBase !== undefined ? [`-Wl,--image-base=0x${request.imageBase.toString(16)}`] : []),
      ...(request.stackReserveBytes !== undefined ? [`-Wl,--stack,${request.stackReserveBytes}`] : []),
      '-o', request.output, ...startup, ...objects, `-L${system.directory}`, ...SYSTEM_LIBRARIES,
    ], diagnostics);
    return { diagnostics: diagnostics.join('') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A program starts in the SDK's mainCRTStartup; a DLL in its DllMain if it has one, else it has no entry point. */
function linkMode(request: PeBuildRequest, objects: readonly string[]): string[] {
  if (!request.dll) return ['-Wl,--entry=_mainCRTStartup'];
  const hasDllMain = objects.some((object) => /\sT _DllMain@12$/m.test(runTool('nm', ['-g', object])));
  return ['-shared', `-Wl,--entry=${hasDllMain ? '_DllMain@12' : '0'}`];
}

function compileSource(source: string, object: string, cflags: readonly string[], diagnostics: string[]): string {
  switch (extname(source)) {
    case '.c': runTool(MINGW_GCC, [...PE_PROGRAM_CC_FLAGS, ...peIncludeFlags(), ...cflags, '-c', '-o', object, source], diagnostics); break;
    case '.asm': case '.s': case '.nasm': runTool('nasm', [...PE_NASM_FLAGS, '-o', object, source], diagnostics); break;
    default: throw new BuildError(`${source}: unknown source type (expected .c or .asm)`);
  }
  return object;
}
