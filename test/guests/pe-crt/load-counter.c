/* Loads counter-dll.dll twice with LoadLibraryA (one load, a reference
   count of two), calls its exports through GetProcAddress, frees memory
   the DLL allocated, and unloads it with two FreeLibrary calls: DllMain
   runs once for the attach and once for the detach, as on Windows. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  HMODULE first = LoadLibraryA("counter-dll.dll");
  HMODULE second = LoadLibraryA("counter-dll.dll");
  if (!first || !second) { printf("LoadLibraryA failed: error %lu\n", GetLastError()); return 1; }
  printf("the second LoadLibraryA returns the same module: %s\n", first == second ? "yes" : "no");
  int (*attaches)(void) = (int (*)(void))GetProcAddress(first, "counter_attaches");
  int (*scale)(int) = (int (*)(int))GetProcAddress(first, "counter_scale");
  char *(*copy)(const char *) = (char *(*)(const char *))GetProcAddress(first, "counter_copy");
  if (!attaches || !scale || !copy) { printf("GetProcAddress failed: error %lu\n", GetLastError()); return 2; }
  printf("DllMain attached %d time(s); counter_scale(14) = %d\n", attaches(), scale(14));
  char *text = copy("allocated by the DLL, freed by the program");
  printf("%s\n", text);
  free(text);
  SetLastError(0);
  FARPROC missing = GetProcAddress(first, "no_such_export");
  printf("GetProcAddress of a missing export: %p, error %lu\n", (void *)missing, GetLastError());
  printf("first FreeLibrary: %d, still loaded: %s\n", FreeLibrary(second), GetModuleHandleA("counter-dll.dll") ? "yes" : "no");
  printf("last FreeLibrary: %d\n", FreeLibrary(first));
  printf("after it, GetModuleHandleA: %p\n", (void *)GetModuleHandleA("counter-dll.dll"));
  return 0;
}
