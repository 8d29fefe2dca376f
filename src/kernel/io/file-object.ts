// Open files: a host descriptor inside the sandbox, the access the handle
// was opened with and its current byte offset. Files that a section maps
// share one BackingFile per host file (its control area is the file's),
// which keeps the descriptor open until the control area lets go.
import { fstatSync, ftruncateSync, readSync, statSync, writeSync, type Stats } from 'node:fs';
import type { HostDescriptor } from './host-descriptor.js';
import type { BackingFile, ControlArea } from '../../mm/section.js';
import {
  STATUS_ACCESS_DENIED, STATUS_DISK_FULL, STATUS_MAPPED_FILE_SIZE_ZERO, STATUS_SECTION_TOO_BIG, STATUS_UNEXPECTED_IO_ERROR,
  type NtStatus,
} from '../../nt/status.js';
import type { Process } from '../process.js';

export interface FileObjectBody {
  /** The name as the guest sees it (C:\...). */
  guestName: string;
  hostPath: string;
  /** host.fd: every host access goes through the descriptor the open checked. */
  descriptor: number;
  host: HostDescriptor;
  canRead: boolean;
  canWrite: boolean;
  position: number;
}

/** One per host file (device and inode) while a control area maps it; kept per process. */
export type BackingFiles = Map<string, HostBackingFile>;

export class HostBackingFile implements BackingFile {
  controlArea: ControlArea | undefined;

  /** Dirty pages go back through `host`, a reference to the descriptor of the handle the section was created from. */
  constructor(private readonly files: BackingFiles, readonly key: string, readonly name: string, private host: HostDescriptor) {}

  private get descriptor(): number { return this.host.fd; }

  /** A writable section from a writable handle: write-back needs that handle's descriptor. */
  useWritableDescriptor(host: HostDescriptor): void {
    if (this.host.writable || !host.writable) return;
    this.host.release();
    this.host = host.reference();
  }

  size(): number { return fstatSync(this.descriptor).size; }

  read(offset: number, into: Uint8Array): number {
    let done = 0;
    while (done < into.length) {
      const n = readSync(this.descriptor, into, done, into.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /**
   * Writing a dirty page back. A host failure (a full disk) loses the write,
   * as Windows' "delayed write failed" does; it must not bring the kernel down.
   */
  write(offset: number, bytes: Uint8Array): void {
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.descriptor, bytes, done, bytes.length - done, offset + done);
    } catch {
      // The page stays as it is in memory; only the file misses it.
    }
  }

  release(): void {
    this.files.delete(this.key);
    this.host.release();
  }
}

/** A host file's identity, whichever name or descriptor reaches it. */
function fileKey(descriptor: number): string {
  const stat = fstatSync(descriptor);
  return `${stat.dev}:${stat.ino}`;
}

function backingFileFor(files: BackingFiles, file: FileObjectBody): HostBackingFile {
  const key = fileKey(file.descriptor);
  let backing = files.get(key);
  if (!backing) {
    backing = new HostBackingFile(files, key, file.guestName, file.host.reference());
    files.set(key, backing);
  }
  if (file.canWrite) backing.useWritableDescriptor(file.host);
  return backing;
}

const WRITABLE_SECTION = new Set([0x04, 0x40]);     // PAGE_READWRITE, PAGE_EXECUTE_READWRITE

/**
 * The file behind NtCreateSection's FileHandle, checked as Windows checks it:
 * the handle's access must allow the section's protection, an empty file
 * cannot be mapped without a size, and a section larger than the file
 * extends the file only if the section is writable.
 */
export function fileForSection(process: Process, handle: number, protect: number, requestedSize: number): { backing: BackingFile; sectionSize: number } | NtStatus {
  const object = process.handles.lookup<FileObjectBody>(handle, 'File');
  if (typeof object === 'number') return object;
  const file = object.body;
  if (!file.canRead) return STATUS_ACCESS_DENIED;
  if (WRITABLE_SECTION.has(protect) && !file.canWrite) return STATUS_ACCESS_DENIED;
  const size = fstatSync(file.descriptor).size;
  if (size === 0 && requestedSize === 0) return STATUS_MAPPED_FILE_SIZE_ZERO;
  if (requestedSize > size) {
    if (!WRITABLE_SECTION.has(protect)) return STATUS_SECTION_TOO_BIG;
    const extended = hostCall(() => ftruncateSync(file.descriptor, requestedSize));
    if (extended !== undefined) return extended;
  }
  return { backing: backingFileFor(process.backingFiles, file), sectionSize: requestedSize || size };
}

/** Runs a host file operation; a failure becomes the NTSTATUS Windows would give for it. */
export function hostCall(operation: () => void): NtStatus | undefined {
  try {
    operation();
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT' ? STATUS_DISK_FULL : STATUS_UNEXPECTED_IO_ERROR;
  }
}

/** The control area mapping this open file, if a data section maps it. */
export function controlAreaOfFile(process: Process, file: FileObjectBody): ControlArea | undefined {
  return process.backingFiles.get(fileKey(file.descriptor))?.controlArea;
}

/** The host's stat of a path, or undefined when there is nothing there. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
