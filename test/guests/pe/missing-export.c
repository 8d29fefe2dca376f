/* Imports `extra`, which the helper.dll beside it at run time does not export. */
#include <windows.h>
__declspec(dllimport) int extra(void);
void start(void) { ExitProcess(extra()); }
