// The page file on the host: a real file, created for the run in a temporary
// directory (and deleted at the end) or at a path the user keeps
// (--pagefile-path). It is sized to the page file up front as a sparse file,
// so only written pages take disk space. A device (a raw partition, /dev/full
// in the tests) is used as it is: it has its own size.
import { closeSync, fstatSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_SIZE } from '../../mm/layout.js';
import { PagingIoError, type PagingStore } from '../../mm/page-file.js';

/** The page file could not be created or used on the host (a bad --pagefile-path, a full disk). */
export class PagingFileError extends Error {
  /** `cause`: the host's error (its errno code says why). */
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`cannot create the page file ${path}: ${(cause as Error).message}`);
    this.name = 'PagingFileError';
  }
}

export class HostPagingFile implements PagingStore {
  readonly path: string;
  private readonly fd: number;
  private readonly temporaryDirectory: string | undefined;
  private closed = false;

  /** `pages`: slots the file must hold; `path`: keep the file there (else a temporary one). */
  constructor(pages: number, path?: string) {
    this.temporaryDirectory = path === undefined ? mkdtempSync(join(tmpdir(), 'mmscope-')) : undefined;
    this.path = path ?? join(this.temporaryDirectory!, 'pagefile.sys');
    try {
      this.fd = openSync(this.path, 'w+', 0o600);
      if (fstatSync(this.fd).isFile()) ftruncateSync(this.fd, pages * PAGE_SIZE);
    } catch (error) {
      this.removeTemporary();
      throw new PagingFileError(this.path, error);
    }
  }

  write(slot: number, pages: Uint8Array): void {
    try {
      let done = 0;
      while (done < pages.length) done += writeSync(this.fd, pages, done, pages.length - done, slot * PAGE_SIZE + done);
    } catch (error) {
      throw this.ioError('write', error);
    }
  }

  read(slot: number, into: Uint8Array): void {
    try {
      let done = 0;
      while (done < into.length) {
        const n = readSync(this.fd, into, done, into.length - done, slot * PAGE_SIZE + done);
        if (n === 0) { into.fill(0, done); break; }
        done += n;
      }
    } catch (error) {
      throw this.ioError('read', error);
    }
  }

  /** "no space left on device (ENOSPC)" from Node's "ENOSPC: no space left on device, write". */
  private ioError(operation: 'read' | 'write', error: unknown): PagingIoError {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error instanceof Error ? error.message : String(error);
    const text = /^[A-Z0-9]+: (.*?)(, \w+)?$/.exec(message)?.[1] ?? message;
    return new PagingIoError(operation, this.path, code, code ? `${text} (${code})` : text);
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    this.removeTemporary();
  }

  private removeTemporary(): void {
    if (this.temporaryDirectory) rmSync(this.temporaryDirectory, { recursive: true, force: true });
  }
}
