/* kernel32 files and file mappings over the NT services: CreateFileA,
   ReadFile, WriteFile, GetFileSize, SetFilePointer, SetEndOfFile,
   CloseHandle, CreateFileMappingA, OpenFileMappingA, MapViewOfFile(Ex),
   UnmapViewOfFile, FlushViewOfFile. */
#include <windows.h>
#include <ntdll.h>
#include <string.h>
#include "kernel32-internal.h"

HANDLE WINAPI CreateFileA(LPCSTR path, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES security, DWORD creation, DWORD flags, HANDLE template_file) {
  (void)security; (void)flags; (void)template_file;
  static const ULONG dispositions[] = { 0, FILE_CREATE, FILE_OVERWRITE_IF, FILE_OPEN, FILE_OPEN_IF, FILE_OVERWRITE };
  if (!path || creation < CREATE_NEW || creation > TRUNCATE_EXISTING) { SetLastError(ERROR_INVALID_PARAMETER); return INVALID_HANDLE_VALUE; }
  MMS_NAME_BUFFER name;
  if (!mms_make_name(&name, "", path)) return INVALID_HANDLE_VALUE;
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name.string, OBJ_CASE_INSENSITIVE, NULL, NULL);
  IO_STATUS_BLOCK io;
  HANDLE handle;
  NTSTATUS status = NtCreateFile(&handle, access, &attributes, &io, NULL, FILE_ATTRIBUTE_NORMAL, share, dispositions[creation],
                                 FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, NULL, 0);
  if (status == STATUS_OBJECT_NAME_COLLISION && creation == CREATE_NEW) { SetLastError(ERROR_FILE_EXISTS); return INVALID_HANDLE_VALUE; }
  if (!mms_succeeded(status)) return INVALID_HANDLE_VALUE;
  /* CREATE_ALWAYS and OPEN_ALWAYS report an existing file this way, as Windows does. */
  SetLastError((creation == CREATE_ALWAYS || creation == OPEN_ALWAYS) && io.Information != 2 ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return handle;
}

BOOL WINAPI ReadFile(HANDLE file, LPVOID buffer, DWORD length, LPDWORD read, LPOVERLAPPED overlapped) {
  (void)overlapped;
  IO_STATUS_BLOCK io = { 0, 0 };
  if (read) *read = 0;
  NTSTATUS status = NtReadFile(file, NULL, NULL, NULL, &io, buffer, length, NULL, NULL);
  if (status == STATUS_END_OF_FILE) return TRUE; /* synchronous reads at the end succeed with 0 bytes */
  if (!mms_succeeded(status)) return FALSE;
  if (read) *read = io.Information;
  return TRUE;
}

BOOL WINAPI WriteFile(HANDLE file, LPCVOID buffer, DWORD length, LPDWORD written, LPOVERLAPPED overlapped) {
  (void)overlapped;
  IO_STATUS_BLOCK io = { 0, 0 };
  if (written) *written = 0;
  NTSTATUS status = NtWriteFile(file, NULL, NULL, NULL, &io, buffer, length, NULL, NULL);
  if (!mms_succeeded(status)) return FALSE;
  if (written) *written = io.Information;
  return TRUE;
}

DWORD WINAPI GetFileSize(HANDLE file, LPDWORD high) {
  FILE_STANDARD_INFORMATION info;
  IO_STATUS_BLOCK io;
  NTSTATUS status = NtQueryInformationFile(file, &io, &info, sizeof info, FileStandardInformation);
  if (!mms_succeeded(status)) return INVALID_FILE_SIZE;
  if (high) *high = info.EndOfFile.u.HighPart;
  /* A size whose low part is INVALID_FILE_SIZE is told from failure by NO_ERROR (as kernel32 does). */
  if (info.EndOfFile.u.LowPart == INVALID_FILE_SIZE) SetLastError(NO_ERROR);
  return info.EndOfFile.u.LowPart;
}

DWORD WINAPI SetFilePointer(HANDLE file, LONG distance, PLONG high, DWORD method) {
  IO_STATUS_BLOCK io;
  LARGE_INTEGER position = { { 0, 0 } };
  NTSTATUS status = STATUS_SUCCESS;
  if (method == FILE_CURRENT) status = NtQueryInformationFile(file, &io, &position, sizeof position, FilePositionInformation);
  else if (method == FILE_END) position.QuadPart = GetFileSize(file, NULL);
  else if (method != FILE_BEGIN) status = STATUS_INVALID_PARAMETER;
  if (!mms_succeeded(status)) return INVALID_SET_FILE_POINTER;
  position.QuadPart += high ? ((LONGLONG)*high << 32) | (ULONG)distance : distance;
  /* kernel32's SetFilePointerEx refuses a position before the start itself (Wine's file.c test). */
  if (position.QuadPart < 0) { SetLastError(ERROR_NEGATIVE_SEEK); return INVALID_SET_FILE_POINTER; }
  status = NtSetInformationFile(file, &io, &position, sizeof position, FilePositionInformation);
  if (!mms_succeeded(status)) return INVALID_SET_FILE_POINTER;
  if (high) *high = position.u.HighPart;
  /* A low part of INVALID_SET_FILE_POINTER is a position, told from failure by NO_ERROR (the documented contract). */
  if (position.u.LowPart == INVALID_SET_FILE_POINTER) SetLastError(NO_ERROR);
  return position.u.LowPart;
}

BOOL WINAPI SetEndOfFile(HANDLE file) {
  IO_STATUS_BLOCK io;
  LARGE_INTEGER position;
  NTSTATUS status = NtQueryInformationFile(file, &io, &position, sizeof position, FilePositionInformation);
  if (NT_SUCCESS(status)) status = NtSetInformationFile(file, &io, &position, sizeof position, FileEndOfFileInformation);
  return mms_succeeded(status);
}

BOOL WINAPI CloseHandle(HANDLE handle) {
  NTSTATUS status = NtClose(handle);
  return mms_succeeded(status);
}

HANDLE WINAPI CreateFileMappingA(HANDLE file, LPSECURITY_ATTRIBUTES security, DWORD protect, DWORD size_high, DWORD size_low, LPCSTR name_text) {
  (void)security;
  MMS_NAME_BUFFER name;
  if (name_text && !mms_make_name(&name, MMS_NAMED_OBJECTS, name_text)) return NULL;
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, name_text ? &name.string : NULL, OBJ_OPENIF, NULL, NULL);
  LARGE_INTEGER size;
  size.u.LowPart = size_low;
  size.u.HighPart = (LONG)size_high;
  DWORD section_flags = protect & (SEC_COMMIT | SEC_RESERVE | SEC_IMAGE | SEC_NOCACHE);
  HANDLE section;
  if (file == INVALID_HANDLE_VALUE) file = NULL;
  NTSTATUS status = NtCreateSection(&section, 0xF001F, &attributes, size.QuadPart ? &size : NULL, protect & ~section_flags,
                                    section_flags ? section_flags : SEC_COMMIT, file);
  if (!mms_succeeded(status)) return NULL;
  SetLastError(status == STATUS_OBJECT_NAME_EXISTS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return section;
}

HANDLE WINAPI OpenFileMappingA(DWORD access, BOOL inherit, LPCSTR name_text) {
  (void)inherit;
  if (!name_text) { SetLastError(ERROR_INVALID_PARAMETER); return NULL; }
  MMS_NAME_BUFFER name;
  if (!mms_make_name(&name, MMS_NAMED_OBJECTS, name_text)) return NULL;
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name.string, OBJ_CASE_INSENSITIVE, NULL, NULL);
  HANDLE section;
  NTSTATUS status = NtOpenSection(&section, access, &attributes);
  if (!mms_succeeded(status)) return NULL;
  return section;
}

/* FILE_MAP_* to the view's page protection, as kernel32 maps them. */
static DWORD view_protection(DWORD access) {
  BOOL execute = (access & FILE_MAP_EXECUTE) != 0;
  if (access & FILE_MAP_COPY && !(access & FILE_MAP_WRITE)) return execute ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY;
  if (access & FILE_MAP_WRITE) return execute ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
  if (access & FILE_MAP_READ) return execute ? PAGE_EXECUTE_READ : PAGE_READONLY;
  return PAGE_NOACCESS;
}

LPVOID WINAPI MapViewOfFileEx(HANDLE section, DWORD access, DWORD offset_high, DWORD offset_low, SIZE_T bytes, LPVOID base) {
  LARGE_INTEGER offset;
  offset.u.LowPart = offset_low;
  offset.u.HighPart = (LONG)offset_high;
  PVOID address = base;
  SIZE_T size = bytes;
  NTSTATUS status = NtMapViewOfSection(section, NtCurrentProcess(), &address, 0, 0, &offset, &size, ViewShare, 0, view_protection(access));
  if (!mms_succeeded(status)) return NULL;
  return address;
}

LPVOID WINAPI MapViewOfFile(HANDLE section, DWORD access, DWORD offset_high, DWORD offset_low, SIZE_T bytes) {
  return MapViewOfFileEx(section, access, offset_high, offset_low, bytes, NULL);
}

BOOL WINAPI UnmapViewOfFile(LPCVOID base) {
  NTSTATUS status = NtUnmapViewOfSection(NtCurrentProcess(), (PVOID)base);
  return mms_succeeded(status);
}

BOOL WINAPI FlushViewOfFile(LPCVOID base, SIZE_T bytes) {
  PVOID address = (PVOID)base;
  SIZE_T size = bytes;
  IO_STATUS_BLOCK io;
  NTSTATUS status = NtFlushVirtualMemory(NtCurrentProcess(), &address, &size, &io);
  return mms_succeeded(status);
}
