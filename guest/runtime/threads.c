/* kernel32's threads over the thread services: CreateThread,
   CreateRemoteThread(Ex), ExitThread, TerminateThread, GetExitCodeThread, GetThreadId,
   SuspendThread, ResumeThread, SwitchToThread (TLS is in thread-local.c). */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>
#include "kernel32-internal.h"

extern void RtlUserThreadStart(void);

/* The kernel starts new threads at the process's RtlUserThreadStart, which it
   finds itself (an ELF program's symbol table, ntdll.dll's export); registering
   it too covers a program whose symbols were stripped. */
static void register_thread_start(void) {
  static LONG registered;
  if (InterlockedExchange(&registered, 1) == 0) MmsRegisterThreadStart((PVOID)RtlUserThreadStart);
}

static BOOL query_basic(HANDLE thread, THREAD_BASIC_INFORMATION *info) {
  return mms_succeeded(NtQueryInformationThread(thread, ThreadBasicInformation, info, sizeof *info, NULL));
}

/* dwStackSize is the commit (0: one page) unless STACK_SIZE_PARAM_IS_A_RESERVATION
   makes it the reservation; either way the rest is the target image's default
   (--stack). The kernel makes the TEB and the stack in `process` and starts the
   thread at that process's RtlUserThreadStart; an attribute list is not
   supported (ERROR_INVALID_PARAMETER). */
HANDLE WINAPI CreateRemoteThreadEx(HANDLE process, LPSECURITY_ATTRIBUTES attributes, SIZE_T stack_size, LPTHREAD_START_ROUTINE start,
                                   LPVOID parameter, DWORD flags, LPPROC_THREAD_ATTRIBUTE_LIST attribute_list, LPDWORD thread_id) {
  (void)attributes;
  if ((flags & ~(CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION)) || attribute_list) { SetLastError(ERROR_INVALID_PARAMETER); return NULL; }
  register_thread_start();
  BOOL reserve = (flags & STACK_SIZE_PARAM_IS_A_RESERVATION) != 0;
  HANDLE thread;
  NTSTATUS status = NtCreateThreadEx(&thread, THREAD_ALL_ACCESS, NULL, process, (PVOID)start, parameter,
                                     (flags & CREATE_SUSPENDED) ? THREAD_CREATE_FLAGS_CREATE_SUSPENDED : 0, 0,
                                     reserve ? 0 : stack_size, reserve ? stack_size : 0, NULL);
  if (!mms_succeeded(status)) return NULL;
  if (thread_id) {
    THREAD_BASIC_INFORMATION info;
    *thread_id = query_basic(thread, &info) ? (DWORD)(ULONG_PTR)info.ClientId.UniqueThread : 0;
  }
  return thread;
}

HANDLE WINAPI CreateRemoteThread(HANDLE process, LPSECURITY_ATTRIBUTES attributes, SIZE_T stack_size, LPTHREAD_START_ROUTINE start,
                                 LPVOID parameter, DWORD flags, LPDWORD thread_id) {
  return CreateRemoteThreadEx(process, attributes, stack_size, start, parameter, flags, NULL, thread_id);
}

/* As on Windows, a thread of the calling process is a remote thread of NtCurrentProcess(). */
HANDLE WINAPI CreateThread(LPSECURITY_ATTRIBUTES attributes, SIZE_T stack_size, LPTHREAD_START_ROUTINE start, LPVOID parameter,
                           DWORD flags, LPDWORD thread_id) {
  return CreateRemoteThreadEx(NtCurrentProcess(), attributes, stack_size, start, parameter, flags, NULL, thread_id);
}

/* The kernel ends the process when this was its last thread, with this status. */
void WINAPI ExitThread(DWORD code) {
  NtTerminateThread(NtCurrentThread(), (NTSTATUS)code);
  for (;;) {}
}

BOOL WINAPI TerminateThread(HANDLE thread, DWORD code) {
  if (!thread) { SetLastError(ERROR_INVALID_HANDLE); return FALSE; }
  return mms_succeeded(NtTerminateThread(thread, (NTSTATUS)code));
}

BOOL WINAPI GetExitCodeThread(HANDLE thread, LPDWORD code) {
  THREAD_BASIC_INFORMATION info;
  if (!query_basic(thread, &info)) return FALSE;
  *code = (DWORD)info.ExitStatus;
  return TRUE;
}

DWORD WINAPI GetThreadId(HANDLE thread) {
  THREAD_BASIC_INFORMATION info;
  return query_basic(thread, &info) ? (DWORD)(ULONG_PTR)info.ClientId.UniqueThread : 0;
}

/* The previous suspend count, or (DWORD)-1 with the error. */
DWORD WINAPI SuspendThread(HANDLE thread) {
  ULONG previous;
  return mms_succeeded(NtSuspendThread(thread, &previous)) ? previous : (DWORD)-1;
}

DWORD WINAPI ResumeThread(HANDLE thread) {
  ULONG previous;
  return mms_succeeded(NtResumeThread(thread, &previous)) ? previous : (DWORD)-1;
}

/* FALSE when no other thread was ready to run (STATUS_NO_YIELD_PERFORMED). */
BOOL WINAPI SwitchToThread(void) { return NtYieldExecution() != STATUS_NO_YIELD_PERFORMED; }
