/* A module that marks its exports as a Windows DLL source does (built with
   mmscope build --base 0x11000000): only the __declspec(dllexport) symbols
   are exported; the other global function is not. */
#include <windows.h>

__declspec(dllexport) int __stdcall multiply(int a, int b) { return a * b; }
__declspec(dllexport) int __cdecl negate(int a) { return -a; }
__declspec(dllexport) int exported_value = 7;
int internal_helper(void) { return 99; }

int main(void) { return internal_helper() == 99 ? 0 : 1; }
