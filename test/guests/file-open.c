/* Opens (or creates, with "create") each path given and prints one line per
   path: "PATH: ok" or "PATH: error N" with GetLastError's value. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  int create = argc > 1 && !strcmp(argv[1], "create");
  for (int i = create ? 2 : 1; i < argc; i++) {
    HANDLE file = CreateFileA(argv[i], GENERIC_READ | GENERIC_WRITE, 0, NULL, create ? CREATE_ALWAYS : OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE) { printf("%s: error %lu\n", argv[i], GetLastError()); continue; }
    if (create) WriteFile(file, "written", 7, NULL, NULL);
    CloseHandle(file);
    printf("%s: ok\n", argv[i]);
  }
  return 0;
}
