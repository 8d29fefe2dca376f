/* Threads: creation, stacks of their own, exit codes, TLS, waits on thread
   handles. Each mode prints what it observed, checked with check.h. */
#include <windows.h>
#include <string.h>
#include <stdlib.h>
#include "check.h"

#define WORKERS 4

static volatile LONG counter;
static LONG increments = 20000;
static void *stack_bases[WORKERS];
static DWORD thread_ids[WORKERS];
static DWORD tls_index;

static DWORD WINAPI incrementer(LPVOID parameter) {
  int index = (int)(ULONG_PTR)parameter;
  MEMORY_BASIC_INFORMATION info;
  VirtualQuery(&info, &info, sizeof info);
  stack_bases[index] = info.AllocationBase;
  thread_ids[index] = GetCurrentThreadId();
  for (LONG i = 0; i < increments; i++) InterlockedIncrement(&counter);
  return 100 + index;
}

/* Four threads increment one counter; the main thread waits for all of them. */
static void counter_mode(void) {
  HANDLE threads[WORKERS];
  DWORD ids[WORKERS];
  for (int i = 0; i < WORKERS; i++) {
    threads[i] = CreateThread(NULL, 0, incrementer, (LPVOID)(ULONG_PTR)i, 0, &ids[i]);
    CHECK_TRUE("CreateThread returns a handle", threads[i] != NULL);
  }
  DWORD exit_code;
  CHECK_TRUE("GetExitCodeThread while it runs", GetExitCodeThread(threads[0], &exit_code));
  CHECK_EQ("exit code while running is STILL_ACTIVE", exit_code, STILL_ACTIVE);
  CHECK_EQ("WaitForMultipleObjects(all) returns WAIT_OBJECT_0", WaitForMultipleObjects(WORKERS, threads, TRUE, INFINITE), WAIT_OBJECT_0);
  CHECK_EQ("the counter is exact", counter, WORKERS * increments);
  MEMORY_BASIC_INFORMATION main_stack;
  VirtualQuery(&main_stack, &main_stack, sizeof main_stack);
  for (int i = 0; i < WORKERS; i++) {
    CHECK_TRUE("GetExitCodeThread after the end", GetExitCodeThread(threads[i], &exit_code));
    CHECK_EQ("the thread's exit code is its routine's return value", exit_code, 100 + i);
    CHECK_EQ("CreateThread's id is the thread's GetCurrentThreadId", ids[i], thread_ids[i]);
    CHECK_EQ("GetThreadId", GetThreadId(threads[i]), ids[i]);
    CHECK_TRUE("the stack is not the main thread's", stack_bases[i] != main_stack.AllocationBase);
    for (int j = 0; j < i; j++) CHECK_TRUE("each stack is its own reservation", stack_bases[i] != stack_bases[j]);
    MEMORY_BASIC_INFORMATION after;
    VirtualQuery(stack_bases[i], &after, sizeof after);
    CHECK_EQ("the stack is released at thread exit", after.State, MEM_FREE);
    CHECK_EQ("WaitForSingleObject on an ended thread", WaitForSingleObject(threads[i], 0), WAIT_OBJECT_0);
    CHECK_TRUE("CloseHandle", CloseHandle(threads[i]));
  }
  printf("counter %ld\n", (long)counter);
}

static DWORD WINAPI tls_worker(LPVOID parameter) {
  CHECK_EQ("a new thread's slot starts NULL", (ULONG_PTR)TlsGetValue(tls_index), 0);
  TlsSetValue(tls_index, parameter);
  Sleep(1);
  return (DWORD)(ULONG_PTR)TlsGetValue(tls_index);
}

static DWORD freed_index;
static HANDLE value_set, go_on;

static DWORD WINAPI tls_holder(LPVOID parameter) {
  (void)parameter;
  TlsSetValue(freed_index, (LPVOID)0x5555);
  SetEvent(value_set);
  WaitForSingleObject(go_on, INFINITE);
  return (DWORD)(ULONG_PTR)TlsGetValue(freed_index);
}

/* TLS: one index, a value per thread. */
static void tls_mode(void) {
  tls_index = TlsAlloc();
  CHECK_TRUE("TlsAlloc", tls_index != TLS_OUT_OF_INDEXES);
  CHECK_TRUE("TlsSetValue", TlsSetValue(tls_index, (LPVOID)0x1234));
  HANDLE a = CreateThread(NULL, 0, tls_worker, (LPVOID)0xaaaa, 0, NULL);
  HANDLE b = CreateThread(NULL, 0, tls_worker, (LPVOID)0xbbbb, 0, NULL);
  HANDLE both[2] = { a, b };
  CHECK_EQ("wait for both", WaitForMultipleObjects(2, both, TRUE, INFINITE), WAIT_OBJECT_0);
  DWORD code;
  GetExitCodeThread(a, &code);
  CHECK_EQ("thread a saw its own value", code, 0xaaaa);
  GetExitCodeThread(b, &code);
  CHECK_EQ("thread b saw its own value", code, 0xbbbb);
  CHECK_EQ("the main thread's value is untouched", (ULONG_PTR)TlsGetValue(tls_index), 0x1234);
  DWORD second = TlsAlloc();
  CHECK_TRUE("a second index differs", second != tls_index && second != TLS_OUT_OF_INDEXES);
  CHECK_TRUE("TlsFree", TlsFree(second));
  CHECK_TRUE("TlsFree twice fails", !TlsFree(second));
  freed_index = TlsAlloc();
  value_set = CreateEventA(NULL, TRUE, FALSE, NULL);
  go_on = CreateEventA(NULL, TRUE, FALSE, NULL);
  HANDLE holder = CreateThread(NULL, 0, tls_holder, NULL, 0, NULL);
  WaitForSingleObject(value_set, INFINITE);
  TlsFree(freed_index);
  SetEvent(go_on);
  WaitForSingleObject(holder, INFINITE);
  GetExitCodeThread(holder, &code);
  CHECK_EQ("TlsFree zeroes the slot in the other threads too", code, 0);
  CHECK_EQ("TlsGetValue past the slots", (ULONG_PTR)TlsGetValue(1000), 0);
  CHECK_EQ("... with ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
}

static DWORD WINAPI suspended_worker(LPVOID parameter) {
  *(volatile LONG *)parameter = 1;
  return 7;
}

/* Suspend and resume: a suspended thread does not run. */
static void suspend_mode(void) {
  volatile LONG ran = 0;
  HANDLE thread = CreateThread(NULL, 0, suspended_worker, (LPVOID)&ran, CREATE_SUSPENDED, NULL);
  CHECK_EQ("a suspended thread does not end", WaitForSingleObject(thread, 50), WAIT_TIMEOUT);
  CHECK_EQ("... and did not run", ran, 0);
  CHECK_EQ("SuspendThread returns the previous count", SuspendThread(thread), 1);
  CHECK_EQ("ResumeThread returns the previous count (2)", ResumeThread(thread), 2);
  CHECK_EQ("ResumeThread returns the previous count (1)", ResumeThread(thread), 1);
  CHECK_EQ("once resumed it ends", WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
  CHECK_EQ("... having run", ran, 1);
  CHECK_EQ("ResumeThread of a running thread returns 0", ResumeThread(thread), 0);
  CHECK_TRUE("SwitchToThread with nothing else ready is FALSE", !SwitchToThread());
}

static DWORD WINAPI exiting_worker(LPVOID parameter) {
  (void)parameter;
  ExitThread(42);
}

static DWORD WINAPI spinning_worker(LPVOID parameter) {
  (void)parameter;
  for (;;) {}
}

/* ExitThread's code; TerminateThread; the main thread's exit ends the spinner. */
static void exit_mode(void) {
  HANDLE thread = CreateThread(NULL, 0, exiting_worker, NULL, 0, NULL);
  WaitForSingleObject(thread, INFINITE);
  DWORD code;
  GetExitCodeThread(thread, &code);
  CHECK_EQ("ExitThread's code", code, 42);
  HANDLE spinner = CreateThread(NULL, 0, spinning_worker, NULL, 0, NULL);
  CHECK_EQ("a spinning thread times the wait out", WaitForSingleObject(spinner, 10), WAIT_TIMEOUT);
  CHECK_TRUE("TerminateThread", TerminateThread(spinner, 9));
  CHECK_EQ("a terminated thread is signalled", WaitForSingleObject(spinner, INFINITE), WAIT_OBJECT_0);
  GetExitCodeThread(spinner, &code);
  CHECK_EQ("TerminateThread's code", code, 9);
  CreateThread(NULL, 0, spinning_worker, NULL, 0, NULL);
}

static DWORD WINAPI heap_worker(LPVOID parameter) {
  unsigned seed = (unsigned)(ULONG_PTR)parameter;
  void *blocks[32] = { 0 };
  for (LONG i = 0; i < increments; i++) {
    seed = seed * 1103515245u + 12345u;
    unsigned slot = (seed >> 16) % 32;
    free(blocks[slot]);
    blocks[slot] = malloc(16 + (seed >> 8) % 300);
    if (blocks[slot]) memset(blocks[slot], (int)slot, 16);
  }
  for (int slot = 0; slot < 32; slot++) free(blocks[slot]);
  return 0;
}

/* The heap is serialised: threads preempted inside malloc and free leave it whole. */
static void heap_mode(void) {
  HANDLE threads[WORKERS];
  for (int i = 0; i < WORKERS; i++) threads[i] = CreateThread(NULL, 0, heap_worker, (LPVOID)(ULONG_PTR)(i + 1), 0, NULL);
  CHECK_EQ("the workers end", WaitForMultipleObjects(WORKERS, threads, TRUE, INFINITE), WAIT_OBJECT_0);
  CHECK_TRUE("HeapValidate finds the heap whole", HeapValidate(GetProcessHeap(), 0, NULL));
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "counter";
  if (argc > 2) increments = strtol(argv[2], NULL, 10);
  if (!strcmp(mode, "counter")) counter_mode();
  else if (!strcmp(mode, "tls")) tls_mode();
  else if (!strcmp(mode, "suspend")) suspend_mode();
  else if (!strcmp(mode, "exit")) exit_mode();
  else if (!strcmp(mode, "heap")) heap_mode();
  return CHECK_DONE();
}
