/* Working on three times the physical memory (run it with --ram 16M
   --pagefile 64M): 48 MiB is written, read back in a scattered order and
   checked, while the working-set manager trims, the modified page writer
   writes to the page file and faults bring pages back — soft ones from the
   standby and modified lists, hard ones from the page file.
   GetProcessMemoryInfo shows the counters at each step. */
#include <windows.h>
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096

static void show(const char *step) {
  PROCESS_MEMORY_COUNTERS_EX c;
  GetProcessMemoryInfo(GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&c, sizeof c);
  printf("%-28s faults %6lu  working set %6lu KiB (peak %6lu)  private %6lu KiB\n", step,
         c.PageFaultCount, c.WorkingSetSize >> 10, c.PeakWorkingSetSize >> 10, c.PrivateUsage >> 10);
}

int main(int argc, char **argv) {
  unsigned pages = argc > 1 ? strtoul(argv[1], 0, 0) : 12288; /* 48 MiB */
  show("start");
  unsigned *data = VirtualAlloc(NULL, (SIZE_T)pages * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!data) { printf("VirtualAlloc: error %lu\n", GetLastError()); return 1; }
  show("committed");
  for (unsigned i = 0; i < pages; i++) data[i * (PAGE / 4)] = i * 2654435761u;
  show("written");
  unsigned bad = 0, x = 1;
  for (unsigned n = 0; n < pages; n++) {
    x = x * 1103515245u + 12345u;
    unsigned i = (x >> 8) % pages;
    if (data[i * (PAGE / 4)] != i * 2654435761u) bad++;
  }
  show("read back, scattered");
  EmptyWorkingSet(GetCurrentProcess());
  show("EmptyWorkingSet");
  for (unsigned i = 0; i < pages; i++) if (data[i * (PAGE / 4)] != i * 2654435761u) bad++;
  show("read back, in order");
  printf("%u pages (%u KiB) checked: %s\n", pages, pages * 4, bad ? "DATA LOST" : "all intact");
  return bad != 0;
}
