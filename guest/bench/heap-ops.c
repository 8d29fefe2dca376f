/* Heap benchmark and system-call counting.
     heap-ops fill N          N mallocs of 32 bytes, none freed
     heap-ops small N         N malloc/free pairs of 16-256 bytes over 1,000 live blocks
     heap-ops large N         N malloc/free pairs of 0.5-1 MiB (each its own VirtualAlloc)
   The host times runs with different N, and counts system calls in the trace. */
#include <stdlib.h>
#include <string.h>

#define LIVE 1000

static void *slots[LIVE];
static unsigned state = 1;

static unsigned next_random(void) { state = state * 1103515245u + 12345u; return state >> 8; }

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int n = atoi(argv[2]);
  if (!strcmp(argv[1], "fill")) {
    for (int i = 0; i < n; i++) if (!malloc(32)) return 1;
    return 0;
  }
  int large = !strcmp(argv[1], "large");
  int live = large ? 4 : LIVE;
  for (int i = 0; i < n; i++) {
    int slot = next_random() % live;
    free(slots[slot]);
    size_t size = large ? 0x80000 + next_random() % 0x80000 : 16 + next_random() % 241;
    slots[slot] = malloc(size);
    if (!slots[slot]) return 1;
    *(char *)slots[slot] = 1;
  }
  for (int i = 0; i < live; i++) free(slots[i]);
  return 0;
}
