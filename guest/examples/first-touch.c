/* First touch: fresh pages of .bss, the stack and a big static array have
   no frame until the program touches them. Run with --trace faults to watch
   one demand-zero fault per page, each at the instruction that touched it. */
#include <stdio.h>

#define PAGE 4096

static char bss_page[PAGE] __attribute__((aligned(PAGE)));
static int big_array[16 * PAGE / sizeof(int)] __attribute__((aligned(PAGE))); /* 16 pages */

static int __attribute__((noinline)) touch_stack(int depth) {
  volatile char frame[PAGE];
  frame[0] = (char)depth;
  return depth ? touch_stack(depth - 1) + frame[0] : frame[0];
}

int main(void) {
  printf("bss page at %p, big array at %p (%u pages)\n", (void *)bss_page, (void *)big_array,
         (unsigned)(sizeof big_array / PAGE));
  bss_page[0] = 1;                      /* one write fault: demand zero, then Dirty */
  int sum = 0;
  for (unsigned i = 0; i < sizeof big_array / sizeof(int); i += PAGE / sizeof(int)) {
    big_array[i] = (int)i;              /* one fault per page */
    sum += big_array[i];
  }
  sum += touch_stack(4);                /* stack pages below the first one */
  printf("sum %d\n", sum);
  return 0;
}
