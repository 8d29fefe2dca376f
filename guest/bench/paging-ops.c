/* Paging benchmark guest (tools/bench.mjs).
   soft PAGES ROUNDS: write PAGES pages, then ROUNDS times empty the working
     set and read every page again (each read a soft fault: RAM holds them all).
   hard PAGES ROUNDS: write PAGES pages (more than RAM), then read them all in
     order ROUNDS times (hard faults from the page file, read in clusters). */
#include <windows.h>
#include <psapi.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  unsigned pages = strtoul(argv[2], 0, 0), rounds = strtoul(argv[3], 0, 0);
  volatile char *data = VirtualAlloc(NULL, (SIZE_T)pages * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!data) return 3;
  for (unsigned i = 0; i < pages; i++) data[i * PAGE] = (char)i;
  unsigned sum = 0;
  for (unsigned r = 0; r < rounds; r++) {
    if (!strcmp(argv[1], "soft")) EmptyWorkingSet(GetCurrentProcess());
    for (unsigned i = 0; i < pages; i++) sum += data[i * PAGE] == (char)i;
  }
  return sum == pages * rounds ? 0 : 1;
}
