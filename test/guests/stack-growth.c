/* The initial thread's stack, as Windows builds it.
     stack-growth env RESERVE  the TEB, the PEB and the stack bounds they record
     stack-growth grow PAGES   recurse until the stack has grown PAGES pages: the
                               guard page moves down a page at a time, StackLimit
                               follows it, and no exception reaches the guest
     stack-growth big-frames   frames of 10,000 bytes, which the compiler probes a
                               page at a time (-fstack-clash-protection, like
                               MSVC's _chkstk), so the guard page is never skipped
     stack-growth overflow     recurse without end under a vectored handler that
                               catches STATUS_STACK_OVERFLOW and longjmps back
     stack-growth unhandled    recurse without end, no handler */
#include <windows.h>
#include <winternl.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include "check.h"

#define PAGE 4096

static jmp_buf recover;
static DWORD seen_code;
static ULONG_PTR seen_address;
static int handler_calls;
static char *limits_seen[512];
static int limit_changes;

static char *stack_limit(void) { return NtCurrentTeb()->NtTib.StackLimit; }

static LONG WINAPI counting_handler(PEXCEPTION_POINTERS info) {
  handler_calls++;
  seen_code = info->ExceptionRecord->ExceptionCode;
  if (seen_code == STATUS_STACK_OVERFLOW) {
    seen_address = info->ExceptionRecord->ExceptionInformation[1];
    longjmp(recover, 1);
  }
  return EXCEPTION_CONTINUE_SEARCH;
}

/* Each frame takes about a page; records StackLimit whenever it moved. */
static int recurse(int depth, char *stop_below) {
  volatile char frame[PAGE - 64];
  frame[0] = (char)depth;
  frame[sizeof frame - 1] = (char)depth;
  char *limit = stack_limit();
  if (limit_changes == 0 || limits_seen[limit_changes - 1] != limit) {
    if (limit_changes < 512) limits_seen[limit_changes] = limit;
    limit_changes++;
  }
  if (stop_below && (char *)frame < stop_below) return depth;
  return recurse(depth + 1, stop_below) + frame[0] - frame[sizeof frame - 1];
}

static int recurse_big(int depth) {
  volatile char frame[10000];
  frame[0] = (char)depth;
  return depth == 0 ? frame[0] : recurse_big(depth - 1) + frame[0] - (char)depth;
}

static int big_frames(void) {
  AddVectoredExceptionHandler(1, counting_handler);
  char *start = stack_limit();
  recurse_big(30);
  CHECK_EQ("no exception reached the guest", handler_calls, 0);
  CHECK_TRUE("the stack grew past 300,000 bytes", start - stack_limit() >= 300000);
  return CHECK_DONE();
}

static int check_environment(unsigned long reserve) {
  TEB *teb = NtCurrentTeb();
  PEB *peb = teb->ProcessEnvironmentBlock;
  CHECK_EQ("TEB at 0x7ffde000", teb, 0x7ffde000);
  CHECK_EQ("TEB Self", teb->NtTib.Self, teb);
  CHECK_EQ("PEB at 0x7ffdf000", peb, 0x7ffdf000);
  CHECK_EQ("PEB ImageBaseAddress", peb->ImageBaseAddress, 0x400000);
  CHECK_EQ("PEB OS version", peb->OSMajorVersion * 100 + peb->OSMinorVersion, 501);
  CHECK_EQ("ClientId", (ULONG_PTR)teb->ClientId.UniqueThread != 0, 1);
  char local;
  CHECK_TRUE("ESP below StackBase", &local < (char *)teb->NtTib.StackBase);
  CHECK_TRUE("ESP above StackLimit", &local >= (char *)teb->NtTib.StackLimit);
  CHECK_EQ("StackBase - DeallocationStack is the reservation", (char *)teb->NtTib.StackBase - (char *)teb->DeallocationStack,
           reserve);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(teb->DeallocationStack, &mbi, sizeof mbi);
  CHECK_EQ("bottom of the stack: reserved", mbi.State, MEM_RESERVE);
  VirtualQuery((char *)teb->NtTib.StackLimit - PAGE, &mbi, sizeof mbi);
  CHECK_EQ("the page below StackLimit: committed", mbi.State, MEM_COMMIT);
  CHECK_EQ("the page below StackLimit: the guard page", mbi.Protect, PAGE_READWRITE | PAGE_GUARD);
  CHECK_EQ("one guard page", mbi.RegionSize, PAGE);
  VirtualQuery(teb->NtTib.StackLimit, &mbi, sizeof mbi);
  CHECK_EQ("StackLimit and up: committed read/write", mbi.Protect, PAGE_READWRITE);
  CHECK_EQ("up to StackBase", (char *)mbi.BaseAddress + mbi.RegionSize, teb->NtTib.StackBase);
  SetLastError(1234);
  CHECK_EQ("GetLastError is the TEB's LastErrorValue", teb->LastErrorValue, 1234);
  return CHECK_DONE();
}

static int grow(int pages) {
  AddVectoredExceptionHandler(1, counting_handler);
  char *start = stack_limit();
  recurse(0, start - pages * PAGE);
  CHECK_EQ("no exception reached the guest", handler_calls, 0);
  CHECK_EQ("StackLimit moved once per page", limit_changes - 1, pages);
  int steps_of_one_page = 0;
  for (int i = 1; i < limit_changes && i < 512; i++) steps_of_one_page += limits_seen[i - 1] - limits_seen[i] == PAGE;
  CHECK_EQ("each move is one page down", steps_of_one_page, limit_changes - 1);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(stack_limit() - PAGE, &mbi, sizeof mbi);
  CHECK_EQ("a new guard page below StackLimit", mbi.Protect, PAGE_READWRITE | PAGE_GUARD);
  printf("StackLimit %p -> %p\n", (void *)start, (void *)stack_limit());
  return CHECK_DONE();
}

static int overflow(void) {
  AddVectoredExceptionHandler(1, counting_handler);
  TEB *teb = NtCurrentTeb();
  if (!setjmp(recover)) {
    recurse(0, NULL);
    printf("not reached\n");
    return 1;
  }
  CHECK_EQ("the handler saw STATUS_STACK_OVERFLOW", seen_code, STATUS_STACK_OVERFLOW);
  CHECK_EQ("once", handler_calls, 1);
  CHECK_EQ("StackLimit two pages above the bottom", (char *)teb->NtTib.StackLimit - (char *)teb->DeallocationStack, 2 * PAGE);
  CHECK_EQ("the faulting address is in the last guard page", seen_address & ~(PAGE - 1), (ULONG_PTR)teb->NtTib.StackLimit);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(teb->DeallocationStack, &mbi, sizeof mbi);
  CHECK_EQ("the bottom two pages stay reserved", mbi.State == MEM_RESERVE && mbi.RegionSize == 2 * PAGE, 1);
  return CHECK_DONE();
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "env";
  if (!strcmp(mode, "env")) return check_environment(argc > 2 ? strtoul(argv[2], NULL, 0) : 0x100000);
  if (!strcmp(mode, "grow")) return grow(argc > 2 ? atoi(argv[2]) : 10);
  if (!strcmp(mode, "overflow")) return overflow();
  if (!strcmp(mode, "big-frames")) return big_frames();
  if (!strcmp(mode, "unhandled")) return recurse(0, NULL);
  return 2;
}
