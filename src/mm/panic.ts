/** A broken kernel invariant: never a guest's fault, always a bug in mmscope. */
export class KernelPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelPanic';
  }
}
