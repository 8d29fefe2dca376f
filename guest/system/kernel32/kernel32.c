/* kernel32.dll: the Win32 base API over ntdll. */
#include <windows.h>
#include <winternl.h>

DWORD WINAPI GetLastError(void) { return NtCurrentTeb()->LastErrorValue; }
void WINAPI SetLastError(DWORD error) { NtCurrentTeb()->LastErrorValue = error; }
