/* mmscope guest SDK: NT system services and console handles.
   Services are entered with `int 0x2e`, EAX = service number, EDX = pointer
   to the arguments on the stack; the NTSTATUS comes back in EAX. */
#ifndef MMSCOPE_H
#define MMSCOPE_H

#include <stddef.h>
#include <stdint.h>

typedef long NTSTATUS;
typedef void *HANDLE;
typedef unsigned long ULONG;
typedef unsigned long ULONG_PTR;
typedef void *PVOID;

#define NT_SUCCESS(status) ((NTSTATUS)(status) >= 0)
#define NTAPI __attribute__((stdcall))

#define STATUS_SUCCESS                 ((NTSTATUS)0x00000000L)
#define STATUS_ACCESS_VIOLATION        ((NTSTATUS)0xC0000005L)
#define STATUS_INVALID_HANDLE          ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER       ((NTSTATUS)0xC000000DL)
#define STATUS_INVALID_SYSTEM_SERVICE  ((NTSTATUS)0xC000001CL)

#define NtCurrentProcess() ((HANDLE)(intptr_t)-1)

/* The console pseudo-handles of Windows XP. */
#define MMSCOPE_STDIN_HANDLE  ((HANDLE)3)
#define MMSCOPE_STDOUT_HANDLE ((HANDLE)7)
#define MMSCOPE_STDERR_HANDLE ((HANDLE)11)

typedef struct _IO_STATUS_BLOCK {
  NTSTATUS Status;
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef union _LARGE_INTEGER {
  struct { ULONG LowPart; long HighPart; } u;
  long long QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, const void *Buffer, ULONG Length,
                           PLARGE_INTEGER ByteOffset, ULONG *Key);

/* Raw entry for experiments: call service `number` with `args` as its argument block. */
NTSTATUS mmscope_syscall(ULONG number, const ULONG *args);

#endif
