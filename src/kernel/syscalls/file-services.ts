// File services on host files inside the sandbox: NtCreateFile, NtOpenFile,
// NtReadFile, NtWriteFile (console handles are served by console-services),
// NtQueryInformationFile and NtSetInformationFile.
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PAGE_SIZE } from '../../mm/layout.js';
import {
  STATUS_ACCESS_DENIED, STATUS_END_OF_FILE, STATUS_FILE_IS_A_DIRECTORY, STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_INFO_CLASS, STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_COLLISION,
  STATUS_MEDIA_WRITE_PROTECTED, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND, STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { KernelObject } from '../ob/handle-table.js';
import { controlAreaOfFile, hostCall, statOrUndefined, type FileObjectBody } from '../io/file-object.js';
import { HostDescriptor } from '../io/host-descriptor.js';
import { checkOpenedDescriptor, pathOfDescriptor } from '../io/host-file-checks.js';
import { dataAccessOf } from '../io/share-access.js';
import type { Sandbox } from '../io/sandbox.js';
import { flushSectionPages, updateResidentPages } from '../../mm/section-view.js';
import type { Process } from '../process.js';
import type { NtService } from './nt-service.js';
import { isConsoleHandle, writeConsoleService } from './console-services.js';
import { readLargeInteger, readObjectAttributes, writeIoStatus } from './user-structures.js';
import { insertHandle } from './object-services.js';

const GENERIC_READ = 0x80000000, GENERIC_WRITE = 0x40000000, GENERIC_ALL = 0x10000000, MAXIMUM_ALLOWED = 0x02000000;
const FILE_READ_DATA = 0x1, FILE_WRITE_DATA = 0x2, FILE_APPEND_DATA = 0x4;
const FILE_SUPERSEDE = 0, FILE_OPEN = 1, FILE_CREATE = 2, FILE_OPEN_IF = 3, FILE_OVERWRITE = 4, FILE_OVERWRITE_IF = 5;
const FILE_SUPERSEDED = 0, FILE_OPENED = 1, FILE_CREATED = 2, FILE_OVERWRITTEN = 3;
const FileStandardInformation = 5, FilePositionInformation = 14, FileEndOfFileInformation = 20;
const MAX_TRANSFER = 16 << 20;

interface OpenRequest { access: number; name: string; disposition: number; share: number }

/** Opens or creates the host file; the handle's object releases the descriptor with its last reference. */
function openFile(process: Process, request: OpenRequest): { object: KernelObject<FileObjectBody>; information: number } | NtStatus {
  const sandbox = process.sandbox;
  if (!sandbox) return STATUS_OBJECT_PATH_NOT_FOUND;
  const hostPath = sandbox.resolve(request.name);
  if (typeof hostPath === 'number') return hostPath;
  const canRead = (request.access & (GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED | FILE_READ_DATA)) !== 0;
  const canWrite = (request.access & (GENERIC_WRITE | GENERIC_ALL | MAXIMUM_ALLOWED | FILE_WRITE_DATA | FILE_APPEND_DATA)) !== 0;
  // What the name is now decides the status; what gets opened is checked again on its descriptor.
  const existing = statOrUndefined(hostPath);
  if (!existing && !statOrUndefined(dirname(hostPath))?.isDirectory()) return STATUS_OBJECT_PATH_NOT_FOUND;
  if (existing?.isDirectory()) return STATUS_FILE_IS_A_DIRECTORY;
  if (existing && !existing.isFile()) return STATUS_ACCESS_DENIED;
  if (existing && request.disposition === FILE_CREATE) return STATUS_OBJECT_NAME_COLLISION;
  if (!existing && (request.disposition === FILE_OPEN || request.disposition === FILE_OVERWRITE)) return STATUS_OBJECT_NAME_NOT_FOUND;
  const truncate = existing !== undefined && [FILE_SUPERSEDE, FILE_OVERWRITE, FILE_OVERWRITE_IF].includes(request.disposition);
  const systemFile = sandbox.inSystemDirectory(hostPath);
  if ((sandbox.readOnly || systemFile) && (canWrite || truncate || !existing)) {
    if (!systemFile) sandbox.writesRefused++;
    return STATUS_MEDIA_WRITE_PROTECTED;
  }
  if (truncate && !canWrite) return STATUS_ACCESS_DENIED;
  const opened = openChecked(sandbox, hostPath, canWrite, !existing);
  if (typeof opened === 'number') return opened;
  // The file system checks sharing before it overwrites anything.
  const stat = fstatSync(opened.fd);
  const unshare = process.shareAccess.open(`${stat.dev}:${stat.ino}`, dataAccessOf(request.access), request.share);
  if (typeof unshare === 'number') { opened.release(); return unshare; }
  if (truncate) {
    const failed = hostCall(() => ftruncateSync(opened.fd, 0));
    if (failed !== undefined) { unshare(); opened.release(); return failed; }
  }
  const body: FileObjectBody = {
    guestName: sandbox.guestNameOf(hostPath), hostPath, descriptor: opened.fd, host: opened, canRead, canWrite, position: 0,
  };
  const information = !existing ? FILE_CREATED : request.disposition === FILE_SUPERSEDE ? FILE_SUPERSEDED : truncate ? FILE_OVERWRITTEN : FILE_OPENED;
  return { object: new KernelObject('File', body, () => { unshare(); opened.release(); }, body.guestName), information };
}

/**
 * Opens `hostPath` once and checks what was opened on its descriptor: a
 * regular file inside the root on a real file system (see host-file-checks.ts).
 * O_NONBLOCK keeps a FIFO or device from holding the open; O_TRUNC is left to
 * the caller, after the check, so nothing outside the root is ever truncated.
 */
function openChecked(sandbox: Sandbox, hostPath: string, canWrite: boolean, create: boolean): HostDescriptor | NtStatus {
  const flags = (canWrite ? constants.O_RDWR : constants.O_RDONLY) | (create ? constants.O_CREAT | constants.O_EXCL : 0)
    | constants.O_NONBLOCK | constants.O_NOCTTY;
  let fd: number;
  try {
    fd = openSync(hostPath, flags, 0o644);
  } catch (error) {
    return hostErrorStatus(error);
  }
  const check = checkOpenedDescriptor(fd, sandbox.rootOf(hostPath));
  if (check.kind === 'file') return new HostDescriptor(fd, canWrite);
  // A directory swapped in for a link made us create the file elsewhere: take it back.
  if (create && check.kind === 'refused') hostCall(() => unlinkSync(pathOfDescriptor(fd)));
  closeSync(fd);
  return check.kind === 'directory' ? STATUS_FILE_IS_A_DIRECTORY : STATUS_ACCESS_DENIED;
}

function hostErrorStatus(error: unknown): NtStatus {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return STATUS_OBJECT_PATH_NOT_FOUND;
  if (code === 'EEXIST') return STATUS_OBJECT_NAME_COLLISION;
  if (code === 'ELOOP' || code === 'EACCES' || code === 'EPERM') return STATUS_ACCESS_DENIED;
  return STATUS_INVALID_PARAMETER;
}

function createOrOpen(process: Process, fileHandle: number, access: number, objectAttributes: number, ioStatusBlock: number, disposition: number, share: number): NtStatus {
  process.memory.writeU32(fileHandle, 0);
  const object = readObjectAttributes(process.memory, objectAttributes);
  if (typeof object === 'number') return object;
  if (object.name === undefined || disposition > FILE_OVERWRITE_IF) return STATUS_INVALID_PARAMETER;
  const opened = openFile(process, { access, name: object.name, disposition, share });
  if (typeof opened === 'number') return opened;
  const status = insertHandle(process, opened.object, fileHandle);
  if (status === STATUS_SUCCESS) writeIoStatus(process.memory, ioStatusBlock, STATUS_SUCCESS, opened.information);
  return status;
}

/** NtCreateFile(*FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize, FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength) */
export const NtCreateFile: NtService = {
  number: 0x25,
  name: 'NtCreateFile',
  argCount: 11,
  handler({ process }, [fileHandle, access, objectAttributes, ioStatusBlock, , , share, disposition]) {
    return createOrOpen(process, fileHandle!, access!, objectAttributes!, ioStatusBlock!, disposition!, share!);
  },
};

/** NtOpenFile(*FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess, OpenOptions) */
export const NtOpenFile: NtService = {
  number: 0x74,
  name: 'NtOpenFile',
  argCount: 6,
  handler({ process }, [fileHandle, access, objectAttributes, ioStatusBlock, share]) {
    return createOrOpen(process, fileHandle!, access!, objectAttributes!, ioStatusBlock!, FILE_OPEN, share!);
  },
};

function fileOf(process: Process, handle: number): FileObjectBody | NtStatus {
  const object = process.handles.lookup<FileObjectBody>(handle, 'File');
  return typeof object === 'number' ? object : object.body;
}

/** The offset a transfer starts at: ByteOffset if given, else the handle's position. */
function transferOffset(process: Process, file: FileObjectBody, byteOffset: number): number | NtStatus {
  if (!byteOffset) return file.position;
  const offset = readLargeInteger(process.memory, byteOffset);
  return offset === undefined ? STATUS_INVALID_PARAMETER : offset;
}

/** NtReadFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset, Key) */
export function readFileService(process: Process, [handle, , , , ioStatusBlock, buffer, length, byteOffset]: readonly number[]): NtStatus {
  const file = fileOf(process, handle!);
  if (typeof file === 'number') return file;
  if (!file.canRead) return STATUS_ACCESS_DENIED;
  if (length! > MAX_TRANSFER) return STATUS_INVALID_PARAMETER;
  const offset = transferOffset(process, file, byteOffset!);
  if (typeof offset !== 'number') return offset;
  // A view may hold newer bytes than the file: write back the pages this read covers first.
  const mapped = controlAreaOfFile(process, file);
  if (mapped && length) {
    const first = Math.floor(offset / PAGE_SIZE);
    flushSectionPages(process.space, mapped, first, Math.ceil((offset + length) / PAGE_SIZE) - first);
  }
  const bytes = new Uint8Array(length!);
  let count = 0;
  const failed = hostCall(() => { count = length ? readSync(file.descriptor, bytes, 0, length!, offset) : 0; });
  if (failed !== undefined) return failed;
  if (count === 0 && length! > 0) {
    writeIoStatus(process.memory, ioStatusBlock!, STATUS_END_OF_FILE, 0);
    return STATUS_END_OF_FILE;
  }
  process.memory.write(buffer!, bytes.subarray(0, count));
  file.position = offset + count;
  writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, count);
  return STATUS_SUCCESS;
}

/** NtWriteFile on a file handle. */
export function writeFileService(process: Process, [handle, , , , ioStatusBlock, buffer, length, byteOffset]: readonly number[]): NtStatus {
  const file = fileOf(process, handle!);
  if (typeof file === 'number') return file;
  if (!file.canWrite) return STATUS_ACCESS_DENIED;
  if (length! > MAX_TRANSFER) return STATUS_INVALID_PARAMETER;
  const offset = transferOffset(process, file, byteOffset!);
  if (typeof offset !== 'number') return offset;
  const bytes = process.memory.read(buffer!, length!);
  let done = 0;
  const failed = hostCall(() => { while (done < bytes.length) done += writeSync(file.descriptor, bytes, done, bytes.length - done, offset + done); });
  if (failed !== undefined) return failed;
  const mapped = controlAreaOfFile(process, file);
  if (mapped) updateResidentPages(process.space, mapped, offset, bytes);
  file.position = offset + done;
  writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, done);
  return STATUS_SUCCESS;
}

/** NtWriteFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length, ByteOffset, Key): the console or a file. */
export const NtWriteFile: NtService = {
  number: 0x112,
  name: 'NtWriteFile',
  argCount: 9,
  handler({ process }, args) {
    return isConsoleHandle(args[0]!) ? writeConsoleService(process, args) : writeFileService(process, args);
  },
};

export const NtReadFile: NtService = {
  number: 0xb7,
  name: 'NtReadFile',
  argCount: 9,
  handler({ process }, args) { return readFileService(process, args); },
};

/** NtQueryInformationFile(FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass) */
export const NtQueryInformationFile: NtService = {
  number: 0x97,
  name: 'NtQueryInformationFile',
  argCount: 5,
  handler({ process }, [handle, ioStatusBlock, information, length, informationClass]) {
    const file = fileOf(process, handle!);
    if (typeof file === 'number') return file;
    const out = new DataView(new ArrayBuffer(24));
    let size: number;
    if (informationClass === FileStandardInformation) {
      const fileSize = fstatSync(file.descriptor).size;
      out.setUint32(0, Math.ceil(fileSize / 4096) * 4096, true); // AllocationSize
      out.setUint32(8, fileSize, true);                          // EndOfFile
      out.setUint32(16, 1, true);                                // NumberOfLinks
      size = 24;
    } else if (informationClass === FilePositionInformation) {
      out.setUint32(0, file.position, true);
      size = 8;
    } else {
      return STATUS_INVALID_INFO_CLASS;
    }
    if (length! < size) return STATUS_INFO_LENGTH_MISMATCH;
    process.memory.write(information!, new Uint8Array(out.buffer, 0, size));
    writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, size);
    return STATUS_SUCCESS;
  },
};

/** NtSetInformationFile(FileHandle, IoStatusBlock, FileInformation, Length, FileInformationClass) */
export const NtSetInformationFile: NtService = {
  number: 0xe0,
  name: 'NtSetInformationFile',
  argCount: 5,
  handler({ process }, [handle, ioStatusBlock, information, length, informationClass]) {
    const file = fileOf(process, handle!);
    if (typeof file === 'number') return file;
    if (informationClass !== FilePositionInformation && informationClass !== FileEndOfFileInformation) return STATUS_INVALID_INFO_CLASS;
    if (length! < 8) return STATUS_INFO_LENGTH_MISMATCH;
    const value = readLargeInteger(process.memory, information!);
    if (value === undefined) return STATUS_INVALID_PARAMETER;
    if (informationClass === FilePositionInformation) {
      file.position = value;
    } else {
      if (!file.canWrite) return STATUS_ACCESS_DENIED;
      const failed = hostCall(() => ftruncateSync(file.descriptor, value));
      if (failed !== undefined) return failed;
    }
    writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, 0);
    return STATUS_SUCCESS;
  },
};
