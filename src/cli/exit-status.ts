// mmscope's exit statuses follow timeout(1) and env(1) (GNU coreutils,
// POSIX's "utility cannot be invoked / not found" statuses):
//
//   0-123  the guest's own exit status, as a shell sees it (the low byte of
//          the 32-bit status; for an unhandled exception, of its NTSTATUS)
//   124    the guest was stopped: --timeout, --max-insns, or it waits forever
//   125    mmscope itself failed: a bad option, a host I/O error, a bug
//   126    the program cannot be run: a bad image, the process could not be created
//   127    the program file was not found
//   128+N  mmscope was killed by signal N
//
// A guest may itself exit with 124-255; `--json` tells those apart (its
// `reason` and the guest's full `exitStatus`).
export const EXIT_STOPPED = 124;
export const EXIT_FAILED = 125;
export const EXIT_CANNOT_RUN = 126;
export const EXIT_NOT_FOUND = 127;
/** `mmscope build`: the compiler, assembler or linker failed (as gcc and make exit). */
export const EXIT_BUILD_FAILED = 1;

/** The status a shell sees for a guest's 32-bit exit status. */
export function guestExitStatus(status: number): number {
  return status & 0xff;
}

/** The exit-status table, as --help and the README print it. */
export const EXIT_STATUS_HELP = `Exit status: the guest's own (the low byte of its exit status, or of the
NTSTATUS of the exception that ended it; the full value is printed on stderr
and in --json), or mmscope's, as timeout(1) and env(1) use them:
  ${EXIT_STOPPED}  the guest was stopped: --timeout, --max-insns, or it waits forever
  ${EXIT_FAILED}  mmscope failed: a bad option, a host I/O error, an internal error
  ${EXIT_CANNOT_RUN}  the program cannot be run: a bad image, process creation failed
  ${EXIT_NOT_FOUND}  the program file was not found
A guest can exit with 124-127 itself: --json's "reason" tells them apart.
`;
