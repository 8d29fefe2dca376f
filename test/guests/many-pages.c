/* Writes one byte to each of N fresh pages of a 4 MiB .bss array (N from argv). */
#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096
static char area[1024][PAGE] __attribute__((aligned(PAGE)));

int main(int argc, char **argv) {
  int pages = argc > 1 ? atoi(argv[1]) : 1024;
  if (pages > 1024) pages = 1024;
  for (int i = 0; i < pages; i++) area[i][i % PAGE] = (char)i;
  int sum = 0;
  for (int i = 0; i < pages; i++) sum += area[i][i % PAGE] == (char)i;
  return sum == pages ? 0 : 1;
}
