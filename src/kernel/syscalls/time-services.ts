// Waiting for time to pass. mmscope runs one thread, so a wait that only
// time can end ends at once with the kernel's clock moved ahead (see
// system-clock.ts).
import { STATUS_SUCCESS } from '../../nt/status.js';
import type { NtService } from './nt-service.js';

/** KeDelayExecutionThread's "forever": the most negative LARGE_INTEGER (kernel32 passes it for Sleep(INFINITE)). */
export const INFINITE_DELAY = -(1n << 63n);

/**
 * NtDelayExecution(Alertable, *DelayInterval): DelayInterval is a
 * LARGE_INTEGER in 100 ns units, negative for a time relative to now and
 * positive for an absolute system time (Windows' convention for every
 * timeout); 0 only yields. Returns STATUS_SUCCESS when the time has passed
 * (STATUS_ALERTED and STATUS_USER_APC cannot happen: there are no APCs).
 * A DelayInterval that cannot be read is STATUS_ACCESS_VIOLATION. An
 * infinite delay never ends on Windows; with one thread nothing could wake
 * it, so mmscope stops running it and the run ends as `waits-forever` (Process.waitForever).
 */
export const NtDelayExecution: NtService = {
  number: 0x3b,
  name: 'NtDelayExecution',
  argCount: 2,
  handler({ process }, [, intervalAddress]) {
    const bytes = process.memory.read(intervalAddress!, 8);
    const interval = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
    if (interval === INFINITE_DELAY) {
      process.waitForever();
      return STATUS_SUCCESS;
    }
    const clock = process.clock;
    clock.advance(interval < 0n ? -interval : interval - clock.systemTime());
    return STATUS_SUCCESS;
  },
};
