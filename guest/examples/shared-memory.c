/* Two views of one page-file-backed section share a physical page through
   its prototype PTE; a FILE_MAP_COPY view reads the same page and gets a
   private copy on its first write. The PTE dumps show the same frame in
   both views, the share count, and the copy's own frame. */
#include <windows.h>
#include <stdio.h>
#include <mmscope.h>

int main(void) {
  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x10000, "demo-section");
  char *a = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  char *b = MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0);
  char *copy = MapViewOfFile(section, FILE_MAP_COPY, 0, 0, 0);
  a[0] = 'A';
  printf("view A at %p wrote 'A'; view B at %p reads '%c'\n", (void *)a, (void *)b, b[0]);
  printf("copy view at %p reads '%c'\n", (void *)copy, copy[0]);
  MmsDumpPte(a);
  MmsDumpPte(b);
  copy[0] = 'C';
  printf("after the copy view wrote 'C': A reads '%c', the copy reads '%c'\n", a[0], copy[0]);
  MmsDumpPte(copy);
  MmsDumpVad();
  return 0;
}
