/* kernel32-style memory and process functions over the NT services, with
   Windows' signatures, results and GetLastError values. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>
#include <mmscope.h>
#include <string.h>
#include "kernel32-internal.h"

DWORD WINAPI GetLastError(void) { return NtCurrentTeb()->LastErrorValue; }
void WINAPI SetLastError(DWORD code) { NtCurrentTeb()->LastErrorValue = code; }

BOOL mms_succeeded(NTSTATUS status) {
  if (NT_SUCCESS(status)) return TRUE;
  SetLastError(RtlNtStatusToDosError(status));
  return FALSE;
}

HANDLE WINAPI GetCurrentProcess(void) { return NtCurrentProcess(); }
HANDLE WINAPI GetCurrentThread(void) { return (HANDLE)(LONG_PTR)-2; }   /* NtCurrentThread() */

/* The ids in the TEB's ClientId, as kernel32 reads them. */
DWORD WINAPI GetCurrentProcessId(void) { return (DWORD)(ULONG_PTR)NtCurrentTeb()->ClientId.UniqueProcess; }
DWORD WINAPI GetCurrentThreadId(void) { return (DWORD)(ULONG_PTR)NtCurrentTeb()->ClientId.UniqueThread; }

void WINAPI ExitProcess(UINT code) {
  NtTerminateProcess(NtCurrentProcess(), (NTSTATUS)code);
  for (;;) {}
}

/* The *Ex functions take any process handle (PROCESS_VM_OPERATION, or PROCESS_QUERY_INFORMATION
   for VirtualQueryEx); the plain ones are them on the current process, as in kernel32. */
LPVOID WINAPI VirtualAllocEx(HANDLE process, LPVOID address, SIZE_T size, DWORD type, DWORD protect) {
  PVOID base = address;
  SIZE_T region = size;
  if (!mms_succeeded(NtAllocateVirtualMemory(process, &base, 0, &region, type, protect))) return NULL;
  return base;
}

LPVOID WINAPI VirtualAlloc(LPVOID address, SIZE_T size, DWORD type, DWORD protect) {
  return VirtualAllocEx(NtCurrentProcess(), address, size, type, protect);
}

BOOL WINAPI VirtualFreeEx(HANDLE process, LPVOID address, SIZE_T size, DWORD type) {
  /* kernel32 checks this before the kernel sees it. */
  if ((type & MEM_RELEASE) && size != 0) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  PVOID base = address;
  SIZE_T region = size;
  return mms_succeeded(NtFreeVirtualMemory(process, &base, &region, type));
}

BOOL WINAPI VirtualFree(LPVOID address, SIZE_T size, DWORD type) { return VirtualFreeEx(NtCurrentProcess(), address, size, type); }

BOOL WINAPI VirtualProtectEx(HANDLE process, LPVOID address, SIZE_T size, DWORD protect, PDWORD old) {
  PVOID base = address;
  SIZE_T region = size;
  return mms_succeeded(NtProtectVirtualMemory(process, &base, &region, protect, old));
}

BOOL WINAPI VirtualProtect(LPVOID address, SIZE_T size, DWORD protect, PDWORD old) {
  return VirtualProtectEx(NtCurrentProcess(), address, size, protect, old);
}

SIZE_T WINAPI VirtualQueryEx(HANDLE process, LPCVOID address, PMEMORY_BASIC_INFORMATION buffer, SIZE_T length) {
  SIZE_T written = 0;
  if (!mms_succeeded(NtQueryVirtualMemory(process, (PVOID)address, MemoryBasicInformation, buffer, length, &written))) return 0;
  return written;
}

SIZE_T WINAPI VirtualQuery(LPCVOID address, PMEMORY_BASIC_INFORMATION buffer, SIZE_T length) {
  return VirtualQueryEx(NtCurrentProcess(), address, buffer, length);
}

void WINAPI GetSystemInfo(LPSYSTEM_INFO info) {
  info->u.s.wProcessorArchitecture = PROCESSOR_ARCHITECTURE_INTEL;
  info->u.s.wReserved = 0;
  info->dwPageSize = 4096;
  info->lpMinimumApplicationAddress = (LPVOID)0x00010000;
  info->lpMaximumApplicationAddress = (LPVOID)0x7FFEFFFF;
  info->dwActiveProcessorMask = 1;
  info->dwNumberOfProcessors = 1;
  info->dwProcessorType = PROCESSOR_INTEL_PENTIUM;
  info->dwAllocationGranularity = 65536;
  info->wProcessorLevel = 6;
  info->wProcessorRevision = 0;
}

/* On x86 the native system is the system (no WOW64 underneath). */
void WINAPI GetNativeSystemInfo(LPSYSTEM_INFO info) { GetSystemInfo(info); }

/* The console pseudo-handles (Windows XP's 3, 7, 11); anything else is
   INVALID_HANDLE_VALUE with ERROR_INVALID_HANDLE, as kernel32 answers. */
HANDLE WINAPI GetStdHandle(DWORD which) {
  switch (which) {
    case STD_INPUT_HANDLE: return MMSCOPE_STDIN_HANDLE;
    case STD_OUTPUT_HANDLE: return MMSCOPE_STDOUT_HANDLE;
    case STD_ERROR_HANDLE: return MMSCOPE_STDERR_HANDLE;
    default: SetLastError(ERROR_INVALID_HANDLE); return INVALID_HANDLE_VALUE;
  }
}

/* WriteConsoleA on the console handles: the characters go where WriteFile's
   do; another handle is not a console (ERROR_INVALID_HANDLE). */
BOOL WINAPI WriteConsoleA(HANDLE console, const void *buffer, DWORD count, LPDWORD written, LPVOID reserved) {
  (void)reserved;
  if (console != MMSCOPE_STDOUT_HANDLE && console != MMSCOPE_STDERR_HANDLE) { SetLastError(ERROR_INVALID_HANDLE); return FALSE; }
  return WriteFile(console, buffer, count, written, NULL);
}

/* What a console program started without STARTUPINFO sees: only cb and the standard handles. */
void WINAPI GetStartupInfoA(LPSTARTUPINFOA info) {
  memset(info, 0, sizeof *info);
  info->cb = sizeof *info;
  info->hStdInput = MMSCOPE_STDIN_HANDLE;
  info->hStdOutput = MMSCOPE_STDOUT_HANDLE;
  info->hStdError = MMSCOPE_STDERR_HANDLE;
}

/* ANSI (ASCII here) to a counted UTF-16 name, with an optional prefix. */
BOOL mms_make_name(MMS_NAME_BUFFER *name, const char *prefix, const char *text) {
  size_t length = strlen(prefix) + strlen(text);
  if (length > MMS_MAX_NAME + sizeof MMS_NAMED_OBJECTS - 1) { SetLastError(ERROR_INVALID_NAME); return FALSE; }
  size_t i = 0;
  for (const char *p = prefix; *p; p++) name->buffer[i++] = (unsigned char)*p;
  for (const char *p = text; *p; p++) name->buffer[i++] = (unsigned char)*p;
  name->string.Buffer = name->buffer;
  name->string.Length = (USHORT)(i * 2);
  name->string.MaximumLength = (USHORT)(i * 2);
  return TRUE;
}
