// Guest file names to host paths, inside one sandbox root. A guest sees the
// root as C:\ and nothing outside it, except the system directory: with one
// given, C:\Windows\System32 is that host directory (the SDK's built system
// DLLs), always read-only, whether or not there is a root. Everywhere, `..`, other drives, UNC and device
// paths, reserved device names and links that lead out of the root are
// refused with the NTSTATUS Windows gives for such names.
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';
import {
  STATUS_ACCESS_DENIED, STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_PATH_NOT_FOUND, type NtStatus,
} from '../../nt/status.js';

const RESERVED_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9]|conin\$|conout\$)(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTERS = /[<>:"|?*\u0000-\u001f]/;

const SYSTEM32 = ['windows', 'system32'];

export class Sandbox {
  /** The root with every link resolved: what opened descriptors are checked against (undefined: only the system directory exists). */
  readonly realRoot: string | undefined;
  /** The system directory with every link resolved (set late when an ELF program's first PE child needs it). */
  private systemDirectory: string | undefined;
  /** Writes, creations and truncations refused because the root is read-only. */
  writesRefused = 0;

  /**
   * `readOnly`: the guest may read files but not create, write or truncate
   * them; those answer STATUS_MEDIA_WRITE_PROTECTED, as on a write-protected
   * volume (mmscope run without --root).
   */
  constructor(readonly root: string | undefined, readonly readOnly = false, systemDirectory?: string) {
    this.realRoot = root === undefined ? undefined : realpathSync(root);
    if (systemDirectory !== undefined) this.attachSystemDirectory(systemDirectory);
  }

  /** The system directory with every link resolved, if the guest has one. */
  get realSystemDirectory(): string | undefined { return this.systemDirectory; }

  /** Makes `directory` the guest's C:\Windows\System32 from now on (the system DLLs, built when first needed). */
  attachSystemDirectory(directory: string): void {
    this.systemDirectory = realpathSync(directory);
  }

  /** The host path for a guest name, or the status that refuses it. */
  resolve(guestName: string): string | NtStatus {
    const components = this.components(guestName);
    if (typeof components === 'number') return components;
    const system = this.realSystemDirectory;
    if (system !== undefined && components.length >= 2 && SYSTEM32.every((part, i) => components[i]!.toLowerCase() === part)) {
      const host = join(system, ...components.slice(2).map((name) => caseInsensitiveName(system, name)));
      return inside(system, host) ? host : STATUS_ACCESS_DENIED;
    }
    if (this.realRoot === undefined) return STATUS_OBJECT_PATH_NOT_FOUND;
    const host = join(this.realRoot, ...components);
    return inside(this.realRoot, host) ? host : STATUS_ACCESS_DENIED;
  }

  /** Whether a resolved host path is in the system directory (read-only whatever the root is). */
  inSystemDirectory(hostPath: string): boolean {
    return this.realSystemDirectory !== undefined && isUnder(this.realSystemDirectory, hostPath);
  }

  /** The directory a resolved host path must stay inside: the system directory or the root. */
  rootOf(hostPath: string): string {
    return this.inSystemDirectory(hostPath) ? this.realSystemDirectory! : this.realRoot!;
  }

  /** The guest's view of a resolved host path (C:\...). */
  guestNameOf(hostPath: string): string {
    if (this.inSystemDirectory(hostPath)) return ['C:', 'Windows', 'System32', ...relative(this.realSystemDirectory!, hostPath).split(sep).filter(Boolean)].join('\\');
    return 'C:\\' + relative(this.realRoot!, hostPath).split(sep).join('\\');
  }

  private components(name: string): string[] | NtStatus {
    let path = name.replace(/\//g, '\\');
    if (path.startsWith('\\??\\')) path = path.slice(4);
    if (path.startsWith('\\\\.\\') || path.startsWith('\\\\?\\')) return STATUS_OBJECT_NAME_INVALID; // device namespace
    if (path.startsWith('\\\\')) return STATUS_OBJECT_PATH_NOT_FOUND;                                 // UNC: no network here
    const drive = /^([a-zA-Z]):/.exec(path);
    if (drive) {
      if (drive[1]!.toUpperCase() !== 'C') return STATUS_OBJECT_PATH_NOT_FOUND;
      path = path.slice(2);
    }
    const parts = path.split('\\').filter((part) => part !== '' && part !== '.');
    if (parts.length === 0) return STATUS_OBJECT_NAME_INVALID;
    for (const part of parts) {
      if (part === '..' || RESERVED_DEVICE.test(part) || INVALID_CHARACTERS.test(part) || /[. ]$/.test(part)) return STATUS_OBJECT_NAME_INVALID;
    }
    return parts;
  }

}

/** A file of the system directory by Windows' case-insensitive match ("KERNEL32.dll" is kernel32.dll); the name itself when none matches. */
function caseInsensitiveName(directory: string, name: string): string {
  try {
    return readdirSync(directory).find((entry) => entry.toLowerCase() === name.toLowerCase()) ?? name;
  } catch {
    return name;
  }
}

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Follows links: the path, or its deepest existing ancestor, must stay inside `root`. */
function inside(root: string, host: string): boolean {
  let probe = host;
  while (!exists(probe) && dirname(probe) !== probe) probe = dirname(probe);
  let real: string;
  try {
    real = realpathSync(probe);
  } catch {
    return false; // a dangling link
  }
  return isUnder(root, real);
}

/** Exists as a name, even as a link to nothing (which realpath then refuses). */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
