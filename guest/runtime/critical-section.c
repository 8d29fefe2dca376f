/* Critical sections with Windows' RTL_CRITICAL_SECTION layout, so a
   debugger (!cs) or a program reading the fields sees what it expects:
   LockCount is -1 when free and counts, from 0, the threads that want it
   beyond the owner (as Windows XP's does), OwningThread is the owner's
   thread id, RecursionCount how many times it entered. Taking a free
   section is one atomic increment (lock xadd); a thread that finds it held
   by another waits on LockSemaphore, an auto-reset event made the first
   time a thread has to wait, and the owner's last leave sets it when
   someone waits (RtlEnterCriticalSection / RtlLeaveCriticalSection). Also
   compiled into ntdll.dll, whose heap takes one. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>

static HANDLE current_thread(void) { return NtCurrentTeb()->ClientId.UniqueThread; }

void WINAPI InitializeCriticalSection(LPCRITICAL_SECTION section) {
  section->DebugInfo = NULL;
  section->LockCount = -1;
  section->RecursionCount = 0;
  section->OwningThread = NULL;
  section->LockSemaphore = NULL;
  section->SpinCount = 0;
}

BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION section, DWORD spin_count) {
  InitializeCriticalSection(section);
  section->SpinCount = spin_count & 0x00FFFFFF;   /* the high byte is flags on Windows; one CPU never spins */
  return TRUE;
}

/* The auto-reset event waiters sleep on, created by whichever thread needs it first. */
static HANDLE lock_event(LPCRITICAL_SECTION section) {
  HANDLE event = section->LockSemaphore;
  if (event) return event;
  HANDLE fresh;
  if (!NT_SUCCESS(NtCreateEvent(&fresh, EVENT_ALL_ACCESS, NULL, SynchronizationEvent, FALSE))) return NULL;
  HANDLE previous = InterlockedCompareExchangePointer((PVOID volatile *)&section->LockSemaphore, fresh, NULL);
  if (!previous) return fresh;
  NtClose(fresh);
  return previous;
}

void WINAPI EnterCriticalSection(LPCRITICAL_SECTION section) {
  HANDLE self = current_thread();
  if (InterlockedIncrement(&section->LockCount) != 0) {
    if (section->OwningThread == self) {
      section->RecursionCount++;
      return;
    }
    NtWaitForSingleObject(lock_event(section), FALSE, NULL);
  }
  section->OwningThread = self;
  section->RecursionCount = 1;
}

BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION section) {
  HANDLE self = current_thread();
  if (InterlockedCompareExchange(&section->LockCount, 0, -1) == -1) {
    section->OwningThread = self;
    section->RecursionCount = 1;
    return TRUE;
  }
  if (section->OwningThread != self) return FALSE;
  InterlockedIncrement(&section->LockCount);
  section->RecursionCount++;
  return TRUE;
}

/* Leaving a section the thread does not own changes nothing (Windows' behaviour is undefined there). */
void WINAPI LeaveCriticalSection(LPCRITICAL_SECTION section) {
  if (section->OwningThread != current_thread() || section->RecursionCount <= 0) return;
  if (--section->RecursionCount > 0) {
    InterlockedDecrement(&section->LockCount);
    return;
  }
  section->OwningThread = NULL;
  /* Someone is waiting (or about to): hand the section over through the event. */
  if (InterlockedDecrement(&section->LockCount) >= 0) NtSetEvent(lock_event(section), NULL);
}

void WINAPI DeleteCriticalSection(LPCRITICAL_SECTION section) {
  if (section->LockSemaphore) NtClose(section->LockSemaphore);
  section->DebugInfo = NULL;
  section->LockCount = 0;
  section->RecursionCount = 0;
  section->OwningThread = NULL;
  section->LockSemaphore = NULL;
  section->SpinCount = 0;
}
