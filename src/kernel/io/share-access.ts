// Share access: what the opens of one file allow each other (IoCheckShareAccess,
// WRK io/iomgr/iosubs.c; "Creating and Opening Files" in the Win32 docs). An
// open that reads, writes or deletes data is counted with the sharing it
// grants; a later open is refused with STATUS_SHARING_VIOLATION when it wants
// an access an earlier open does not share, or shares less than an earlier
// open uses. System-wide: every process's opens of a file count.
import { STATUS_SHARING_VIOLATION, type NtStatus } from '../../nt/status.js';

export const FILE_SHARE_READ = 0x1, FILE_SHARE_WRITE = 0x2, FILE_SHARE_DELETE = 0x4;

/** The data accesses share checks look at, from a desired access (generic rights mapped as the file object type maps them). */
export interface DataAccess { read: boolean; write: boolean; delete: boolean }

const FILE_READ_DATA = 0x1, FILE_WRITE_DATA = 0x2, FILE_APPEND_DATA = 0x4, FILE_EXECUTE = 0x20, DELETE = 0x10000;
const GENERIC_READ = 0x80000000, GENERIC_WRITE = 0x40000000, GENERIC_EXECUTE = 0x20000000, GENERIC_ALL = 0x10000000;
const MAXIMUM_ALLOWED = 0x02000000;

/** IoCheckShareAccess's ReadAccess, WriteAccess and DeleteAccess of a desired access mask. */
export function dataAccessOf(access: number): DataAccess {
  const all = (access & (GENERIC_ALL | MAXIMUM_ALLOWED)) !== 0;
  return {
    read: all || (access & (GENERIC_READ | GENERIC_EXECUTE | FILE_READ_DATA | FILE_EXECUTE)) !== 0,
    write: all || (access & (GENERIC_WRITE | FILE_WRITE_DATA | FILE_APPEND_DATA)) !== 0,
    delete: all || (access & DELETE) !== 0,
  };
}

/** SHARE_ACCESS: the counts of one file's opens. */
interface ShareCounts { openCount: number; readers: number; writers: number; deleters: number; sharedRead: number; sharedWrite: number; sharedDelete: number }

/** The share state of every open file, keyed by the host file's identity (device and inode). */
export class ShareAccessTable {
  private readonly files = new Map<string, ShareCounts>();

  /**
   * Checks an open of `file` and records it (IoCheckShareAccess with Update);
   * returns a function that removes it (IoRemoveShareAccess, at the last
   * handle's close), or STATUS_SHARING_VIOLATION.
   */
  open(file: string, access: DataAccess, share: number): (() => void) | NtStatus {
    if (!access.read && !access.write && !access.delete) return () => {};
    const shares = { read: (share & FILE_SHARE_READ) !== 0, write: (share & FILE_SHARE_WRITE) !== 0, delete: (share & FILE_SHARE_DELETE) !== 0 };
    const counts = this.files.get(file) ?? { openCount: 0, readers: 0, writers: 0, deleters: 0, sharedRead: 0, sharedWrite: 0, sharedDelete: 0 };
    if ((access.read && counts.sharedRead < counts.openCount) || (access.write && counts.sharedWrite < counts.openCount)
      || (access.delete && counts.sharedDelete < counts.openCount) || (counts.readers > 0 && !shares.read)
      || (counts.writers > 0 && !shares.write) || (counts.deleters > 0 && !shares.delete)) return STATUS_SHARING_VIOLATION;
    const change = (sign: 1 | -1): void => {
      counts.openCount += sign;
      counts.readers += access.read ? sign : 0;
      counts.writers += access.write ? sign : 0;
      counts.deleters += access.delete ? sign : 0;
      counts.sharedRead += shares.read ? sign : 0;
      counts.sharedWrite += shares.write ? sign : 0;
      counts.sharedDelete += shares.delete ? sign : 0;
    };
    change(1);
    this.files.set(file, counts);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      change(-1);
      if (counts.openCount === 0) this.files.delete(file);
    };
  }
}
