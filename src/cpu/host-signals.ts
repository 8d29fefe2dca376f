// SIGINT, SIGTERM and SIGHUP while the guest runs: a C handler (native/
// signal-stop.c) records the signal and stops the CPU, because Node's own
// handlers only run from the event loop, which uc_emu_start keeps busy. The
// library is built with the host's gcc on first use (native-build.ts).
import koffi from 'koffi';
import { buildNativeLibrary } from './native-build.js';

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
    const lib = koffi.load(buildNativeLibrary('signal-stop'));
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
