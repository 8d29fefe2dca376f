/* mmscope guest SDK: the NT services (ntdll.h), console handles, and
   mmscope's own services for experiments. */
#ifndef MMSCOPE_H
#define MMSCOPE_H

#include "ntdll.h"

/* The console pseudo-handles of Windows XP. */
#define MMSCOPE_STDIN_HANDLE  ((HANDLE)3)
#define MMSCOPE_STDOUT_HANDLE ((HANDLE)7)
#define MMSCOPE_STDERR_HANDLE ((HANDLE)11)

/* Print the VAD tree (like WinDbg's !vad) or one address's PDE/PTE (like !pte)
   as they are at this moment, on stdout and in the trace. */
NTSTATUS NTAPI MmsDumpVad(void);
NTSTATUS NTAPI MmsDumpPte(const void *Address);

/* Tells the kernel where the runtime's exception dispatcher is (crt0 does this). */
NTSTATUS NTAPI MmsRegisterExceptionDispatcher(void *Dispatcher);
/* Removes the VAD holding Address from the tree, leaving its pages mapped (only with
   mmscope run --allow-experiments; otherwise STATUS_PRIVILEGE_NOT_HELD). */
NTSTATUS NTAPI MmsExperimentRemoveVad(const void *Address);
/* Attaches a zeroed frame to the page of Address with a valid read-write PTE, with no VAD
   and no commit charge, in a user page no VAD covers (the first 64 KiB, the no-access area
   at 0x7FFF0000, any free address). Only with --allow-experiments (else
   STATUS_PRIVILEGE_NOT_HELD); kernel space STATUS_INVALID_PARAMETER; a page a VAD covers
   STATUS_CONFLICTING_ADDRESSES. */
NTSTATUS NTAPI MmsExperimentMapFrame(const void *Address);

/* Raw entry for experiments: call service `number` with `args` as its argument block. */
NTSTATUS mmscope_syscall(ULONG number, const ULONG *args);

#endif
