/* kernel32's write-watch functions over NtGetWriteWatch/NtResetWriteWatch:
   0 on success, (UINT)-1 with the last error set from the NTSTATUS on failure
   (as kernelbase does; Wine's test_write_watch records the errors). */
#include <windows.h>
#include <ntdll.h>
#include "kernel32-internal.h"

UINT WINAPI GetWriteWatch(DWORD flags, PVOID base, SIZE_T size, PVOID *addresses, ULONG_PTR *count, LPDWORD granularity) {
  return mms_succeeded(NtGetWriteWatch(NtCurrentProcess(), flags, base, size, addresses, count, (PULONG)granularity)) ? 0 : ~0u;
}

UINT WINAPI ResetWriteWatch(LPVOID base, SIZE_T size) {
  return mms_succeeded(NtResetWriteWatch(NtCurrentProcess(), base, size)) ? 0 : ~0u;
}
