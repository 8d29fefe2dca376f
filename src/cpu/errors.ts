/** A failed Unicorn call: the uc_err code and the library's own text. */
export class UnicornError extends Error {
  constructor(
    readonly call: string,
    readonly code: number,
    readonly ucText: string,
  ) {
    super(`${call} failed: ${ucText} (uc_err ${code})`);
    this.name = 'UnicornError';
  }
}

/** Throws UnicornError for a non-zero uc_err. */
export function checkUcResult(lib: { strerror(code: number): string }, call: string, rc: number): void {
  if (rc !== 0) throw new UnicornError(call, rc, lib.strerror(rc));
}
