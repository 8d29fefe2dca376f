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

/* ntdll's own names for the same calls, with Windows' signatures (the NTSTATUS instead of a last error). */

static BOOL counted_ascii(const UNICODE_STRING *name, char *out, ULONG size) {
  ULONG length = name->Length / 2;
  if (length + 1 > size) return FALSE;
  for (ULONG i = 0; i < length; i++) {
    if (name->Buffer[i] > 0x7f) return FALSE;
    out[i] = (char)name->Buffer[i];
  }
  out[length] = 0;
  return TRUE;
}

NTSTATUS NTAPI LdrLoadDll(PWSTR search_path, PULONG characteristics, PUNICODE_STRING name, PVOID *base) {
  char ascii[MAX_PATH_CHARS];
  if (!name || !base) return STATUS_INVALID_PARAMETER;
  if (!counted_ascii(name, ascii, sizeof ascii)) return STATUS_DLL_NOT_FOUND;
  ULONG keep = ldrp_pending_count();
  module *m;
  NTSTATUS status = ldrp_load(ascii, NULL, &m);
  if (status < 0) { ldrp_discard_pending(keep); return status; }
  status = ldrp_initialize_new_modules();
  if (status < 0) { ldrp_unload(m); return status; }
  *base = m->entry.DllBase;
  return STATUS_SUCCESS;
}

NTSTATUS NTAPI LdrGetDllHandle(PWSTR search_path, PULONG characteristics, PUNICODE_STRING name, PVOID *handle) {
  char ascii[MAX_PATH_CHARS];
  if (!name || !handle) return STATUS_INVALID_PARAMETER;
  module *m = counted_ascii(name, ascii, sizeof ascii) ? ldrp_find_module(ascii) : NULL;
  *handle = m ? m->entry.DllBase : NULL;
  return m ? STATUS_SUCCESS : STATUS_DLL_NOT_FOUND;
}

/* By name when `name` is given, else by `ordinal`. */
NTSTATUS NTAPI LdrGetProcedureAddress(PVOID base, PANSI_STRING name, ULONG ordinal, PVOID *address) {
  char ascii[256];
  module *m = ldrp_module_at(base);
  if (!m) return STATUS_DLL_NOT_FOUND;
  if (name) {
    if (name->Length + 1u > sizeof ascii) return STATUS_ENTRYPOINT_NOT_FOUND;
    memcpy(ascii, name->Buffer, name->Length);
    ascii[name->Length] = 0;
  }
  return ldrp_find_export(m, name ? ascii : NULL, name ? 0xFFFF : (WORD)ordinal, name == NULL, address, 0);
}

NTSTATUS NTAPI LdrUnloadDll(PVOID base) {
  module *m = ldrp_module_at(base);
  if (!m) return STATUS_DLL_NOT_FOUND;
  ldrp_unload(m);
  return STATUS_SUCCESS;
}
