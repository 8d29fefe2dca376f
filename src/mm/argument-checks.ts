// A service's argument validation as one table, in the order Windows
// performs the checks, so the order is visible and testable: each row is a
// parameter check (the first that fails gives the service's status) or a
// capture step that probes and reads the caller's pointers (a bad pointer
// raises UserAccessViolation there, which the dispatcher answers with
// STATUS_ACCESS_VIOLATION). Work starts only after the last row.
import type { NtStatus } from '../nt/status.js';

export type ArgumentCheck<C> =
  /** `statusOf`, when present, says which status this failure is (a handle check: invalid, wrong type, access denied). */
  | { readonly check: string; readonly fails: (c: C) => boolean; readonly status: NtStatus; readonly statusOf?: (c: C) => NtStatus }
  | { readonly capture: string; readonly run: (c: C) => void };

/** Runs the rows in order; the status of the first failing check, else undefined (all passed, every capture done). */
export function runArgumentChecks<C>(checks: readonly ArgumentCheck<C>[], context: C): NtStatus | undefined {
  for (const row of checks) {
    if ('capture' in row) row.run(context);
    else if (row.fails(context)) return row.statusOf?.(context) ?? row.status;
  }
  return undefined;
}
