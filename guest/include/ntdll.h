/* ntdll-style declarations: the NT system services mmscope implements,
   entered with int 0x2e (EAX = service number, EDX = the arguments). */
#ifndef MMSCOPE_NTDLL_H
#define MMSCOPE_NTDLL_H

#include "winnt.h"

#define NT_SUCCESS(status) ((NTSTATUS)(status) >= 0)
#define NtCurrentProcess() ((HANDLE)(LONG_PTR)-1)

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS                  ((NTSTATUS)0x00000000L)
#endif
#define STATUS_INVALID_INFO_CLASS       ((NTSTATUS)0xC0000003L)
#define STATUS_INFO_LENGTH_MISMATCH     ((NTSTATUS)0xC0000004L)
#define STATUS_INVALID_HANDLE           ((NTSTATUS)0xC0000008L)
#define STATUS_INVALID_PARAMETER        ((NTSTATUS)0xC000000DL)
#define STATUS_CONFLICTING_ADDRESSES    ((NTSTATUS)0xC0000018L)
#define STATUS_UNABLE_TO_FREE_VM        ((NTSTATUS)0xC000001AL)
#define STATUS_UNABLE_TO_DELETE_SECTION ((NTSTATUS)0xC000001BL)
#define STATUS_INVALID_SYSTEM_SERVICE   ((NTSTATUS)0xC000001CL)
#define STATUS_NOT_COMMITTED            ((NTSTATUS)0xC000002DL)
#define STATUS_INVALID_PAGE_PROTECTION  ((NTSTATUS)0xC0000045L)
#define STATUS_FREE_VM_NOT_AT_BASE      ((NTSTATUS)0xC000009FL)
#define STATUS_MEMORY_NOT_ALLOCATED     ((NTSTATUS)0xC00000A0L)
#define STATUS_NOT_SUPPORTED            ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_PARAMETER_1      ((NTSTATUS)0xC00000EFL)
#define STATUS_INVALID_PARAMETER_2      ((NTSTATUS)0xC00000F0L)
#define STATUS_INVALID_PARAMETER_3      ((NTSTATUS)0xC00000F1L)
#define STATUS_INVALID_PARAMETER_4      ((NTSTATUS)0xC00000F2L)
#define STATUS_INVALID_PARAMETER_5      ((NTSTATUS)0xC00000F3L)
#define STATUS_INVALID_PARAMETER_6      ((NTSTATUS)0xC00000F4L)
#define STATUS_COMMITMENT_LIMIT         ((NTSTATUS)0xC000012DL)

typedef struct _IO_STATUS_BLOCK {
  NTSTATUS Status;
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

typedef union _LARGE_INTEGER {
  struct { ULONG LowPart; LONG HighPart; } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef enum _MEMORY_INFORMATION_CLASS { MemoryBasicInformation = 0 } MEMORY_INFORMATION_CLASS;

NTSTATUS NTAPI NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG_PTR ZeroBits,
                                       PSIZE_T RegionSize, ULONG AllocationType, ULONG Protect);
NTSTATUS NTAPI NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T RegionSize, ULONG FreeType);
NTSTATUS NTAPI NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PSIZE_T NumberOfBytesToProtect,
                                      ULONG NewAccessProtection, PULONG OldAccessProtection);
NTSTATUS NTAPI NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress, MEMORY_INFORMATION_CLASS MemoryInformationClass,
                                    PVOID MemoryInformation, SIZE_T MemoryInformationLength, PSIZE_T ReturnLength);
NTSTATUS NTAPI NtTerminateProcess(HANDLE ProcessHandle, NTSTATUS ExitStatus);
NTSTATUS NTAPI NtWriteFile(HANDLE FileHandle, HANDLE Event, PVOID ApcRoutine, PVOID ApcContext,
                           PIO_STATUS_BLOCK IoStatusBlock, const void *Buffer, ULONG Length,
                           PLARGE_INTEGER ByteOffset, PULONG Key);
NTSTATUS NTAPI NtContinue(PCONTEXT ContextRecord, BOOLEAN TestAlert);
NTSTATUS NTAPI NtRaiseException(PEXCEPTION_RECORD ExceptionRecord, PCONTEXT ContextRecord, BOOLEAN FirstChance);

/* Win32 error code for an NTSTATUS, as ntdll's RtlNtStatusToDosError. */
ULONG NTAPI RtlNtStatusToDosError(NTSTATUS Status);

#endif
