/* Leaves one allocation in each state of the seed's story for the report:
   reserved, committed (demand-zero), written (valid, dirty), and a guard page. */
#include <windows.h>
#include <stdio.h>

int main(void) {
  char *p = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  if (!p || !VirtualAlloc(p, 0x2000, MEM_COMMIT, PAGE_READWRITE)) return 1;
  p[0] = 1;
  if (!VirtualAlloc(p + 0x3000, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD)) return 2;
  printf("%p\n", p);
  return 0;
}
