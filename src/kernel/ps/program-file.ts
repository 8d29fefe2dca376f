// The program a created process runs: a file in the creator's --root
// sandbox, opened once and checked on the descriptor (as NtCreateFile does),
// then parsed like the first program (ELF or PE32 by content); and its
// command line split into argv.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import {
  STATUS_ACCESS_DENIED, STATUS_FILE_IS_A_DIRECTORY, STATUS_INVALID_IMAGE_FORMAT, STATUS_INVALID_IMAGE_NOT_MZ, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_PATH_NOT_FOUND,
  type NtStatus,
} from '../../nt/status.js';
import { checkOpenedDescriptor } from '../io/host-file-checks.js';
import type { Sandbox } from '../io/sandbox.js';
import { parseElf32 } from '../loader/elf32.js';
import { BadImageError, type LoadableImage } from '../loader/loadable-image.js';
import { isPe, parsePe32 } from '../loader/pe32.js';

const MAX_PROGRAM_FILE = 256 << 20;

/** A program file as the child sees it: the parsed image and its path in the guest's namespace (C:\dir\prog.exe). */
export interface ProgramFileImage {
  image: LoadableImage;
  guestPath: string;
}

/**
 * Reads and parses the program at `guestPath` (C:\…, \…, or relative to the
 * root). Without a sandbox no file exists (STATUS_OBJECT_PATH_NOT_FOUND); a
 * missing file is STATUS_OBJECT_NAME_NOT_FOUND, a directory
 * STATUS_FILE_IS_A_DIRECTORY, anything the sandbox refuses its status. A
 * file that is not a program fails with the status NtCreateSection(SEC_IMAGE)
 * gives it (STATUS_INVALID_IMAGE_NOT_MZ, _PROTECT, _WIN_64, …; an ELF file's
 * faults and a DLL STATUS_INVALID_IMAGE_FORMAT), all of which CreateProcess
 * reports as ERROR_BAD_EXE_FORMAT.
 */
export function loadProgramFile(sandbox: Sandbox | undefined, guestPath: string): ProgramFileImage | NtStatus {
  if (!sandbox) return STATUS_OBJECT_PATH_NOT_FOUND;
  const host = sandbox.resolve(guestPath.replace(/^\\\?\?\\/, ''));
  if (typeof host === 'number') return host;
  let fd: number;
  try {
    fd = openSync(host, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? STATUS_OBJECT_NAME_NOT_FOUND : code === 'ENOTDIR' ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_ACCESS_DENIED;
  }
  try {
    const check = checkOpenedDescriptor(fd, sandbox.rootOf(host));
    if (check.kind === 'directory') return STATUS_FILE_IS_A_DIRECTORY;
    if (check.kind !== 'file') return STATUS_ACCESS_DENIED;
    const size = fstatSync(fd).size;
    if (size === 0 || size > MAX_PROGRAM_FILE) return STATUS_INVALID_IMAGE_FORMAT;
    const bytes = new Uint8Array(size);
    readSync(fd, bytes, 0, size, 0);
    return { image: parseProgram(guestPath, bytes), guestPath: sandbox.guestNameOf(host) };
  } catch (error) {
    if (error instanceof BadImageError) return error.status;
    throw error;
  } finally {
    closeSync(fd);
  }
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** ELF by its magic, PE32 from an MZ header, anything else not MZ; throws BadImageError with the status. */
function parseProgram(name: string, bytes: Uint8Array): LoadableImage {
  if (ELF_MAGIC.every((byte, i) => bytes[i] === byte)) return parseElf32(name, bytes);
  if (!isPe(bytes)) throw new BadImageError(name, 'neither an ELF file nor an MZ executable', STATUS_INVALID_IMAGE_NOT_MZ);
  const image = parsePe32(name, bytes);
  // CreateProcess refuses an image that is a DLL with ERROR_BAD_EXE_FORMAT (ReactOS kernel32 CreateProcessInternalW checks IMAGE_FILE_DLL).
  if (image.pe?.dll) throw new BadImageError(name, 'a DLL, not a program', STATUS_INVALID_IMAGE_FORMAT);
  return image;
}

/**
 * CommandLineToArgvW's rules (and the Microsoft C runtime's): the program
 * name is everything up to the first space, or between quotes with no
 * escapes; after it, arguments are separated by spaces and tabs, quotes
 * group, 2n backslashes before a quote are n backslashes and the quote
 * toggles grouping, 2n+1 are n and a literal quote, "" inside quotes is a
 * literal quote, and other backslashes are themselves.
 */
export function splitCommandLine(line: string): string[] {
  const argv: string[] = [];
  let i = 0;
  if (line.startsWith('"')) {
    const end = line.indexOf('"', 1);
    argv.push(end < 0 ? line.slice(1) : line.slice(1, end));
    i = end < 0 ? line.length : end + 1;
  } else {
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
    argv.push(line.slice(0, i));
  }
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) return argv;
    let argument = '', quoted = false;
    while (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) {
      let backslashes = 0;
      while (line[i] === '\\') { backslashes++; i++; }
      if (line[i] === '"') {
        argument += '\\'.repeat(backslashes >> 1);
        if (backslashes & 1) { argument += '"'; i++; continue; }
        if (quoted && line[i + 1] === '"') { argument += '"'; i += 2; continue; }
        quoted = !quoted;
        i++;
        continue;
      }
      argument += '\\'.repeat(backslashes);
      if (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) argument += line[i++];
    }
    argv.push(argument);
  }
}
