/* A DLL built by stock mingw-w64 with its C runtime (mingw's DLL start-up
   code around DllMain, msvcrt.dll for printf, malloc and the DLL's atexit
   table): DllMain counts its attaches and says when it runs; the exports
   are called through GetProcAddress by load-counter.c. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int attaches;

static void at_unload(void) { printf("counter-dll: its atexit function, at unload\n"); }

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance; (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) {
    attaches++;
    atexit(at_unload);
    printf("counter-dll: DllMain(DLL_PROCESS_ATTACH) call %d\n", attaches);
  } else if (reason == DLL_PROCESS_DETACH) {
    printf("counter-dll: DllMain(DLL_PROCESS_DETACH)\n");
  }
  return TRUE;
}

__declspec(dllexport) int counter_attaches(void) { return attaches; }
__declspec(dllexport) int counter_scale(int value) { return value * 3; }

/* Memory from the DLL's malloc, freed by the program: one msvcrt, one process heap. */
__declspec(dllexport) char *counter_copy(const char *text) {
  char *copy = malloc(strlen(text) + 1);
  return copy ? strcpy(copy, text) : NULL;
}
