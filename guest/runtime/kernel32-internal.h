/* What kernel32's functions share inside the runtime (not part of the SDK). */
#ifndef MMSCOPE_RUNTIME_KERNEL32_INTERNAL_H
#define MMSCOPE_RUNTIME_KERNEL32_INTERNAL_H
#include <winnt.h>

/* TRUE for a successful NTSTATUS; otherwise its Win32 error (as RtlNtStatusToDosError
   maps it) becomes GetLastError's value, as kernel32's BaseSetLastNTError does. */
BOOL mms_succeeded(NTSTATUS status);

/* Object names: ASCII to a counted UTF-16 name under an optional prefix
   (MMS_NAMED_OBJECTS for events, mutexes, semaphores and sections). FALSE
   with ERROR_INVALID_NAME when too long. */
#define MMS_MAX_NAME 260
#define MMS_NAMED_OBJECTS "\\BaseNamedObjects\\"
typedef struct { UNICODE_STRING string; WCHAR buffer[MMS_MAX_NAME + sizeof MMS_NAMED_OBJECTS]; } MMS_NAME_BUFFER;
BOOL mms_make_name(MMS_NAME_BUFFER *name, const char *prefix, const char *text);
#endif
