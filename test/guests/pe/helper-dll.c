/* A DLL built with stock mingw-w64 (-nostdlib -shared, DllMain as its
   entry): counts DllMain's calls by reason, reports them on the console,
   and exports a function, data, and a function whose code refers to the
   DLL's data through an absolute address (fixed up by relocation). */
#include <windows.h>
#include "nt-calls.h"

__declspec(dllexport) long attach_count;
__declspec(dllexport) long detach_count;
static int data = 1;

__declspec(dllexport) int add(int a, int b) { return a + b; }
__declspec(dllexport) void *data_address(void) { return &data; }
#ifdef EXTRA_EXPORT
__declspec(dllexport) int extra(void) { return 1; }
#endif

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  if (reason == DLL_PROCESS_ATTACH) { attach_count++; nt_print(reserved ? "DllMain attach static\n" : "DllMain attach dynamic\n"); }
  if (reason == DLL_PROCESS_DETACH) { detach_count++; nt_print(reserved ? "DllMain detach at exit\n" : "DllMain detach on FreeLibrary\n"); }
  return TRUE;
}
