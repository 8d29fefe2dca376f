/* Fault-rate benchmark: writes one byte to each of N fresh pages (N from argv). */
#include <stdlib.h>

#define PAGE 4096
#define MAX_PAGES 32768 /* 128 MiB of .bss */
static char area[MAX_PAGES][PAGE] __attribute__((aligned(PAGE)));

int main(int argc, char **argv) {
  int pages = argc > 1 ? atoi(argv[1]) : MAX_PAGES;
  if (pages > MAX_PAGES) pages = MAX_PAGES;
  for (int i = 0; i < pages; i++) area[i][0] = 1;
  int sum = 0;
  for (int i = 0; i < pages; i++) sum += area[i][0];
  return sum == pages ? 0 : 1;
}
