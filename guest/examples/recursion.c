/* Deep recursion: the stack grows a page at a time through its guard page.
   Run with --trace faults to watch each stack-growth fault move StackLimit
   down one page, and --vad to see the stack's reservation unchanged while
   its commit grew. */
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdlib.h>

static int depth_reached;

static int recurse(int depth, int max) {
  volatile char frame[1000];   /* about a quarter of a page per call */
  frame[0] = (char)depth;
  if (depth == max) {
    depth_reached = depth;
    return frame[0];
  }
  return recurse(depth + 1, max) + frame[0] - (char)depth;
}

int main(int argc, char **argv) {
  int max = argc > 1 ? atoi(argv[1]) : 40;
  /* volatile: the kernel moves StackLimit behind the compiler's back. */
  volatile NT_TIB *tib = &NtCurrentTeb()->NtTib;
  char *limit_before = tib->StackLimit;
  recurse(1, max);
  printf("%d calls deep: StackLimit %p -> %p (%d pages grown), StackBase %p\n", depth_reached, (void *)limit_before,
         tib->StackLimit, (int)((limit_before - (char *)tib->StackLimit) / 4096), tib->StackBase);
  return 0;
}
