// The few C helpers in native/ (the block counter, the signal handler) are
// built with the host's gcc on first use, once per content of the source,
// into build/native (else the temp directory), linked against Debian's
// libunicorn.so.2 (the library koffi loaded).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Compiles native/NAME.c once per content; returns the .so path. Throws with gcc's message when it cannot. */
export function buildNativeLibrary(name: string): string {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const source = join(packageRoot, 'native', `${name}.c`);
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  for (const directory of [join(packageRoot, 'build', 'native'), join(tmpdir(), 'mmscope-native')]) {
    const output = join(directory, `${name}-${hash}.so`);
    if (existsSync(output)) return output;
    try {
      mkdirSync(directory, { recursive: true });
    } catch {
      continue;
    }
    const staging = `${output}.${process.pid}.tmp`;
    const gcc = spawnSync('gcc', ['-O2', '-shared', '-fPIC', '-o', staging, source, '-l:libunicorn.so.2'], { encoding: 'utf8' });
    if (gcc.status === 0) {
      renameSync(staging, output);
      return output;
    }
    if (gcc.error) throw new Error(`cannot run gcc to build ${source}: ${gcc.error.message}`);
    throw new Error(`gcc failed on ${source}: ${gcc.stderr.trim()}`);
  }
  throw new Error(`no writable directory for native/${name}.c`);
}
