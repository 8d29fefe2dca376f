// Builds a guest program (C or nasm source) into a static i386 ELF with the SDK.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { CC_FLAGS, LINK_FLAGS, LINK_LIBRARIES, NASM_FLAGS } from './flags.js';
import { guestPaths } from './paths.js';
import { buildRuntimeLibrary, includeFlags } from './runtime-library.js';
import { BuildError, runTool } from './tools.js';

export interface BuildRequest {
  sources: readonly string[];
  output: string;
  /** Extra flags for gcc (e.g. -O0, -DNAME). */
  cflags?: readonly string[];
}

/**
 * C sources get the SDK headers; any object may define `main` (the SDK's
 * crt0 calls it) or its own `_start` (then crt0 is left out, as for a
 * Linux-ABI program that must also run under qemu-i386).
 */
export function buildGuest(request: BuildRequest): void {
  if (request.sources.length === 0) throw new BuildError('no source files given');
  const runtime = buildRuntimeLibrary();
  const work = mkdtempSync(join(tmpdir(), 'mmscope-build-'));
  try {
    const objects = request.sources.map((source, i) => compileSource(source, join(work, `${i}.o`), request.cflags ?? []));
    const definesStart = objects.some((object) => /\sT _start$/m.test(runTool('nm', ['-g', object])));
    const startup = definesStart ? [] : [runtime.crt0];
    runTool('gcc', [...LINK_FLAGS, '-T', guestPaths().linkerScript, '-o', request.output, ...startup, ...objects, runtime.archive, ...LINK_LIBRARIES]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function compileSource(source: string, object: string, cflags: readonly string[]): string {
  switch (extname(source)) {
    case '.c': runTool('gcc', [...CC_FLAGS, ...includeFlags(), ...cflags, '-c', '-o', object, source]); break;
    case '.asm': case '.s': case '.nasm': runTool('nasm', [...NASM_FLAGS, '-o', object, source]); break;
    default: throw new BuildError(`${source}: unknown source type (expected .c or .asm)`);
  }
  return object;
}
