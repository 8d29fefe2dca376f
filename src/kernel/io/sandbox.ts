// Guest file names to host paths, inside one sandbox root. A guest sees the
// root as C:\ and nothing outside it: `..`, other drives, UNC and device
// paths, reserved device names and links that lead out of the root are
// refused with the NTSTATUS Windows gives for such names.
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, join, relative, isAbsolute, sep } from 'node:path';
import {
  STATUS_ACCESS_DENIED, STATUS_OBJECT_NAME_INVALID, STATUS_OBJECT_PATH_NOT_FOUND, type NtStatus,
} from '../../nt/status.js';

const RESERVED_DEVICE = /^(con|prn|aux|nul|com[1-9]|lpt[1-9]|conin\$|conout\$)(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTERS = /[<>:"|?*\u0000-\u001f]/;

export class Sandbox {
  /** The root with every link resolved: what opened descriptors are checked against. */
  readonly realRoot: string;
  /** Writes, creations and truncations refused because the root is read-only. */
  writesRefused = 0;

  /**
   * `readOnly`: the guest may read files but not create, write or truncate
   * them; those answer STATUS_MEDIA_WRITE_PROTECTED, as on a write-protected
   * volume (mmscope run without --root).
   */
  constructor(readonly root: string, readonly readOnly = false) {
    this.realRoot = realpathSync(root);
  }

  /** The host path for a guest name, or the status that refuses it. */
  resolve(guestName: string): string | NtStatus {
    const components = this.components(guestName);
    if (typeof components === 'number') return components;
    const host = join(this.realRoot, ...components);
    return this.inside(host) ? host : STATUS_ACCESS_DENIED;
  }

  /** The guest's view of a host path inside the root (C:\...). */
  guestNameOf(hostPath: string): string {
    return 'C:\\' + relative(this.realRoot, hostPath).split(sep).join('\\');
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

  /** Follows links: the path, or its deepest existing ancestor, must stay inside the root. */
  private inside(host: string): boolean {
    let probe = host;
    while (!exists(probe) && dirname(probe) !== probe) probe = dirname(probe);
    let real: string;
    try {
      real = realpathSync(probe);
    } catch {
      return false; // a dangling link
    }
    const rel = relative(this.realRoot, real);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  }
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
