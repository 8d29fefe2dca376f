// What the loaders produce: an entry point and segments, already checked.
import { STATUS_INVALID_IMAGE_FORMAT, type NtStatus } from '../../nt/status.js';

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

/** What a PE32 file's headers say beyond its segments (pe32.ts). */
export interface PeImageInfo {
  /** OptionalHeader.ImageBase: the preferred base. */
  imageBase: number;
  /** OptionalHeader.SizeOfImage rounded up to pages: the image view's size in bytes. */
  sizeOfImage: number;
  /** IMAGE_FILE_DLL. */
  dll: boolean;
  /** Base relocations present and not stripped: the image may be mapped elsewhere. */
  relocatable: boolean;
  /** OptionalHeader.SizeOfStackCommit in bytes. */
  stackCommitBytes: number;
  /** RVA of each export by name (the export directory, read from the file); a forwarder's RVA is its string's. */
  exports: ReadonlyMap<string, number>;
  /** The forwarded exports by name: their target, `DLL.Function` or `DLL.#ordinal` (an RVA inside the export directory). */
  forwarders: ReadonlyMap<string, string>;
  /** DLL names of the import directory, in its order. */
  importedDlls: readonly string[];
}

export interface LoadableImage {
  fileName: string;
  entry: number;
  segments: ImageSegment[];
  /** The stack reservation the file asks for (ELF PT_GNU_STACK's p_memsz, set by `ld -z stack-size=N`; PE SizeOfStackReserve). */
  stackReserveBytes?: number;
  /** Set for PE32 images. */
  pe?: PeImageInfo;
  /**
   * The runtime's RtlUserThreadStart in an ELF program (from its symbol
   * table): where the kernel starts the threads it creates in the process,
   * as Windows starts them at ntdll's. Absent when the program has none.
   */
  userThreadStart?: number;
}

/** A file that cannot be run: the message says why, in one line; `status` is what NtCreateSection(SEC_IMAGE) returns for it. */
export class BadImageError extends Error {
  constructor(readonly fileName: string, detail: string, readonly status: NtStatus = STATUS_INVALID_IMAGE_FORMAT) {
    super(`${fileName}: ${detail}`);
    this.name = 'BadImageError';
  }
}
