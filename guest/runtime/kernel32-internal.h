/* What kernel32's functions share inside the runtime (not part of the SDK). */
#ifndef MMSCOPE_RUNTIME_KERNEL32_INTERNAL_H
#define MMSCOPE_RUNTIME_KERNEL32_INTERNAL_H
#include <winnt.h>

/* TRUE for a successful NTSTATUS; otherwise its Win32 error (as RtlNtStatusToDosError
   maps it) becomes GetLastError's value, as kernel32's BaseSetLastNTError does. */
BOOL mms_succeeded(NTSTATUS status);
#endif
