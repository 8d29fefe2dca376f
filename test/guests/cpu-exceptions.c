/* Raises the CPU exception named on the command line. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  printf("doing %s\n", what);
  volatile int zero = 0;
  if (!strcmp(what, "div")) return 10 / zero;
  if (!strcmp(what, "ud2")) __asm__ volatile("ud2");
  if (!strcmp(what, "hlt")) __asm__ volatile("hlt");
  if (!strcmp(what, "cli")) __asm__ volatile("cli");
  if (!strcmp(what, "int3")) __asm__ volatile("int3");
  if (!strcmp(what, "int21")) __asm__ volatile("int $0x21");
  printf("survived\n");
  return 0;
}
