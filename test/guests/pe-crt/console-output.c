/* Console output through the C runtime, each call's exact bytes checked by
   the test: printf's conversions, puts, putchar, fwrite to stdout,
   fprintf(stderr), and exit's status. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("printf %d %d %x %.2f %s\n", 42, -7, 255, 3.25, "text");
  puts("puts line");
  putchar('x');
  putchar('y');
  putchar('\n');
  fwrite("fwrite to stdout\n", 1, 17, stdout);
  fprintf(stderr, "fprintf to stderr: %#x\n", 42);
  exit(7);
}
