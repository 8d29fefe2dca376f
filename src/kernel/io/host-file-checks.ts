// What a descriptor the sandbox opened may be, checked on the descriptor
// itself (not on a name, which may have changed since): a regular file, on a
// real file system, inside the root.
//
// Only regular files (and directories, which the file services refuse on
// their own) are files to the guest. FIFOs, sockets and device nodes are
// opened with O_NONBLOCK, so the open itself never waits for a peer, and then
// refused with STATUS_ACCESS_DENIED: the status Windows gives a caller that
// may not open a device. Files on the host's pseudo file systems (procfs —
// /proc/self/mem is the emulator's own memory —, sysfs, debugfs, cgroup,
// devpts and the like, told apart by statfs's f_type) are refused the same way.
import { fstatSync, readlinkSync, statfsSync, type Stats } from 'node:fs';
import { relative, isAbsolute } from 'node:path';

/** statfs f_type values of Linux pseudo file systems (linux/magic.h). */
const PSEUDO_FILE_SYSTEMS = new Set([
  0x9fa0,       // PROC_SUPER_MAGIC
  0x62656572,   // SYSFS_MAGIC
  0x64626720,   // DEBUGFS_MAGIC
  0x74726163,   // TRACEFS_MAGIC
  0x73636673,   // SECURITYFS_MAGIC
  0x27e0eb,     // CGROUP_SUPER_MAGIC
  0x63677270,   // CGROUP2_SUPER_MAGIC
  0x1cd1,       // DEVPTS_SUPER_MAGIC
  0xcafe4a11,   // BPF_FS_MAGIC
  0x6165676c,   // PSTOREFS_MAGIC
  0xde5e81e4,   // EFIVARFS_MAGIC
  0x62656570,   // CONFIGFS_MAGIC
  0x65735543,   // FUSECTL_SUPER_MAGIC
  0x42494e4d,   // BINFMTFS_MAGIC
  0x6e736673,   // NSFS_MAGIC
  0x19800202,   // MQUEUE_MAGIC
  0xf97cff8c,   // SELINUX_MAGIC
]);

/** The path the kernel's /proc/self/fd link gives for an open descriptor. */
export function pathOfDescriptor(fd: number): string {
  return readlinkSync(`/proc/self/fd/${fd}`);
}

export function isPseudoFileSystem(path: string): boolean {
  return PSEUDO_FILE_SYSTEMS.has(Number(statfsSync(path).type) >>> 0);
}

/** A path on a pseudo file system, or a host error (the file is gone): treat both as not a file. */
export function isOnPseudoFileSystem(path: string): boolean {
  try {
    return isPseudoFileSystem(path);
  } catch {
    return true;
  }
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export type DescriptorCheck = { kind: 'file'; stats: Stats; path: string } | { kind: 'directory' } | { kind: 'refused' };

/**
 * What `fd` really is: a regular file inside `root` on a real file system,
 * a directory, or something the guest may not open.
 */
export function checkOpenedDescriptor(fd: number, root: string): DescriptorCheck {
  const stats = fstatSync(fd);
  if (stats.isDirectory()) return { kind: 'directory' };
  if (!stats.isFile()) return { kind: 'refused' };
  const path = pathOfDescriptor(fd);
  if (!isInside(root, path) || isOnPseudoFileSystem(`/proc/self/fd/${fd}`)) return { kind: 'refused' };
  return { kind: 'file', stats, path };
}
