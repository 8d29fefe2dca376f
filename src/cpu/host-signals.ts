// SIGINT, SIGTERM and SIGHUP while the guest runs: a C handler (native/
// signal-stop.c) records the signal and stops the CPU, because Node's own
// handlers only run from the event loop, which uc_emu_start keeps busy. The
// library is built once with the host's gcc (needed for guests anyway) into
// guest/build/host, keyed by the source's hash.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

export interface HostSignals {
  /** The engine handle (uc_engine *) a signal stops. */
  watch(uc: unknown): void;
  /** The first signal's number, 0 while none came (a view of the C variable: reading it is a memory load). */
  readonly received: Int32Array;
}

let loaded: HostSignals | undefined | null;

/**
 * Installs the handlers (once per process) and returns them; undefined when
 * the library cannot be built or loaded (no gcc): signals then end mmscope
 * as they always do on Linux.
 */
export function installHostSignals(): HostSignals | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  try {
    const lib = koffi.load(buildLibrary());
    const install = lib.func('int mms_signals_install(void)');
    const watch = lib.func('void mms_signals_watch(void *uc)');
    const receivedAt = lib.func('void *mms_signals_received(void)');
    if (install() !== 0) throw new Error('sigaction failed');
    loaded = { watch: (uc) => watch(uc), received: new Int32Array(koffi.view(receivedAt(), 4) as ArrayBuffer) };
  } catch {
    loaded = null;
  }
  return loaded ?? undefined;
}

function buildLibrary(): string {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const source = join(packageRoot, 'native', 'signal-stop.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const directory = join(packageRoot, 'guest', 'build', 'host');
  const output = join(directory, `libmmscope-signals-${hash}.so`);
  if (existsSync(output)) return output;
  mkdirSync(directory, { recursive: true });
  const staging = `${output}.${process.pid}.tmp`;
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', staging, source, '-l:libunicorn.so.2'], { stdio: 'ignore' });
  renameSync(staging, output);
  return output;
}
