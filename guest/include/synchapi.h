/* Synchronisation (synchapi.h and winnt.h's Interlocked* of the Windows
   SDK): events, mutexes, semaphores and waits over the NT services
   (guest/runtime/sync.c). Included by windows.h. */
#ifndef MMSCOPE_SYNCHAPI_H
#define MMSCOPE_SYNCHAPI_H

#include "winnt.h"

#define WAIT_OBJECT_0         0x00000000L
#define WAIT_ABANDONED_0      0x00000080L
#define WAIT_ABANDONED        WAIT_ABANDONED_0
#define WAIT_TIMEOUT          0x00000102L
#define WAIT_FAILED           ((DWORD)0xFFFFFFFF)
#define MAXIMUM_WAIT_OBJECTS  64

#define SYNCHRONIZE           0x00100000L
#define EVENT_MODIFY_STATE    0x0002
#define EVENT_ALL_ACCESS      0x001F0003
#define MUTEX_ALL_ACCESS      0x001F0001
#define SEMAPHORE_MODIFY_STATE 0x0002
#define SEMAPHORE_ALL_ACCESS  0x001F0003

#define ERROR_TIMEOUT             1460L
#define ERROR_NOT_OWNER           288L
#define ERROR_TOO_MANY_POSTS      298L

struct _SECURITY_ATTRIBUTES;
HANDLE WINAPI CreateEventA(struct _SECURITY_ATTRIBUTES *lpEventAttributes, BOOL bManualReset, BOOL bInitialState, LPCSTR lpName);
HANDLE WINAPI CreateEventW(struct _SECURITY_ATTRIBUTES *lpEventAttributes, BOOL bManualReset, BOOL bInitialState, PCWSTR lpName);
HANDLE WINAPI OpenEventA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
BOOL WINAPI SetEvent(HANDLE hEvent);
BOOL WINAPI ResetEvent(HANDLE hEvent);
BOOL WINAPI PulseEvent(HANDLE hEvent);
HANDLE WINAPI CreateMutexA(struct _SECURITY_ATTRIBUTES *lpMutexAttributes, BOOL bInitialOwner, LPCSTR lpName);
HANDLE WINAPI OpenMutexA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
BOOL WINAPI ReleaseMutex(HANDLE hMutex);
HANDLE WINAPI CreateSemaphoreA(struct _SECURITY_ATTRIBUTES *lpSemaphoreAttributes, LONG lInitialCount, LONG lMaximumCount, LPCSTR lpName);
HANDLE WINAPI OpenSemaphoreA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR lpName);
BOOL WINAPI ReleaseSemaphore(HANDLE hSemaphore, LONG lReleaseCount, LONG *lpPreviousCount);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll, DWORD dwMilliseconds);

/* Critical sections: RTL_CRITICAL_SECTION and their functions are in windows.h
   (guest/runtime/critical-section.c). */

/* Interlocked operations: on one CPU a lock-prefixed instruction is atomic
   by construction, and these compile to one (lock xadd, lock cmpxchg, xchg),
   as the SDK's intrinsics do. */
static __inline__ LONG InterlockedIncrement(LONG volatile *addend) { return __sync_add_and_fetch(addend, 1); }
static __inline__ LONG InterlockedDecrement(LONG volatile *addend) { return __sync_sub_and_fetch(addend, 1); }
static __inline__ LONG InterlockedExchangeAdd(LONG volatile *addend, LONG value) { return __sync_fetch_and_add(addend, value); }
static __inline__ LONG InterlockedAdd(LONG volatile *addend, LONG value) { return __sync_add_and_fetch(addend, value); }
static __inline__ LONG InterlockedExchange(LONG volatile *target, LONG value) { return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST); }
static __inline__ LONG InterlockedCompareExchange(LONG volatile *destination, LONG exchange, LONG comparand) {
  return __sync_val_compare_and_swap(destination, comparand, exchange);
}
static __inline__ PVOID InterlockedExchangePointer(PVOID volatile *target, PVOID value) { return __atomic_exchange_n(target, value, __ATOMIC_SEQ_CST); }
static __inline__ PVOID InterlockedCompareExchangePointer(PVOID volatile *destination, PVOID exchange, PVOID comparand) {
  return __sync_val_compare_and_swap(destination, comparand, exchange);
}
static __inline__ LONG InterlockedAnd(LONG volatile *destination, LONG value) { return __sync_fetch_and_and(destination, value); }
static __inline__ LONG InterlockedOr(LONG volatile *destination, LONG value) { return __sync_fetch_and_or(destination, value); }
static __inline__ LONG InterlockedXor(LONG volatile *destination, LONG value) { return __sync_fetch_and_xor(destination, value); }

#endif
