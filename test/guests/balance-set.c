/* The balance set manager's periodic pass: write every page of a region
   larger than RAM once, in order, then spin on a few pages without
   faulting, so only the periodic pass can age or trim meanwhile.
   argv[1]: pages to write (default 12288: three times --ram 16M);
   argv[2]: spin iterations (default 0: for ever).
   Prints the region's base and the last page written before spinning. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096

int main(int argc, char **argv) {
  unsigned pages = argc > 1 ? strtoul(argv[1], 0, 0) : 12288;
  unsigned spins = argc > 2 ? strtoul(argv[2], 0, 0) : 0;
  volatile unsigned char *base = VirtualAlloc(0, (SIZE_T)pages * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!base) { printf("VirtualAlloc failed: %lu\n", GetLastError()); return 1; }
  for (unsigned page = 0; page < pages; page++) base[page * PAGE] = (unsigned char)page;
  printf("base %p last %p\n", (void *)base, (void *)(base + (pages - 1) * PAGE));
  fflush(stdout);
  volatile unsigned sum = 0;
  for (unsigned i = 0; spins == 0 || i < spins; i++) sum += base[(i & 7) * PAGE];
  return 0;
}
