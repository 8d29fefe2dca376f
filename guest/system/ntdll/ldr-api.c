/* The loader's calls for programs: what kernel32's LoadLibrary*,
   GetProcAddress, FreeLibrary, GetModuleHandle* and GetModuleFileName*
   do, with Windows' results and last errors (MSDN; Windows Vista and later
   for GetModuleFileName's truncation). kernel32 forwards them here. */
#include <string.h>
#include "ldr.h"

#define DONT_RESOLVE_DLL_REFERENCES 0x1
#define LOAD_WITH_ALTERED_SEARCH_PATH 0x8

static BOOL fail_with(NTSTATUS status) {
  NtCurrentTeb()->LastErrorValue = ldrp_dos_error(status);
  return FALSE;
}

/* A UTF-16 name as ASCII (the loader's names are ASCII; others do not match any file). */
static BOOL narrow(LPCWSTR wide, char *out, ULONG size) {
  ULONG i = 0;
  for (; wide[i]; i++) {
    if (i + 1 >= size || wide[i] > 0x7f) return FALSE;
    out[i] = (char)wide[i];
  }
  out[i] = 0;
  return TRUE;
}

HMODULE WINAPI LoadLibraryExA(LPCSTR name, HANDLE file, DWORD flags) {
  if (!name || file || (flags & ~(DONT_RESOLVE_DLL_REFERENCES | LOAD_WITH_ALTERED_SEARCH_PATH))) { fail_with(STATUS_INVALID_PARAMETER); return NULL; }
  ULONG keep = ldrp_pending_count();
  module *m;
  NTSTATUS status = ldrp_load(name, NULL, &m);
  if (status < 0) { ldrp_discard_pending(keep); fail_with(status); return NULL; }
  status = ldrp_initialize_new_modules();
  if (status < 0) { ldrp_unload(m); fail_with(status); return NULL; }
  return m->entry.DllBase;
}

HMODULE WINAPI LoadLibraryA(LPCSTR name) { return LoadLibraryExA(name, NULL, 0); }

HMODULE WINAPI LoadLibraryExW(LPCWSTR name, HANDLE file, DWORD flags) {
  char ascii[MAX_PATH_CHARS];
  if (!name || !narrow(name, ascii, sizeof ascii)) { fail_with(STATUS_DLL_NOT_FOUND); return NULL; }
  return LoadLibraryExA(ascii, file, flags);
}

HMODULE WINAPI LoadLibraryW(LPCWSTR name) { return LoadLibraryExW(name, NULL, 0); }

BOOL WINAPI FreeLibrary(HMODULE handle) {
  module *m = ldrp_module_at(handle);
  if (!m) return fail_with(STATUS_DLL_NOT_FOUND);
  ldrp_unload(m);
  return TRUE;
}

/* NULL: the program; a name without extension gets ".dll" (GetModuleHandle's documentation). */
HMODULE WINAPI GetModuleHandleA(LPCSTR name) {
  if (!name) return NtCurrentTeb()->ProcessEnvironmentBlock->ImageBaseAddress;
  module *m = ldrp_find_module(name);
  if (!m) { fail_with(STATUS_DLL_NOT_FOUND); return NULL; }
  return m->entry.DllBase;
}

HMODULE WINAPI GetModuleHandleW(LPCWSTR name) {
  char ascii[MAX_PATH_CHARS];
  if (!name) return GetModuleHandleA(NULL);
  if (!narrow(name, ascii, sizeof ascii)) { fail_with(STATUS_DLL_NOT_FOUND); return NULL; }
  return GetModuleHandleA(ascii);
}

/* By name, or by ordinal when the high word is zero (MAKEINTRESOURCE); NULL is the program. */
FARPROC WINAPI GetProcAddress(HMODULE handle, LPCSTR name) {
  module *m = ldrp_module_at(handle ? handle : NtCurrentTeb()->ProcessEnvironmentBlock->ImageBaseAddress);
  if (!m) { fail_with(STATUS_DLL_NOT_FOUND); return NULL; }
  PVOID address = NULL;
  BOOL by_ordinal = (ULONG_PTR)name <= 0xFFFF;
  NTSTATUS status = ldrp_find_export(m, by_ordinal ? NULL : name, by_ordinal ? (WORD)(ULONG_PTR)name : 0xFFFF, by_ordinal, &address, 0);
  if (status < 0) { fail_with(by_ordinal ? STATUS_ORDINAL_NOT_FOUND : STATUS_ENTRYPOINT_NOT_FOUND); return NULL; }
  return (FARPROC)address;
}

/* The module's FullDllName; a small buffer gets it truncated and terminated, the result `size`, ERROR_INSUFFICIENT_BUFFER. */
static DWORD module_file_name(HMODULE handle, void *buffer, DWORD size, BOOL wide) {
  module *m = ldrp_module_at(handle ? handle : NtCurrentTeb()->ProcessEnvironmentBlock->ImageBaseAddress);
  if (!m) { fail_with(STATUS_DLL_NOT_FOUND); return 0; }
  DWORD length = m->entry.FullDllName.Length / 2;
  if (size == 0) { NtCurrentTeb()->LastErrorValue = ERROR_INSUFFICIENT_BUFFER; return 0; }
  DWORD copied = length < size ? length : size - 1;
  for (DWORD i = 0; i <= copied; i++) {
    WCHAR c = i < copied ? m->entry.FullDllName.Buffer[i] : 0;
    if (wide) ((WCHAR *)buffer)[i] = c; else ((char *)buffer)[i] = (char)c;
  }
  if (length >= size) { NtCurrentTeb()->LastErrorValue = ERROR_INSUFFICIENT_BUFFER; return size; }
  return length;
}

DWORD WINAPI GetModuleFileNameA(HMODULE handle, LPSTR buffer, DWORD size) { return module_file_name(handle, buffer, size, FALSE); }
DWORD WINAPI GetModuleFileNameW(HMODULE handle, LPWSTR buffer, DWORD size) { return module_file_name(handle, buffer, size, TRUE); }
