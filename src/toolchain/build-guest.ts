// Builds a guest program (C or nasm source) into a static i386 ELF with the SDK.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { convertExportAddressesToRvas, exportDirectorySource, exportedSymbols } from './export-directory.js';
import { CC_FLAGS, LINK_FLAGS, LINK_LIBRARIES, NASM_FLAGS } from './flags.js';
import { guestPaths } from './paths.js';
import { buildRuntimeLibrary, includeFlags } from './runtime-library.js';
import { BuildError, runTool } from './tools.js';

export interface BuildRequest {
  sources: readonly string[];
  output: string;
  /** Extra flags for gcc (e.g. -O0, -DNAME). */
  cflags?: readonly string[];
  /** Record this stack reservation in the ELF (PT_GNU_STACK's size, `ld -z stack-size`). */
  stackReserveBytes?: number;
  /** Link at this base instead of 0x00400000: a module to load beside the program, with an export directory. */
  imageBase?: number;
}

/** Why `base` cannot be an image base (the loader's allocation granularity and user-space bounds), or undefined. */
export function imageBaseProblem(base: number): string | undefined {
  if (base % 0x10000 === 0 && base >= 0x10000 && base < 0x70000000) return undefined;
  return `image base 0x${base.toString(16)} must be a multiple of 64 KiB between 0x10000 and 0x70000000`;
}

export interface BuildResult {
  /** What gcc, nasm and ld printed while building the program successfully (its warnings), in order; '' if nothing. */
  diagnostics: string;
}

/**
 * C sources get the SDK headers; any object may define `main` (the SDK's
 * crt0 calls it) or its own `_start` (then crt0 is left out, as for a
 * Linux-ABI program that must also run under qemu-i386). Throws BuildError
 * with the tool's messages when a step fails.
 */
export function buildGuest(request: BuildRequest): BuildResult {
  if (request.sources.length === 0) throw new BuildError('no source files given');
  const baseProblem = request.imageBase === undefined ? undefined : imageBaseProblem(request.imageBase);
  if (baseProblem) throw new BuildError(baseProblem);
  const runtime = buildRuntimeLibrary();
  const work = mkdtempSync(join(tmpdir(), 'mmscope-build-'));
  try {
    const diagnostics: string[] = [];
    const objects = request.sources.map((source, i) => compileSource(source, join(work, `${i}.o`), request.cflags ?? [], diagnostics));
    const definesStart = objects.some((object) => /\sT _start$/m.test(runTool('nm', ['-g', object])));
    const startup = definesStart ? [] : [runtime.crt0];
    const base = request.imageBase !== undefined ? [`-Wl,--defsym=IMAGE_BASE=0x${request.imageBase.toString(16)}`] : [];
    const exports = request.imageBase !== undefined ? [assembleExportDirectory(work, request.output, objects)] : [];
    runTool('gcc', [...LINK_FLAGS, ...base, '-T', guestPaths().linkerScript, '-o', request.output, ...startup, ...objects, ...exports, runtime.archive, ...LINK_LIBRARIES], diagnostics);
    if (request.imageBase !== undefined) convertExportAddressesToRvas(request.output, request.imageBase);
    if (request.stackReserveBytes) recordStackReserve(request.output, request.stackReserveBytes);
    return { diagnostics: diagnostics.join('') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The export directory of a module: the global symbols its own objects define (src/toolchain/export-directory.ts). */
function assembleExportDirectory(work: string, output: string, objects: readonly string[]): string {
  const source = join(work, 'exports.asm'), object = join(work, 'exports.o');
  writeFileSync(source, exportDirectorySource(basename(output), exportedSymbols(objects)));
  runTool('nasm', [...NASM_FLAGS, '-o', object, source]);
  return object;
}

/**
 * Writes the stack reservation into PT_GNU_STACK's p_memsz, as `ld -z
 * stack-size` does; ld ignores that option when the linker script lists the
 * program headers itself, as the SDK's does.
 */
function recordStackReserve(elf: string, bytes: number): void {
  const PT_GNU_STACK = 0x6474e551;
  const file = readFileSync(elf);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const phoff = view.getUint32(28, true), phnum = view.getUint16(44, true);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * 32;
    if (view.getUint32(at, true) !== PT_GNU_STACK) continue;
    view.setUint32(at + 20, bytes, true);
    writeFileSync(elf, file);
    return;
  }
  throw new BuildError(`${elf}: no PT_GNU_STACK header to record the stack size in`);
}

function compileSource(source: string, object: string, cflags: readonly string[], diagnostics: string[]): string {
  switch (extname(source)) {
    case '.c': runTool('gcc', [...CC_FLAGS, ...includeFlags(), ...cflags, '-c', '-o', object, source], diagnostics); break;
    case '.asm': case '.s': case '.nasm': runTool('nasm', [...NASM_FLAGS, '-o', object, source], diagnostics); break;
    default: throw new BuildError(`${source}: unknown source type (expected .c or .asm)`);
  }
  return object;
}
