/* Imports the loader binds without GetProcAddress: a function by ordinal
   (helper.dll's `add` is ordinal 1; the import library says NONAME) and
   data (`attach_count`, through the import address table as
   __declspec(dllimport) data is reached). Built with stock mingw-w64. */
#include <windows.h>
#include "nt-calls.h"

__declspec(dllimport) int add(int, int);
__declspec(dllimport) extern long attach_count;

void start(void) {
  nt_print(add(20, 22) == 42 ? "ordinal import works\n" : "ordinal import wrong\n");
  nt_print(attach_count == 1 ? "data import reads 1\n" : "data import wrong\n");
  ExitProcess(0);
}
