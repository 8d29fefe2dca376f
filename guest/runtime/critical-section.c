/* Critical sections with Windows' RTL_CRITICAL_SECTION layout, so a
   debugger (!cs) or a program reading the fields sees what it expects:
   LockCount is -1 when free and 0 when held, OwningThread the owner's
   thread id, RecursionCount how many times it entered. Taking a free
   section is one atomic compare-and-exchange (lock cmpxchg), so the code is
   correct with several threads as it is with one; a thread that finds the
   section held by another waits in wait_for_release, which today yields
   (Sleep(0)) and is the one place to make a blocking wait on LockSemaphore
   once the kernel has events. */
#include <windows.h>

static HANDLE current_thread(void) { return (HANDLE)(ULONG_PTR)GetCurrentThreadId(); }

static void wait_for_release(LPCRITICAL_SECTION section) {
  (void)section;
  Sleep(0);
}

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
  section->SpinCount = spin_count & 0x00FFFFFF;   /* the high byte is flags on Windows */
  return TRUE;
}

BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION section) {
  HANDLE self = current_thread();
  if (__sync_bool_compare_and_swap(&section->LockCount, -1, 0)) {
    section->OwningThread = self;
    section->RecursionCount = 1;
    return TRUE;
  }
  if (section->OwningThread == self) {
    section->RecursionCount++;
    return TRUE;
  }
  return FALSE;
}

void WINAPI EnterCriticalSection(LPCRITICAL_SECTION section) {
  while (!TryEnterCriticalSection(section)) wait_for_release(section);
}

/* Leaving a section the thread does not own changes nothing (Windows' behaviour is undefined there). */
void WINAPI LeaveCriticalSection(LPCRITICAL_SECTION section) {
  if (section->OwningThread != current_thread() || section->RecursionCount <= 0) return;
  if (--section->RecursionCount > 0) return;
  section->OwningThread = NULL;
  __sync_lock_test_and_set(&section->LockCount, -1);   /* a full barrier: the owner's writes are seen first */
}

void WINAPI DeleteCriticalSection(LPCRITICAL_SECTION section) {
  section->DebugInfo = NULL;
  section->LockCount = 0;
  section->RecursionCount = 0;
  section->OwningThread = NULL;
  section->LockSemaphore = NULL;
  section->SpinCount = 0;
}
