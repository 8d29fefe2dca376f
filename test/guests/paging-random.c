/* Random access to more memory than the machine has: every page of a
   committed region gets a stamp (written in a scattered order), then random
   pages are read, checked and some rewritten, then everything is checked
   again. Prints "ok N pages" and exits 0 when every stamp survived.
   argv[1]: pages (default 12288, 48 MiB: three times --ram 16M);
   argv[2]: random rounds per page (default 2);
   argv[3]: check every Nth page at the end (default 1: all). */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096
#define WORDS (PAGE / 4)

static unsigned stamp(unsigned page, unsigned generation) { return page * 2654435761u + generation * 40503u + 1; }

int main(int argc, char **argv) {
  unsigned pages = argc > 1 ? strtoul(argv[1], 0, 0) : 12288;
  unsigned rounds = argc > 2 ? strtoul(argv[2], 0, 0) : 2;
  unsigned stride = argc > 3 ? strtoul(argv[3], 0, 0) : 1;
  unsigned *base = VirtualAlloc(0, (SIZE_T)pages * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!base) { printf("VirtualAlloc failed: %lu\n", GetLastError()); return 1; }
  unsigned char *generation = VirtualAlloc(0, pages, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!generation) { printf("VirtualAlloc failed: %lu\n", GetLastError()); return 1; }
  unsigned step = 7919 % pages ? 7919 : 7907;
  for (unsigned i = 0; i < pages; i++) {
    unsigned page = (unsigned)(((unsigned long long)i * step) % pages);
    base[page * WORDS] = stamp(page, 0);
    base[page * WORDS + WORDS - 1] = ~page;
  }
  unsigned errors = 0, x = 12345;
  for (unsigned round = 0; round < pages * rounds; round++) {
    x = x * 1103515245u + 12345u;
    unsigned page = (x >> 8) % pages;
    if (base[page * WORDS] != stamp(page, generation[page]) || base[page * WORDS + WORDS - 1] != ~page) errors++;
    if (round % 3 == 0) base[page * WORDS] = stamp(page, ++generation[page]);
  }
  for (unsigned page = 0; page < pages; page += stride) {
    if (base[page * WORDS] != stamp(page, generation[page]) || base[page * WORDS + WORDS - 1] != ~page) errors++;
  }
  if (errors) { printf("%u pages lost their data\n", errors); return 2; }
  printf("ok %u pages\n", pages);
  return 0;
}
