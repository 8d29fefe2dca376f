/* ntdll's loader (as Windows' Ldr): the kernel starts the process's first
   thread here, at LdrInitializeThunk, with the program and ntdll mapped and
   the PEB filled. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>

void WINAPI LdrInitializeThunk(void) {
  PEB *peb = NtCurrentTeb()->ProcessEnvironmentBlock;
  BYTE *base = peb->ImageBaseAddress;
  IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)(base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
  DWORD (*entry)(void) = (DWORD (*)(void))(base + nt->OptionalHeader.AddressOfEntryPoint);
  NtTerminateProcess((HANDLE)-1, entry());
}
