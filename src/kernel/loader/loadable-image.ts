// What the loaders produce: an entry point and segments, already checked.
export interface ImageSegment {
  /** Virtual address of the first byte. */
  address: number;
  memorySize: number;
  /** Bytes from the file; the rest up to memorySize is zero (.bss). */
  fileBytes: Uint8Array;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}

export interface LoadableImage {
  fileName: string;
  entry: number;
  segments: ImageSegment[];
  /** The stack reservation the file asks for (ELF PT_GNU_STACK's p_memsz, set by `ld -z stack-size=N`). */
  stackReserveBytes?: number;
}

/** A file that cannot be run: the message says why, in one line. */
export class BadImageError extends Error {
  constructor(readonly fileName: string, detail: string) {
    super(`${fileName}: ${detail}`);
    this.name = 'BadImageError';
  }
}
