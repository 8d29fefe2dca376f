// The guest runtime (guest/runtime) built once into guest/build, keyed by a
// hash of its sources, the flags and the NT service table, so a change to
// any of them rebuilds it and nothing stale is ever linked.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NT_SERVICES } from '../kernel/syscalls/nt-service-table.js';
import { CC_FLAGS, NASM_FLAGS } from './flags.js';
import { guestPaths } from './paths.js';
import { runTool } from './tools.js';

export interface RuntimeLibrary {
  crt0: string;
  archive: string;
}

/** One stdcall stub per service: EAX = number, EDX = the caller's arguments, `ret` pops them. */
export function generateNtServiceStubs(): string {
  const lines = ['; generated from src/kernel/syscalls/nt-service-table.ts', 'bits 32', 'section .text'];
  for (const service of NT_SERVICES) {
    lines.push(
      `global ${service.name}`,
      `${service.name}:`,
      `    mov eax, 0x${service.number.toString(16)}`,
      '    lea edx, [esp + 4]',
      '    int 0x2e',
      `    ret ${service.argCount * 4}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function buildRuntimeLibrary(): RuntimeLibrary {
  const paths = guestPaths();
  const sources = readdirSync(paths.runtime).filter((f) => /\.(c|asm)$/.test(f)).sort();
  const hash = createHash('sha256');
  // Every runtime file counts, headers included: a change to any of them rebuilds the library.
  for (const file of readdirSync(paths.runtime).sort()) hash.update(file).update(readFileSync(join(paths.runtime, file)));
  for (const file of readdirSync(paths.include).sort()) hash.update(file).update(readFileSync(join(paths.include, file)));
  hash.update(JSON.stringify([CC_FLAGS, NASM_FLAGS])).update(generateNtServiceStubs());
  const directory = join(paths.build, `runtime-${hash.digest('hex').slice(0, 16)}`);
  const library = { crt0: join(directory, 'crt0.o'), archive: join(directory, 'libmmscope.a') };
  if (existsSync(library.archive)) return library;

  // Build in a private directory and rename it into place, so concurrent builds never see half a library.
  const staging = `${directory}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    const objects: string[] = [];
    writeFileSync(join(staging, 'ntstubs.asm'), generateNtServiceStubs());
    for (const file of [...sources.map((f) => join(paths.runtime, f)), join(staging, 'ntstubs.asm')]) {
      const object = join(staging, file.replace(/^.*\//, '').replace(/\.(c|asm)$/, '.o'));
      if (file.endsWith('.asm')) runTool('nasm', [...NASM_FLAGS, '-o', object, file]);
      else runTool('gcc', [...CC_FLAGS, ...includeFlags(), '-c', '-o', object, file]);
      if (!file.endsWith('crt0.asm')) objects.push(object);
    }
    runTool('ar', ['rcs', join(staging, 'libmmscope.a'), ...objects]);
    try {
      renameSync(staging, directory);
    } catch {
      if (!existsSync(library.archive)) throw new Error(`could not place the runtime library in ${directory}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return library;
}

/** gcc's own freestanding headers (stdint.h, stdarg.h...) and the SDK's. */
export function includeFlags(): string[] {
  const gccInclude = runTool('gcc', ['-m32', '-print-file-name=include']).trim();
  return ['-isystem', gccInclude, '-I', guestPaths().include];
}
