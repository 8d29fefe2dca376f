/* Exceptions delivered to the guest: guard pages, access violations caught by
   a vectored handler and recovered with longjmp, a handler that edits the
   context and continues, handler order, and the unhandled-exception filter. */
#include <windows.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include "check.h"

static jmp_buf recover;
static DWORD seen_code;
static ULONG_PTR seen_info[2];
static void *seen_address;
static int calls;
static void *volatile breakpoint_at;

static LONG WINAPI recording_handler(PEXCEPTION_POINTERS info) {
  calls++;
  seen_code = info->ExceptionRecord->ExceptionCode;
  seen_address = info->ExceptionRecord->ExceptionAddress;
  seen_info[0] = info->ExceptionRecord->ExceptionInformation[0];
  seen_info[1] = info->ExceptionRecord->ExceptionInformation[1];
  return EXCEPTION_CONTINUE_SEARCH;
}

static LONG WINAPI longjmp_handler(PEXCEPTION_POINTERS info) {
  (void)info;
  longjmp(recover, 1);
}

/* Skips the faulting 2-byte instruction `mov [eax], ecx` by editing EIP, and sets EAX. */
static LONG WINAPI skipping_handler(PEXCEPTION_POINTERS info) {
  if (info->ExceptionRecord->ExceptionCode != EXCEPTION_ACCESS_VIOLATION) return EXCEPTION_CONTINUE_SEARCH;
  info->ContextRecord->Eip += 2;
  info->ContextRecord->Eax = 0x1234;
  return EXCEPTION_CONTINUE_EXECUTION;
}

static int order_log[4], order_count;
static LONG WINAPI first_handler(PEXCEPTION_POINTERS info) { (void)info; order_log[order_count++] = 1; return EXCEPTION_CONTINUE_SEARCH; }
static LONG WINAPI second_handler(PEXCEPTION_POINTERS info) { (void)info; order_log[order_count++] = 2; return EXCEPTION_CONTINUE_SEARCH; }

static LONG WINAPI exiting_filter(PEXCEPTION_POINTERS info) {
  printf("filter saw 0x%lx\n", info->ExceptionRecord->ExceptionCode);
  return EXCEPTION_CONTINUE_SEARCH;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "checks";
  if (!strcmp(mode, "unhandled")) {
    SetUnhandledExceptionFilter(exiting_filter);
    *(volatile int *)0x50 = 1;
    printf("not reached\n");
    return 0;
  }

  PVOID recorder = AddVectoredExceptionHandler(0, recording_handler);
  PVOID jumper = AddVectoredExceptionHandler(0, longjmp_handler);

  /* A guard page: the first touch raises STATUS_GUARD_PAGE_VIOLATION, the next succeeds. */
  volatile char *guarded = VirtualAlloc(NULL, 0x2000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery((void *)guarded, &mbi, sizeof mbi);
  CHECK_EQ("guard: reported", mbi.Protect, PAGE_READWRITE | PAGE_GUARD);
  static volatile int completed;
  if (!setjmp(recover)) { guarded[5] = 1; completed = 1; }
  CHECK_EQ("guard: the first write did not complete", completed, 0);
  CHECK_EQ("guard: code", seen_code, STATUS_GUARD_PAGE_VIOLATION);
  CHECK_EQ("guard: write flag", seen_info[0], 1);
  CHECK_EQ("guard: address", seen_info[1], (ULONG_PTR)guarded + 5);
  VirtualQuery((void *)guarded, &mbi, sizeof mbi);
  CHECK_EQ("guard: cleared after the first touch", mbi.Protect, PAGE_READWRITE);
  CHECK_EQ("guard: second page still guarded", (VirtualQuery((void *)(guarded + 0x1000), &mbi, sizeof mbi), mbi.Protect), PAGE_READWRITE | PAGE_GUARD);
  guarded[5] = 2;
  CHECK_EQ("guard: next access succeeds", guarded[5], 2);

  /* A resident page made a guard page keeps its contents. */
  DWORD old;
  VirtualProtect((void *)guarded, 0x1000, PAGE_READONLY | PAGE_GUARD, &old);
  calls = 0;
  volatile char value = 0;
  if (!setjmp(recover)) { value = guarded[5]; }
  CHECK_EQ("guard on a resident page: one exception", calls, 1);
  CHECK_EQ("guard on a resident page: read flag", seen_info[0], 0);
  value = guarded[5];
  CHECK_EQ("guard on a resident page: contents kept", value, 2);

  /* Reserved, decommitted, no-access, freed, kernel: all access violations with the address. */
  char *reserved = VirtualAlloc(NULL, 0x2000, MEM_RESERVE, PAGE_READWRITE);
  char *decommitted = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  VirtualFree(decommitted, 0x1000, MEM_DECOMMIT);
  char *noaccess = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_NOACCESS);
  char *freed = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  VirtualFree(freed, 0, MEM_RELEASE);
  char *readonly = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READONLY);
  struct { const char *name; volatile char *address; int write; } cases[] = {
    { "reserved read", reserved + 0x10, 0 }, { "reserved write", reserved + 0x1010, 1 },
    { "decommitted", decommitted, 1 }, { "no-access", noaccess + 7, 0 }, { "freed", freed, 1 },
    { "read-only write", readonly + 3, 1 }, { "kernel", (volatile char *)0x80000000, 0 },
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    seen_code = 0;
    if (!setjmp(recover)) {
      if (cases[i].write) *cases[i].address = 1; else value = *cases[i].address;
    }
    char name[64];
    snprintf(name, sizeof name, "%s: code", cases[i].name);
    CHECK_EQ(name, seen_code, EXCEPTION_ACCESS_VIOLATION);
    snprintf(name, sizeof name, "%s: address", cases[i].name);
    CHECK_EQ(name, seen_info[1], (ULONG_PTR)cases[i].address);
    snprintf(name, sizeof name, "%s: read/write flag", cases[i].name);
    CHECK_EQ(name, seen_info[0], cases[i].write);
  }

  /* A handler that edits the context and continues. */
  RemoveVectoredExceptionHandler(jumper);
  PVOID skipper = AddVectoredExceptionHandler(1, skipping_handler);
  int result;
  __asm__ volatile("mov $0x60, %%eax\n\tmov %%ecx, (%%eax)\n\t" : "=a"(result) : "c"(5) : "memory"); /* 89 08: two bytes */
  CHECK_EQ("continue with an edited context", result, 0x1234);
  CHECK_TRUE("remove", RemoveVectoredExceptionHandler(skipper));
  CHECK_TRUE("remove twice fails", !RemoveVectoredExceptionHandler(skipper));
  RemoveVectoredExceptionHandler(recorder);

  /* First = 1 puts a handler at the front. */
  PVOID a = AddVectoredExceptionHandler(0, second_handler);
  PVOID b = AddVectoredExceptionHandler(1, first_handler);
  jumper = AddVectoredExceptionHandler(0, longjmp_handler);
  if (!setjmp(recover)) { value = *(volatile char *)0x40; }
  CHECK_EQ("order: two handlers before the one that recovered", order_count, 2);
  CHECK_EQ("order: First=1 runs first", order_log[0], 1);
  CHECK_EQ("order: then the first added", order_log[1], 2);
  RemoveVectoredExceptionHandler(a); RemoveVectoredExceptionHandler(b);

  /* Other CPU exceptions reach the handlers too. */
  recorder = AddVectoredExceptionHandler(1, recording_handler);
  volatile int zero = 0;
  if (!setjmp(recover)) { value = (char)(10 / zero); }
  CHECK_EQ("divide error reaches the handler", seen_code, EXCEPTION_INT_DIVIDE_BY_ZERO);
  if (!setjmp(recover)) { __asm__ volatile("call 1f\n1: pop %%eax\n\tmov %%eax, %0\n\tint3" : "=m"(breakpoint_at) : : "eax"); }
  CHECK_EQ("int3: EXCEPTION_BREAKPOINT", seen_code, EXCEPTION_BREAKPOINT);
  CHECK_EQ("int3: address is the int3 itself", seen_address, (char *)breakpoint_at + 1 + 5); /* pop eax; mov [m], eax */
  return CHECK_DONE();
}
