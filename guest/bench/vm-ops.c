/* Virtual-memory service benchmark.
     vm-ops LIVE reserve CYCLES   keep LIVE 64 KiB reservations; each cycle releases
                                  a random one and reserves a new one (bottom-up and
                                  MEM_TOP_DOWN in turn), so every search runs over
                                  LIVE VADs
     vm-ops LIVE commit CYCLES    keep LIVE reservations; each cycle commits one page
                                  in a random one, writes it (a demand-zero fault)
                                  and decommits it
   The host times runs with CYCLES = 0 and CYCLES = N and divides the difference. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIVE 32768
#define REGION 0x10000

static char *regions[MAX_LIVE];
static unsigned state = 12345;

static unsigned next_random(void) {
  state = state * 1664525u + 1013904223u;
  return state >> 8;
}

static int reserve_cycles(int live, int cycles) {
  for (int i = 0; i < cycles; i++) {
    unsigned victim = next_random() % (unsigned)live;
    if (!VirtualFree(regions[victim], 0, MEM_RELEASE)) return 3;
    DWORD type = MEM_RESERVE | (i & 1 ? MEM_TOP_DOWN : 0);
    regions[victim] = VirtualAlloc(NULL, REGION, type, PAGE_READWRITE);
    if (!regions[victim]) return 4;
  }
  return 0;
}

static int commit_cycles(int live, int cycles) {
  for (int i = 0; i < cycles; i++) {
    char *page = regions[next_random() % (unsigned)live] + (next_random() % 16) * 4096;
    if (!VirtualAlloc(page, 4096, MEM_COMMIT, PAGE_READWRITE)) return 5;
    page[100] = (char)i;
    if (!VirtualFree(page, 4096, MEM_DECOMMIT)) return 6;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int live = atoi(argv[1]), cycles = atoi(argv[3]);
  if (live < 1 || live > MAX_LIVE) return 2;
  for (int i = 0; i < live; i++) {
    regions[i] = VirtualAlloc(NULL, REGION, MEM_RESERVE, PAGE_READWRITE);
    if (!regions[i]) return 1;
  }
  if (!strcmp(argv[2], "reserve")) return reserve_cycles(live, cycles);
  if (!strcmp(argv[2], "commit")) return commit_cycles(live, cycles);
  return 2;
}
