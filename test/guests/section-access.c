/* A view's protection against the section handle's granted access, as
   Windows checks it in NtMapViewOfSection (WRK MmMakeSectionAccess, Wine's
   test_MapViewOfFile): mapping needs SECTION_MAP_READ for read-only and
   copy-on-write views, SECTION_MAP_WRITE for read-write ones,
   SECTION_MAP_EXECUTE for executable ones; a refusal is
   STATUS_ACCESS_DENIED / ERROR_ACCESS_DENIED. */
#include <windows.h>
#include <ntdll.h>
#include "check.h"

#define SECTION_MAP_WRITE   0x0002
#define SECTION_MAP_READ    0x0004
#define SECTION_MAP_EXECUTE 0x0008

static NTSTATUS map(HANDLE section, ULONG protect) {
  PVOID base = NULL;
  SIZE_T size = 0;
  NTSTATUS status = NtMapViewOfSection(section, NtCurrentProcess(), &base, 0, 0, NULL, &size, ViewShare, 0, protect);
  if (NT_SUCCESS(status)) NtUnmapViewOfSection(NtCurrentProcess(), base);
  return status;
}

static HANDLE open_section(ULONG access, OBJECT_ATTRIBUTES *attributes) {
  HANDLE section = NULL;
  NTSTATUS status = NtOpenSection(&section, access, attributes);
  return NT_SUCCESS(status) ? section : NULL;
}

int main(void) {
  HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_EXECUTE_READWRITE, 0, 0x10000, "mms-section-access");
  CHECK_TRUE("CreateFileMappingA", mapping != NULL);
  char *writer = MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
  CHECK_TRUE("FILE_MAP_WRITE through the creating handle", writer != NULL);
  if (writer) writer[0] = 'x';

  HANDLE reader = OpenFileMappingA(FILE_MAP_READ, FALSE, "mms-section-access");
  CHECK_TRUE("OpenFileMappingA(FILE_MAP_READ)", reader != NULL);
  SetLastError(0xdeadbeef);
  CHECK_EQ("FILE_MAP_WRITE on a FILE_MAP_READ handle fails", MapViewOfFile(reader, FILE_MAP_WRITE, 0, 0, 0), NULL);
  CHECK_EQ("  with ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  char *view = MapViewOfFile(reader, FILE_MAP_READ, 0, 0, 0);
  CHECK_TRUE("FILE_MAP_READ on a FILE_MAP_READ handle", view != NULL);
  CHECK_EQ("  sees the other view's write", view ? view[0] : 0, 'x');
  if (view) UnmapViewOfFile(view);
  view = MapViewOfFile(reader, FILE_MAP_COPY, 0, 0, 0);
  CHECK_TRUE("FILE_MAP_COPY on a FILE_MAP_READ handle", view != NULL);
  if (view) UnmapViewOfFile(view);
  SetLastError(0xdeadbeef);
  CHECK_EQ("FILE_MAP_READ|FILE_MAP_EXECUTE on a FILE_MAP_READ handle fails", MapViewOfFile(reader, FILE_MAP_READ | FILE_MAP_EXECUTE, 0, 0, 0), NULL);
  CHECK_EQ("  with ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  CloseHandle(reader);

  HANDLE write_only = OpenFileMappingA(FILE_MAP_WRITE, FALSE, "mms-section-access");
  CHECK_TRUE("OpenFileMappingA(FILE_MAP_WRITE)", write_only != NULL);
  SetLastError(0xdeadbeef);
  CHECK_EQ("FILE_MAP_READ on a FILE_MAP_WRITE handle fails", MapViewOfFile(write_only, FILE_MAP_READ, 0, 0, 0), NULL);
  CHECK_EQ("  with ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  view = MapViewOfFile(write_only, FILE_MAP_WRITE, 0, 0, 0);
  CHECK_TRUE("FILE_MAP_WRITE on a FILE_MAP_WRITE handle", view != NULL);
  if (view) UnmapViewOfFile(view);
  CloseHandle(write_only);

  /* The native service, with the MM_* protections one by one. */
  UNICODE_STRING name;
  static const char path[] = "\\BaseNamedObjects\\mms-section-access";
  WCHAR text[sizeof path];
  for (unsigned i = 0; i < sizeof path; i++) text[i] = (WCHAR)path[i];
  name.Buffer = text;
  name.Length = (USHORT)((sizeof path - 1) * sizeof(WCHAR));
  name.MaximumLength = (USHORT)(sizeof path * sizeof(WCHAR));
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
  HANDLE read_only = open_section(SECTION_MAP_READ, &attributes);
  CHECK_TRUE("NtOpenSection(SECTION_MAP_READ)", read_only != NULL);
  CHECK_EQ("SECTION_MAP_READ: PAGE_READONLY", map(read_only, PAGE_READONLY), STATUS_SUCCESS);
  CHECK_EQ("SECTION_MAP_READ: PAGE_WRITECOPY", map(read_only, PAGE_WRITECOPY), STATUS_SUCCESS);
  CHECK_EQ("SECTION_MAP_READ: PAGE_READWRITE", map(read_only, PAGE_READWRITE), STATUS_ACCESS_DENIED);
  CHECK_EQ("SECTION_MAP_READ: PAGE_EXECUTE_READ", map(read_only, PAGE_EXECUTE_READ), STATUS_ACCESS_DENIED);
  NtClose(read_only);
  HANDLE generic = open_section(GENERIC_READ, &attributes);
  CHECK_TRUE("NtOpenSection(GENERIC_READ)", generic != NULL);
  CHECK_EQ("GENERIC_READ: PAGE_READONLY", map(generic, PAGE_READONLY), STATUS_SUCCESS);
  CHECK_EQ("GENERIC_READ: PAGE_READWRITE", map(generic, PAGE_READWRITE), STATUS_ACCESS_DENIED);
  NtClose(generic);
  HANDLE execute = open_section(SECTION_MAP_READ | SECTION_MAP_EXECUTE, &attributes);
  CHECK_EQ("MAP_READ|MAP_EXECUTE: PAGE_EXECUTE_READ", map(execute, PAGE_EXECUTE_READ), STATUS_SUCCESS);
  CHECK_EQ("MAP_READ|MAP_EXECUTE: PAGE_EXECUTE_WRITECOPY", map(execute, PAGE_EXECUTE_WRITECOPY), STATUS_SUCCESS);
  CHECK_EQ("MAP_READ|MAP_EXECUTE: PAGE_EXECUTE_READWRITE", map(execute, PAGE_EXECUTE_READWRITE), STATUS_ACCESS_DENIED);
  NtClose(execute);
  HANDLE none = open_section(0, &attributes);
  CHECK_EQ("no access: PAGE_READONLY", map(none, PAGE_READONLY), STATUS_ACCESS_DENIED);
  NtClose(none);

  if (writer) UnmapViewOfFile(writer);
  CloseHandle(mapping);
  return CHECK_DONE();
}
