/* Synchronisation objects on real threads: events, mutexes (abandoned
   too), semaphores, waits with timeouts and WaitAny/WaitAll, critical
   sections. Expected values are Windows' documented results. */
#include <windows.h>
#include <ntdll.h>
#include <string.h>
#include "check.h"

static HANDLE event_a, event_b, mutex, semaphore;
static volatile LONG order[8];
static volatile LONG order_count;
static CRITICAL_SECTION section;
static LONG unprotected_total;

static void record(LONG value) { order[InterlockedIncrement(&order_count) - 1] = value; }

static DWORD WINAPI event_waiter(LPVOID parameter) {
  DWORD result = WaitForSingleObject(event_a, INFINITE);
  record((LONG)(ULONG_PTR)parameter);
  return result;
}

static void events(void) {
  event_a = CreateEventA(NULL, FALSE, FALSE, NULL);   /* auto-reset */
  CHECK_EQ("an unset event times out", WaitForSingleObject(event_a, 0), WAIT_TIMEOUT);
  CHECK_EQ("... after a timeout too", WaitForSingleObject(event_a, 20), WAIT_TIMEOUT);
  HANDLE first = CreateThread(NULL, 0, event_waiter, (LPVOID)1, 0, NULL);
  Sleep(1);
  HANDLE second = CreateThread(NULL, 0, event_waiter, (LPVOID)2, 0, NULL);
  Sleep(1);
  CHECK_EQ("both wait", order_count, 0);
  SetEvent(event_a);
  Sleep(1);
  CHECK_EQ("an auto-reset event lets one waiter through", order_count, 1);
  CHECK_EQ("... the one that waited first", order[0], 1);
  SetEvent(event_a);
  HANDLE both[2] = { first, second };
  CHECK_EQ("the second follows", WaitForMultipleObjects(2, both, TRUE, 1000), WAIT_OBJECT_0);
  CHECK_EQ("... in order", order[1], 2);
  CHECK_EQ("the auto-reset event is unset again", WaitForSingleObject(event_a, 0), WAIT_TIMEOUT);

  event_b = CreateEventA(NULL, TRUE, FALSE, "mmscope-test-event");   /* manual reset, named */
  CHECK_EQ("a new name: ERROR_SUCCESS", GetLastError(), ERROR_SUCCESS);
  HANDLE again = CreateEventA(NULL, TRUE, FALSE, "mmscope-test-event");
  CHECK_EQ("the same name again: ERROR_ALREADY_EXISTS", GetLastError(), ERROR_ALREADY_EXISTS);
  HANDLE opened = OpenEventA(EVENT_ALL_ACCESS, FALSE, "mmscope-test-event");
  CHECK_TRUE("OpenEventA finds it", opened != NULL);
  CHECK_TRUE("OpenEventA of an unknown name fails", OpenEventA(EVENT_ALL_ACCESS, FALSE, "mmscope-no-such-event") == NULL);
  CHECK_EQ("... with ERROR_FILE_NOT_FOUND", GetLastError(), ERROR_FILE_NOT_FOUND);
  SetEvent(opened);
  CHECK_EQ("a manual-reset event set through another handle", WaitForSingleObject(event_b, 0), WAIT_OBJECT_0);
  CHECK_EQ("... stays set", WaitForSingleObject(again, 0), WAIT_OBJECT_0);
  ResetEvent(event_b);
  CHECK_EQ("ResetEvent unsets it", WaitForSingleObject(event_b, 0), WAIT_TIMEOUT);
  PulseEvent(event_b);
  CHECK_EQ("PulseEvent with no waiter leaves it unset", WaitForSingleObject(event_b, 0), WAIT_TIMEOUT);
  HANDLE pair[2] = { event_a, event_b };
  SetEvent(event_b);
  CHECK_EQ("WaitAny returns the index of the signalled object", WaitForMultipleObjects(2, pair, FALSE, 0), WAIT_OBJECT_0 + 1);
  CHECK_EQ("WaitAll with one unset times out", WaitForMultipleObjects(2, pair, TRUE, 0), WAIT_TIMEOUT);
  HANDLE twice[2] = { event_b, event_b };
  CHECK_EQ("one object twice in a WaitAll", WaitForMultipleObjects(2, twice, TRUE, 0), WAIT_FAILED);
  CHECK_EQ("... is ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  CHECK_EQ("a closed handle", WaitForSingleObject((HANDLE)0x7ffc, 0), WAIT_FAILED);
  CHECK_EQ("... is ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);
}

static DWORD WINAPI mutex_owner_that_dies(LPVOID parameter) {
  (void)parameter;
  WaitForSingleObject(mutex, INFINITE);
  return 0;   /* ends holding it */
}

static DWORD WINAPI mutex_taker(LPVOID parameter) {
  (void)parameter;
  return WaitForSingleObject(mutex, 50);
}

static void mutexes(void) {
  mutex = CreateMutexA(NULL, TRUE, NULL);
  CHECK_EQ("the owner acquires it again (recursion)", WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);
  HANDLE taker = CreateThread(NULL, 0, mutex_taker, NULL, 0, NULL);
  WaitForSingleObject(taker, INFINITE);
  DWORD code;
  GetExitCodeThread(taker, &code);
  CHECK_EQ("another thread times out on an owned mutex", code, WAIT_TIMEOUT);
  CHECK_TRUE("ReleaseMutex (1)", ReleaseMutex(mutex));
  CHECK_TRUE("ReleaseMutex (2)", ReleaseMutex(mutex));
  CHECK_TRUE("a third release fails", !ReleaseMutex(mutex));
  CHECK_EQ("... with ERROR_NOT_OWNER", GetLastError(), 288);
  HANDLE dies = CreateThread(NULL, 0, mutex_owner_that_dies, NULL, 0, NULL);
  WaitForSingleObject(dies, INFINITE);
  CHECK_EQ("a mutex whose owner ended is abandoned", WaitForSingleObject(mutex, 0), WAIT_ABANDONED_0);
  CHECK_EQ("... once: then it is ours", WaitForSingleObject(mutex, 0), WAIT_OBJECT_0);
  ReleaseMutex(mutex);
  ReleaseMutex(mutex);
}

static DWORD WINAPI semaphore_taker(LPVOID parameter) {
  (void)parameter;
  DWORD result = WaitForSingleObject(semaphore, INFINITE);
  InterlockedIncrement(&order_count);
  return result;
}

static void semaphores(void) {
  semaphore = CreateSemaphoreA(NULL, 1, 2, NULL);
  CHECK_TRUE("a maximum of 0 fails", CreateSemaphoreA(NULL, 0, 0, NULL) == NULL);
  CHECK_EQ("the first wait takes the count", WaitForSingleObject(semaphore, 0), WAIT_OBJECT_0);
  CHECK_EQ("the second times out", WaitForSingleObject(semaphore, 10), WAIT_TIMEOUT);
  order_count = 0;
  HANDLE takers[3];
  for (int i = 0; i < 3; i++) takers[i] = CreateThread(NULL, 0, semaphore_taker, NULL, 0, NULL);
  Sleep(1);
  LONG previous = -1;
  CHECK_TRUE("ReleaseSemaphore(2)", ReleaseSemaphore(semaphore, 2, &previous));
  CHECK_EQ("... from 0", previous, 0);
  Sleep(1);
  CHECK_EQ("two of three waiters went through", order_count, 2);
  CHECK_TRUE("past the maximum fails", !ReleaseSemaphore(semaphore, 3, NULL));
  CHECK_EQ("... with ERROR_TOO_MANY_POSTS", GetLastError(), 298);
  ReleaseSemaphore(semaphore, 1, NULL);
  CHECK_EQ("the third follows", WaitForMultipleObjects(3, takers, TRUE, INFINITE), WAIT_OBJECT_0);
  CHECK_EQ("and the count is 0 again", WaitForSingleObject(semaphore, 0), WAIT_TIMEOUT);
}

static DWORD WINAPI section_worker(LPVOID parameter) {
  LONG rounds = (LONG)(ULONG_PTR)parameter;
  for (LONG i = 0; i < rounds; i++) {
    EnterCriticalSection(&section);
    LONG seen = unprotected_total;   /* a read-modify-write the scheduler may cut: only the lock keeps it whole */
    for (volatile int spin = 0; spin < 20; spin++) {}
    unprotected_total = seen + 1;
    LeaveCriticalSection(&section);
  }
  return 0;
}

static void critical_sections(void) {
  InitializeCriticalSection(&section);
  CHECK_EQ("a free section's LockCount", section.LockCount, -1);
  EnterCriticalSection(&section);
  CHECK_EQ("OwningThread is the owner's id", (DWORD)(ULONG_PTR)section.OwningThread, GetCurrentThreadId());
  CHECK_TRUE("TryEnter by the owner", TryEnterCriticalSection(&section));
  CHECK_EQ("RecursionCount", section.RecursionCount, 2);
  LeaveCriticalSection(&section);
  LeaveCriticalSection(&section);
  CHECK_EQ("free again", section.LockCount, -1);
  HANDLE workers[3];
  for (int i = 0; i < 3; i++) workers[i] = CreateThread(NULL, 0, section_worker, (LPVOID)500, 0, NULL);
  WaitForMultipleObjects(3, workers, TRUE, INFINITE);
  CHECK_EQ("the protected total is exact", unprotected_total, 1500);
  CHECK_TRUE("contention created the event", section.LockSemaphore != NULL);
  DeleteCriticalSection(&section);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "events";
  if (!strcmp(mode, "events")) events();
  else if (!strcmp(mode, "mutexes")) mutexes();
  else if (!strcmp(mode, "semaphores")) semaphores();
  else if (!strcmp(mode, "critical-sections")) critical_sections();
  return CHECK_DONE();
}
