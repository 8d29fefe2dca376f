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
