/* Kernel memory a guest can make the kernel spend:
   "reserve N"  creates up to N 2 GiB SEC_RESERVE sections and keeps them open;
                prints how many it got and the error that stopped it.
   "views N"    creates N 64 KiB SEC_RESERVE sections, maps each, commits and
                writes its first page, and keeps them all mapped. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int n = argc > 2 ? atoi(argv[2]) : 0;
  if (argc > 2 && !strcmp(argv[1], "reserve")) {
    int made = 0;
    DWORD error = 0;
    for (; made < n; made++) {
      HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 0x80000000u, NULL);
      if (!section) { error = GetLastError(); break; }
    }
    printf("made %d, error %lu\n", made, (unsigned long)error);
    return 0;
  }
  if (argc > 2 && !strcmp(argv[1], "views")) {
    for (int i = 0; i < n; i++) {
      HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 0x10000, NULL);
      char *view = section ? MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0) : NULL;
      if (!view || !VirtualAlloc(view, 4096, MEM_COMMIT, PAGE_READWRITE)) { printf("failed at %d: %lu\n", i, (unsigned long)GetLastError()); return 1; }
      view[0] = (char)i;
    }
    printf("views %d\n", n);
    return 0;
  }
  printf("usage: reserve N | views N\n");
  return 2;
}
