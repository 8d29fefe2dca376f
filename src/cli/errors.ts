// The errors the command line turns into one line and an exit status
// (exit-status.ts). Anything else that reaches main() is a bug in mmscope.

/** A usage error found after parsing (a combination of options commander cannot check): status 125. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) { super(message); this.name = 'UsageError'; }
}

/** The program file does not exist: status 127, as a shell for a command it cannot find. */
export class ProgramNotFoundError extends Error {
  constructor(readonly path: string) { super(`cannot run ${path}: no such file`); this.name = 'ProgramNotFoundError'; }
}

/** The program file exists but cannot be read (a directory, no permission): status 126. */
export class ProgramUnreadableError extends Error {
  constructor(readonly path: string, reason: string) { super(`cannot run ${path}: ${reason}`); this.name = 'ProgramUnreadableError'; }
}

/** A host file or stream of mmscope's own (a trace file, the report, stdout) failed: status 125. */
export class HostIoError extends Error {
  constructor(message: string) { super(message); this.name = 'HostIoError'; }
}

/** "no such file or directory" for ENOENT and friends: the words a user expects, not the errno. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'read-only file system';
    case 'EPIPE': return 'the reader closed the pipe';
    case 'EADDRINUSE': return 'the address is already in use';
    case 'EADDRNOTAVAIL': return 'the address is not one of this machine\'s';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'no such host';
    default: return code ?? (error instanceof Error ? error.message : String(error));
  }
}
