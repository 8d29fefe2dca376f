/* 64 MiB of .bss; touches every page when given "touch". */
#include <stdio.h>
#include <string.h>

#define PAGE 4096
static char area[16384][PAGE] __attribute__((aligned(PAGE)));

int main(int argc, char **argv) {
  printf("started\n");
  int sum = 0;
  if (argc > 1 && !strcmp(argv[1], "touch")) {
    for (int i = 0; i < 16384; i++) area[i][0] = 1;
    for (int i = 0; i < 16384; i++) sum += area[i][0];
  }
  printf("done %d\n", sum);
  return 0;
}
