/* Reads pages of a mapped file in a known order, for the read clusters of
   file-backed section faults. C:\cluster.bin (prepared by the test) has
   16 pages; page n holds the byte n everywhere. The guest reads one byte
   of each page named on the command line and prints them; "empty" empties
   its working set instead (EmptyWorkingSet). */
#include <windows.h>
#include <psapi.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  HANDLE file = CreateFileA("C:\\cluster.bin", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
  HANDLE section = CreateFileMappingA(file, NULL, PAGE_READONLY, 0, 0, NULL);
  volatile unsigned char *view = MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0);
  if (!view) { printf("cannot map: error %lu\n", GetLastError()); return 1; }
  printf("view %p\n", (void *)view);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "empty")) printf("EmptyWorkingSet: %d\n", EmptyWorkingSet(GetCurrentProcess()));
    else printf("page %s: %u\n", argv[i], view[strtoul(argv[i], 0, 0) * 4096 + 100]);
  }
  return 0;
}
