/* Three fresh .bss pages: the first is written, the second only read, the
   third never touched. Prints their addresses for the test to inspect. */
#include <stdio.h>

#define PAGE 4096
static char pages[3][PAGE] __attribute__((aligned(PAGE)));

int main(void) {
  printf("%p %p %p\n", (void *)pages[0], (void *)pages[1], (void *)pages[2]);
  pages[0][100] = 42;
  volatile char value = pages[1][200];
  return value + pages[0][100]; /* 0 + 42 */
}
