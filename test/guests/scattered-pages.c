/* Commits SIZE MiB and writes every other page, from the top down, so no two
   resident pages have consecutive frames: each is a host mapping of its own.
   Prints how many pages it wrote every 4096 pages. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  SIZE_T size = (SIZE_T)(argc > 1 ? atoi(argv[1]) : 64) << 20;
  char *base = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!base) { printf("VirtualAlloc failed %lu\n", (unsigned long)GetLastError()); return 1; }
  int written = 0;
  for (SIZE_T offset = size - 4096; offset < size; offset -= 8192) {
    base[offset] = 1;
    if (++written % 4096 == 0) printf("%d pages\n", written);
  }
  printf("done %d\n", written);
  return 0;
}
