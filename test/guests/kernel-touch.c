/* Touches an address given on the command line (read, or write with "w"). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  volatile unsigned *target = (volatile unsigned *)strtoul(argv[1], 0, 16);
  printf("touching %p\n", (void *)target);
  if (argc > 2 && argv[2][0] == 'w') *target = 1;
  else printf("read %x\n", *target);
  printf("still alive\n");
  return 0;
}
