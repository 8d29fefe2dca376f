/* A program to debug: a function called in a loop (breakpoints, p, t, gu,
   k), a global written each call (ba w), and with "fault" an access
   violation a vectored handler recovers from (sxe av, g passes it on);
   with "crash" one no handler takes (second chance). */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>

int counter;
static int total; /* static: setjmp/longjmp leave it alone */
static jmp_buf recover;

__attribute__((noinline)) int add_one(int x) {
  counter += x;
  return x + 1;
}

static LONG WINAPI on_fault(PEXCEPTION_POINTERS info) {
  (void)info;
  longjmp(recover, 1);
}

int main(int argc, char **argv) {
  for (int i = 0; i < 3; i++) total = add_one(total);
  printf("total %d counter %d\n", total, counter);
  if (argc > 1 && strcmp(argv[1], "fault") == 0) {
    AddVectoredExceptionHandler(1, on_fault);
    if (setjmp(recover) == 0) {
      volatile int *bad = (int *)0x50000000;
      total = *bad;
    }
    printf("recovered\n");
  }
  if (argc > 1 && strcmp(argv[1], "crash") == 0) {
    volatile int *bad = (int *)0x50000000;
    total = *bad;
  }
  return total;
}
