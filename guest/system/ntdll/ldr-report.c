/* The loader's small helpers: names in ASCII and UTF-16, the Win32 error
   for a loader status, and the line Windows' hard-error box would show when
   a process cannot start. */
#include <string.h>
#include "ldr.h"

#define STDERR_HANDLE ((HANDLE)11)   /* the console's stderr pseudo-handle */
#define ERROR_DLL_INIT_FAILED_CODE 1114

static void write_stderr(const char *text) {
  IO_STATUS_BLOCK io;
  NtWriteFile(STDERR_HANDLE, 0, 0, 0, &io, text, strlen(text), 0, 0);
}

void ldrp_report(const char *first, const char *second, const char *third, const char *fourth) {
  write_stderr(first);
  if (second) write_stderr(second);
  if (third) write_stderr(third);
  if (fourth) write_stderr(fourth);
  write_stderr("\n");
}

void ldrp_ascii_copy(char *to, const char *from, ULONG size) {
  ULONG i = 0;
  for (; from[i] && i + 1 < size; i++) to[i] = from[i];
  to[i] = 0;
}

/* A counted UTF-16 copy of an ASCII name on the process heap. */
void ldrp_make_unicode(UNICODE_STRING *out, const char *text) {
  size_t length = strlen(text);
  out->Buffer = HeapAlloc(GetProcessHeap(), 0, (length + 1) * 2);
  for (size_t i = 0; i <= length; i++) out->Buffer[i] = (unsigned char)text[i];
  out->Length = (USHORT)(length * 2);
  out->MaximumLength = (USHORT)((length + 1) * 2);
}

static WCHAR lower(WCHAR c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Case-insensitive, as module names are compared on Windows. */
int ldrp_same_name(const UNICODE_STRING *name, const char *text) {
  size_t length = strlen(text);
  if (name->Length != length * 2) return 0;
  for (size_t i = 0; i < length; i++) if (lower(name->Buffer[i]) != lower((unsigned char)text[i])) return 0;
  return 1;
}

/* What GetLastError says after a failed LoadLibrary or GetProcAddress (RtlNtStatusToDosError's rows for loader statuses). */
ULONG ldrp_dos_error(NTSTATUS status) {
  switch (status) {
    case STATUS_DLL_NOT_FOUND: return ERROR_MOD_NOT_FOUND;
    case STATUS_ENTRYPOINT_NOT_FOUND: case STATUS_ORDINAL_NOT_FOUND: return ERROR_PROC_NOT_FOUND;
    case STATUS_INVALID_IMAGE_FORMAT: return ERROR_BAD_EXE_FORMAT;
    case STATUS_DLL_INIT_FAILED: return ERROR_DLL_INIT_FAILED_CODE;
    default: return RtlNtStatusToDosError(status);
  }
}
