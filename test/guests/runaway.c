/* Guests that never end on their own:
   "av-storm"       an access violation whose handler continues at the same
                    instruction, forever (fault, handler, NtContinue, fault...)
   "int3-storm"     the same with a breakpoint the handler steps back onto
   "map-spin NAME"  writes all 16 pages of a mapped file, says "ready", spins */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static LONG WINAPI continue_handler(PEXCEPTION_POINTERS info) {
  if (info->ExceptionRecord->ExceptionCode == STATUS_BREAKPOINT) info->ContextRecord->Eip -= 1;
  return EXCEPTION_CONTINUE_EXECUTION;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "av-storm") || !strcmp(what, "int3-storm")) {
    AddVectoredExceptionHandler(1, continue_handler);
    if (what[0] == 'a') return *(volatile int *)0;
    for (;;) __asm__ volatile("int3");
  }
  if (!strcmp(what, "map-spin") && argc > 2) {
    HANDLE file = CreateFileA(argv[2], GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    HANDLE mapping = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 16 * 4096, NULL);
    char *view = MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
    if (!view) { printf("map failed %lu\n", (unsigned long)GetLastError()); return 1; }
    for (int page = 0; page < 16; page++) memset(view + page * 4096, 'A' + page, 4096);
    printf("ready\n");
    for (volatile int spin = 0;; spin++) {}
  }
  printf("usage: av-storm | int3-storm | map-spin NAME\n");
  return 2;
}
