/* The few Win32 calls the SDK's shared runtime sources (heap.c) make, for
   ntdll's own use: on Windows RtlAllocateHeap calls the Nt services
   directly. Not exported: kernel32 exports the real ones. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>

void WINAPI SetLastError(DWORD error) { NtCurrentTeb()->LastErrorValue = error; }

LPVOID WINAPI VirtualAlloc(LPVOID address, SIZE_T size, DWORD type, DWORD protect) {
  PVOID base = address;
  SIZE_T bytes = size;
  NTSTATUS status = NtAllocateVirtualMemory((HANDLE)-1, &base, 0, &bytes, type, protect);
  if (status < 0) { SetLastError(RtlNtStatusToDosError(status)); return NULL; }
  return base;
}

BOOL WINAPI VirtualFree(LPVOID address, SIZE_T size, DWORD type) {
  PVOID base = address;
  SIZE_T bytes = size;
  NTSTATUS status = NtFreeVirtualMemory((HANDLE)-1, &base, &bytes, type);
  if (status < 0) { SetLastError(RtlNtStatusToDosError(status)); return FALSE; }
  return TRUE;
}
