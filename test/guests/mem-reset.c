/* MEM_RESET under memory pressure: 2,000 written pages are reset, then
   8,000 other pages are written, more than RAM holds. Prints the reset
   range; the reset pages must never reach the page file. */
#include <windows.h>
#include <stdio.h>

#define PAGE 4096
#define RESET_PAGES 2000
#define OTHER_PAGES 8000

int main(void) {
  char *reset = VirtualAlloc(NULL, RESET_PAGES * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  char *other = VirtualAlloc(NULL, OTHER_PAGES * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  if (!reset || !other) return 1;
  for (int i = 0; i < RESET_PAGES; i++) reset[i * PAGE] = 1;
  if (VirtualAlloc(reset, RESET_PAGES * PAGE, MEM_RESET, PAGE_READWRITE) != reset) return 2;
  printf("reset %p %d\n", reset, RESET_PAGES);
  for (int i = 0; i < OTHER_PAGES; i++) other[i * PAGE] = 2;
  int sum = 0;
  for (int i = 0; i < OTHER_PAGES; i++) sum += other[i * PAGE];
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(reset, &mbi, sizeof mbi);
  printf("other %d, reset range %s\n", sum, mbi.State == MEM_COMMIT ? "still committed" : "lost");
  return 0;
}
