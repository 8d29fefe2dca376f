/* The order in which the NT memory and section services check their
   arguments, as Windows does (WRK and ReactOS ARM3 NtAllocateVirtualMemory,
   NtFreeVirtualMemory, NtProtectVirtualMemory, NtQueryVirtualMemory,
   NtCreateSection, NtMapViewOfSection, NtUnmapViewOfSection; Wine's
   test_NtMapViewOfSection): a bad argument that needs no memory is reported
   before a bad pointer, a bad pointer before the process handle, and sizes
   are compared in bytes. Each call below has two faults; the status says
   which one Windows looks at first. */
#include <windows.h>
#include <ntdll.h>
#include "check.h"

#define BAD ((void *)0x10)        /* a pointer into the no-access first 64 KiB */
#define BAD_HANDLE ((HANDLE)0x1234)

/* OBJECT_ATTRIBUTES naming `name` (ASCII), its strings in the caller's buffers. */
static POBJECT_ATTRIBUTES named(OBJECT_ATTRIBUTES *attributes, UNICODE_STRING *string, WCHAR *buffer, const char *name) {
  int i = 0;
  for (; name[i]; i++) buffer[i] = (WCHAR)name[i];
  string->Length = string->MaximumLength = (USHORT)(i * 2); string->Buffer = buffer;
  InitializeObjectAttributes(attributes, string, 0, NULL, NULL);
  return attributes;
}

static HANDLE section_of(ULONG size, ULONG attributes, const char *name) {
  HANDLE section = NULL;
  LARGE_INTEGER maximum; maximum.QuadPart = size;
  UNICODE_STRING string; OBJECT_ATTRIBUTES object; WCHAR buffer[64];
  NTSTATUS status = NtCreateSection(&section, 0xF001F, name ? named(&object, &string, buffer, name) : NULL, &maximum, PAGE_READWRITE, attributes, NULL);
  return status == STATUS_SUCCESS ? section : NULL;
}

int main(void) {
  PVOID base = NULL; SIZE_T size = 0x1000; ULONG old;

  /* NtAllocateVirtualMemory: ZeroBits, AllocationType and Protect before the pointers. */
  CHECK_EQ("allocate: ZeroBits 22 before a bad *BaseAddress",
           NtAllocateVirtualMemory(NtCurrentProcess(), BAD, 22, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_3);
  CHECK_EQ("allocate: AllocationType 0 before a bad *RegionSize",
           NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, BAD, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
  CHECK_EQ("allocate: MEM_RESET with MEM_COMMIT",
           NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_RESET | MEM_COMMIT, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
  CHECK_EQ("allocate: a bad protection before a bad *BaseAddress",
           NtAllocateVirtualMemory(NtCurrentProcess(), BAD, 0, &size, MEM_RESERVE, 0x3), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("allocate: a bad *BaseAddress before the process handle",
           NtAllocateVirtualMemory(BAD_HANDLE, BAD, 0, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_ACCESS_VIOLATION);
  base = (PVOID)0x80000000;
  CHECK_EQ("allocate: a kernel base before the process handle",
           NtAllocateVirtualMemory(BAD_HANDLE, &base, 0, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_2);

  /* NtFreeVirtualMemory: FreeType before the pointers. */
  CHECK_EQ("free: FreeType 0 before a bad *BaseAddress", NtFreeVirtualMemory(NtCurrentProcess(), BAD, &size, 0), STATUS_INVALID_PARAMETER_4);
  CHECK_EQ("free: both MEM_DECOMMIT and MEM_RELEASE", NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_DECOMMIT | MEM_RELEASE), STATUS_INVALID_PARAMETER_4);
  base = (PVOID)0x7fff0000; size = 0x1000;
  CHECK_EQ("free: the no-access area is above MM_HIGHEST_USER_ADDRESS", NtFreeVirtualMemory(NtCurrentProcess(), &base, &size, MEM_RELEASE), STATUS_INVALID_PARAMETER_2);

  /* NtProtectVirtualMemory: the protection before the pointers. */
  CHECK_EQ("protect: a bad protection before a bad *BaseAddress",
           NtProtectVirtualMemory(NtCurrentProcess(), BAD, &size, 0x3, &old), STATUS_INVALID_PAGE_PROTECTION);
  base = (PVOID)0x80000000;
  CHECK_EQ("protect: a kernel base before the process handle",
           NtProtectVirtualMemory(BAD_HANDLE, &base, &size, PAGE_READONLY, &old), STATUS_INVALID_PARAMETER_2);

  /* NtQueryVirtualMemory: class and length, then the buffer, then the process. */
  MEMORY_BASIC_INFORMATION mbi;
  CHECK_EQ("query: a bad class before a bad buffer",
           NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)main, 7, BAD, sizeof mbi, NULL), STATUS_INVALID_INFO_CLASS);
  CHECK_EQ("query: a short length before a bad buffer",
           NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)main, MemoryBasicInformation, BAD, 4, NULL), STATUS_INFO_LENGTH_MISMATCH);
  CHECK_EQ("query: a bad buffer before the process handle",
           NtQueryVirtualMemory(BAD_HANDLE, (PVOID)main, MemoryBasicInformation, BAD, sizeof mbi, NULL), STATUS_ACCESS_VIOLATION);

  /* NtCreateSection: attributes before the pointers, everything before the name. */
  HANDLE existing = section_of(0x2000, SEC_COMMIT, "order-test");
  CHECK_TRUE("a named section", existing != NULL);
  LARGE_INTEGER maximum; maximum.QuadPart = 0x1000;
  HANDLE section;
  CHECK_EQ("create: AllocationAttributes 0", NtCreateSection(&section, 0xF001F, NULL, &maximum, PAGE_READWRITE, 0, NULL), STATUS_INVALID_PARAMETER_6);
  CHECK_EQ("create: SEC_COMMIT|SEC_RESERVE before a bad *SectionHandle",
           NtCreateSection(BAD, 0xF001F, NULL, &maximum, PAGE_READWRITE, SEC_COMMIT | SEC_RESERVE, NULL), STATUS_INVALID_PARAMETER_6);
  CHECK_EQ("create: SEC_IMAGE|SEC_COMMIT", NtCreateSection(&section, 0xF001F, NULL, &maximum, PAGE_READWRITE, SEC_IMAGE | SEC_COMMIT, NULL), STATUS_INVALID_PARAMETER_6);
  {
    UNICODE_STRING string; OBJECT_ATTRIBUTES object; WCHAR buffer[64];
    POBJECT_ATTRIBUTES attributes = named(&object, &string, buffer, "order-test");
    CHECK_EQ("create: a bad protection beats the existing name",
             NtCreateSection(&section, 0xF001F, attributes, &maximum, PAGE_NOACCESS, SEC_COMMIT, NULL), STATUS_INVALID_PAGE_PROTECTION);
    CHECK_EQ("create: bad attributes beat the existing name",
             NtCreateSection(&section, 0xF001F, attributes, &maximum, PAGE_READWRITE, 0x80, NULL), STATUS_INVALID_PARAMETER_6);
    CHECK_EQ("create: then the name collides", NtCreateSection(&section, 0xF001F, attributes, &maximum, PAGE_READWRITE, SEC_COMMIT, NULL), STATUS_OBJECT_NAME_COLLISION);
  }

  /* NtMapViewOfSection: ZeroBits, InheritDisposition, AllocationType, Protect before the pointers. */
  HANDLE small = section_of(0x1800, SEC_COMMIT, NULL);     /* 1.5 pages: sizes compare in bytes */
  PVOID view = NULL; SIZE_T view_size = 0;
  CHECK_EQ("map: ZeroBits 22", NtMapViewOfSection(small, NtCurrentProcess(), &view, 22, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
  CHECK_EQ("map: InheritDisposition 3 before a bad *BaseAddress",
           NtMapViewOfSection(small, NtCurrentProcess(), BAD, 0, 0, NULL, &view_size, 3, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_8);
  CHECK_EQ("map: unknown AllocationType before a bad *ViewSize",
           NtMapViewOfSection(small, NtCurrentProcess(), &view, 0, 0, NULL, BAD, ViewShare, MEM_COMMIT, PAGE_READWRITE), STATUS_INVALID_PARAMETER_9);
  CHECK_EQ("map: a bad protection before a bad *BaseAddress",
           NtMapViewOfSection(small, NtCurrentProcess(), BAD, 0, 0, NULL, &view_size, ViewShare, 0, 0x3), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("map: a bad *BaseAddress before the section handle",
           NtMapViewOfSection(BAD_HANDLE, NtCurrentProcess(), BAD, 0, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), STATUS_ACCESS_VIOLATION);
  view = (PVOID)0x7ffe0000;
  CHECK_EQ("map: a base above MM_HIGHEST_VAD_ADDRESS before the process handle",
           NtMapViewOfSection(small, BAD_HANDLE, &view, 0, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_3);
  view = (PVOID)0x70000000;
  CHECK_EQ("map: a base above what ZeroBits 2 allows",
           NtMapViewOfSection(small, NtCurrentProcess(), &view, 2, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
  view = NULL; view_size = 0x1900;
  CHECK_EQ("map: a view 0x100 bytes longer than the section",
           NtMapViewOfSection(small, NtCurrentProcess(), &view, 0, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), STATUS_INVALID_VIEW_SIZE);
  view = NULL; view_size = 0x1800;
  CHECK_EQ("map: exactly the section", NtMapViewOfSection(small, NtCurrentProcess(), &view, 0, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), STATUS_SUCCESS);
  CHECK_EQ("map: its size in pages", view_size, 0x2000);

  /* NtUnmapViewOfSection: an address above user space is no view, whatever the handle. */
  CHECK_EQ("unmap: kernel address before the process handle", NtUnmapViewOfSection(BAD_HANDLE, (PVOID)0x80000000), STATUS_NOT_MAPPED_VIEW);
  CHECK_EQ("unmap: bad handle", NtUnmapViewOfSection(BAD_HANDLE, view), STATUS_INVALID_HANDLE);
  CHECK_EQ("unmap", NtUnmapViewOfSection(NtCurrentProcess(), view), STATUS_SUCCESS);
  NtClose(small); NtClose(existing);
  return CHECK_DONE();
}
