/* Threads (processthreadsapi.h of the Windows SDK):
   kernel32's functions over NtCreateThreadEx and the thread services
   (guest/runtime/threads.c). Included by windows.h. */
#ifndef MMSCOPE_PROCESSTHREADSAPI_H
#define MMSCOPE_PROCESSTHREADSAPI_H

#include "winnt.h"

typedef DWORD (WINAPI *PTHREAD_START_ROUTINE)(LPVOID lpThreadParameter);
typedef PTHREAD_START_ROUTINE LPTHREAD_START_ROUTINE;

/* CreateThread's dwCreationFlags. */
#define CREATE_SUSPENDED                  0x00000004
#define STACK_SIZE_PARAM_IS_A_RESERVATION 0x00010000
/* GetExitCodeThread's answer while the thread runs (STATUS_PENDING). */
#ifndef STILL_ACTIVE
#define STILL_ACTIVE                      0x00000103
#endif
#define THREAD_TERMINATE                  0x0001
#define THREAD_SUSPEND_RESUME             0x0002
#define THREAD_QUERY_INFORMATION          0x0040
#define THREAD_ALL_ACCESS                 0x001F03FF
/* TLS slots: TLS_MINIMUM_AVAILABLE in the TEB (no expansion slots); TlsAlloc and the rest are in windows.h. */
#define TLS_MINIMUM_AVAILABLE             64

struct _SECURITY_ATTRIBUTES;
HANDLE WINAPI CreateThread(struct _SECURITY_ATTRIBUTES *lpThreadAttributes, SIZE_T dwStackSize, LPTHREAD_START_ROUTINE lpStartAddress,
                           LPVOID lpParameter, DWORD dwCreationFlags, LPDWORD lpThreadId);
void WINAPI ExitThread(DWORD dwExitCode) __attribute__((noreturn));
BOOL WINAPI TerminateThread(HANDLE hThread, DWORD dwExitCode);
BOOL WINAPI GetExitCodeThread(HANDLE hThread, LPDWORD lpExitCode);
DWORD WINAPI GetThreadId(HANDLE Thread);
DWORD WINAPI SuspendThread(HANDLE hThread);
DWORD WINAPI ResumeThread(HANDLE hThread);
BOOL WINAPI SwitchToThread(void);

/* A thread of another process (hProcess needs PROCESS_CREATE_THREAD): its
   TEB and stack are made in that process, where lpStartAddress runs with
   lpParameter. CreateRemoteThreadEx takes no attribute list here (NULL). */
typedef struct _PROC_THREAD_ATTRIBUTE_LIST *LPPROC_THREAD_ATTRIBUTE_LIST;
HANDLE WINAPI CreateRemoteThread(HANDLE hProcess, struct _SECURITY_ATTRIBUTES *lpThreadAttributes, SIZE_T dwStackSize,
                                 LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags, LPDWORD lpThreadId);
HANDLE WINAPI CreateRemoteThreadEx(HANDLE hProcess, struct _SECURITY_ATTRIBUTES *lpThreadAttributes, SIZE_T dwStackSize,
                                   LPTHREAD_START_ROUTINE lpStartAddress, LPVOID lpParameter, DWORD dwCreationFlags,
                                   LPPROC_THREAD_ATTRIBUTE_LIST lpAttributeList, LPDWORD lpThreadId);

#endif
