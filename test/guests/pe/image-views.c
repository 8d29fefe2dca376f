/* One image section mapped twice (after Wine's test_image_mapping, which
   records Windows' results): the first view at the image's preferred base
   (STATUS_SUCCESS), the second elsewhere with STATUS_IMAGE_NOT_AT_BASE; both
   MEM_IMAGE with AllocationProtect PAGE_EXECUTE_WRITECOPY and the section's
   own protection; the Win32Protect argument does not matter for an image.
   Built with stock mingw-w64 against its libntdll import library. */
#include <windows.h>
#include "nt-calls.h"

typedef struct { USHORT Length, MaximumLength; PWSTR Buffer; } name_string;
typedef struct { ULONG Length; HANDLE RootDirectory; name_string *ObjectName; ULONG Attributes; PVOID SecurityDescriptor, SecurityQualityOfService; } attributes;
typedef struct { LONG Status; ULONG_PTR Information; } io_status;

NTSTATUS NTAPI NtOpenFile(HANDLE *, ACCESS_MASK, attributes *, io_status *, ULONG, ULONG);
NTSTATUS NTAPI NtCreateSection(HANDLE *, ACCESS_MASK, attributes *, LARGE_INTEGER *, ULONG, ULONG, HANDLE);
NTSTATUS NTAPI NtMapViewOfSection(HANDLE, HANDLE, PVOID *, ULONG_PTR, SIZE_T, LARGE_INTEGER *, SIZE_T *, DWORD, ULONG, ULONG);
NTSTATUS NTAPI NtUnmapViewOfSection(HANDLE, PVOID);
NTSTATUS NTAPI NtTerminateProcess(HANDLE, NTSTATUS);

static void show(const char *name, unsigned long value) {
  char line[64], *p = line;
  while (*name) *p++ = *name++;
  *p++ = ' ';
  p = hex(p, value);
  *p++ = '\n';
  *p = 0;
  nt_print(line);
}

static void query(const char *name, void *base) {
  nt_memory_info info;
  nt_query((char *)base + 0x1000, &info);   /* the first section, .text */
  show(name, info.Protect);
  show("allocation-base-matches", info.AllocationBase == base);
  show("allocation-protect", info.AllocationProtect);
  show("type", info.Type);
}

void start(void) {
  WCHAR path[] = L"\\??\\C:\\helper.dll";
  name_string name = { sizeof path - 2, sizeof path, path };
  attributes oa = { sizeof oa, 0, &name, 0x40, 0, 0 };
  io_status io;
  HANDLE file, section;
  show("open", NtOpenFile(&file, GENERIC_READ | SYNCHRONIZE, &oa, &io, FILE_SHARE_READ, 0x60));
  show("create", NtCreateSection(&section, SECTION_ALL_ACCESS, NULL, NULL, PAGE_READONLY, SEC_IMAGE, file));
  PVOID first = NULL, second = NULL;
  SIZE_T size = 0;
  show("map-1", NtMapViewOfSection(section, (HANDLE)-1, &first, 0, 0, NULL, &size, 1, 0, PAGE_READONLY));
  show("map-1-base", (unsigned long)first);
  size = 0;
  show("map-2", NtMapViewOfSection(section, (HANDLE)-1, &second, 0, 0, NULL, &size, 1, 0, PAGE_READONLY));
  show("different", second != first);
  query("view-1-text", first);
  query("view-2-text", second);
  show("unmap-2", NtUnmapViewOfSection((HANDLE)-1, second));
  show("unmap-1", NtUnmapViewOfSection((HANDLE)-1, first));
  NtTerminateProcess((HANDLE)-1, 0);
}
