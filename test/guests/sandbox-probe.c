/* Sandbox probes, one per command:
   "map NAME rw|ro"    opens NAME (read-write or read-only), then creates a
                       section from that handle, maps it, prints the first
                       line it reads through the view and, for rw, writes
                       "GUEST" over its start and unmaps (written back).
   "open NAME r|w|c"   opens NAME for reading, for writing, or creates it
                       (CREATE_ALWAYS); prints "opened" or "error N". */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int map(const char *name, int writable) {
  HANDLE file = CreateFileA(name, GENERIC_READ | (writable ? GENERIC_WRITE : 0), 0, NULL, OPEN_EXISTING, 0, NULL);
  if (file == INVALID_HANDLE_VALUE) { printf("open error %lu\n", (unsigned long)GetLastError()); return 1; }
  /* The test swaps the name for a link while this handle is open (on the NtCreateFile trace event). */
  HANDLE mapping = CreateFileMappingA(file, NULL, writable ? PAGE_READWRITE : PAGE_READONLY, 0, 0, NULL);
  if (!mapping) { printf("mapping error %lu\n", (unsigned long)GetLastError()); return 1; }
  char *view = MapViewOfFile(mapping, writable ? FILE_MAP_WRITE : FILE_MAP_READ, 0, 0, 0);
  if (!view) { printf("view error %lu\n", (unsigned long)GetLastError()); return 1; }
  char line[64];
  int n = 0;
  while (n < 63 && view[n] && view[n] != '\n') { line[n] = view[n]; n++; }
  line[n] = 0;
  printf("view: %s\n", line);
  if (writable) memcpy(view, "GUEST", 5);
  UnmapViewOfFile(view);
  CloseHandle(mapping);
  CloseHandle(file);
  return 0;
}

static int open_file(const char *name, char how) {
  DWORD access = how == 'r' ? GENERIC_READ : GENERIC_WRITE;
  DWORD disposition = how == 'c' ? CREATE_ALWAYS : OPEN_EXISTING;
  HANDLE file = CreateFileA(name, access, 0, NULL, disposition, 0, NULL);
  if (file == INVALID_HANDLE_VALUE) { printf("error %lu\n", (unsigned long)GetLastError()); return 0; }
  printf("opened\n");
  CloseHandle(file);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && !strcmp(argv[1], "map")) return map(argv[2], !strcmp(argv[3], "rw"));
  if (argc == 4 && !strcmp(argv[1], "open")) return open_file(argv[2], argv[3][0]);
  printf("usage: map NAME rw|ro | open NAME r|w|c\n");
  return 2;
}
