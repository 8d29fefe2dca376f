/* One kind of heap misuse per run, named on the command line. Without
   --heap-check each call fails and the program prints what it returned;
   with it, the heap stops the process. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  HANDLE heap = GetProcessHeap();
  char *a = HeapAlloc(heap, 0, 24), *b = HeapAlloc(heap, 0, 24);
  BOOL result = TRUE;
  SetLastError(0xdeadbeef);   /* Windows 10 leaves it as it was (see heap-last-error.c) */
  if (!strcmp(what, "double-free")) { HeapFree(heap, 0, b); result = HeapFree(heap, 0, b); }
  if (!strcmp(what, "foreign")) { char local[16]; result = HeapFree(heap, 0, local + 8); }
  if (!strcmp(what, "damaged")) { memset(a, 0x41, 32); result = HeapFree(heap, 0, b); }
  if (!strcmp(what, "validate")) { memset(a, 0x41, 32); result = HeapValidate(heap, 0, NULL); }
  if (!strcmp(what, "use-after-free")) {
    char *c = HeapAlloc(heap, 0, 200);
    HeapAlloc(heap, 0, 16); /* keeps c from merging with the free space after it */
    HeapFree(heap, 0, c);
    c[100] = 1;
    result = HeapValidate(heap, 0, NULL);
  }
  printf("%s: %s, error %lu\n", what, result ? "TRUE" : "FALSE", GetLastError());
  return 0;
}
