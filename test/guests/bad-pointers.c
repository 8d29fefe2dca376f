/* Bad pointers passed to every service: each returns STATUS_ACCESS_VIOLATION
   and the kernel carries on (the test checks its invariants after each). */
#include <windows.h>
#include <ntdll.h>
#include <mmscope.h>
#include "check.h"

#define AV ((NTSTATUS)STATUS_ACCESS_VIOLATION)

int main(void) {
  PVOID bad[] = { (PVOID)0, (PVOID)0x10, (PVOID)0x80000000, (PVOID)0xfffffffc, (PVOID)0x7fff0000, (PVOID)main /* read-only code */ };
  char name[80];
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    PVOID base = NULL; SIZE_T size = 0x1000; ULONG old; MEMORY_BASIC_INFORMATION mbi; SIZE_T length;
    snprintf(name, sizeof name, "allocate, base pointer %p", bad[i]);
    CHECK_EQ(name, NtAllocateVirtualMemory(NtCurrentProcess(), (PVOID *)bad[i], 0, &size, MEM_RESERVE, PAGE_READWRITE), AV);
    snprintf(name, sizeof name, "allocate, size pointer %p", bad[i]);
    CHECK_EQ(name, NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, (PSIZE_T)bad[i], MEM_RESERVE, PAGE_READWRITE), AV);
    snprintf(name, sizeof name, "free, base pointer %p", bad[i]);
    CHECK_EQ(name, NtFreeVirtualMemory(NtCurrentProcess(), (PVOID *)bad[i], &size, MEM_RELEASE), AV);
    snprintf(name, sizeof name, "free, size pointer %p", bad[i]);
    base = (PVOID)0x00400000;
    CHECK_EQ(name, NtFreeVirtualMemory(NtCurrentProcess(), &base, (PSIZE_T)bad[i], MEM_RELEASE), AV);
    snprintf(name, sizeof name, "protect, base pointer %p", bad[i]);
    CHECK_EQ(name, NtProtectVirtualMemory(NtCurrentProcess(), (PVOID *)bad[i], &size, PAGE_READONLY, &old), AV);
    snprintf(name, sizeof name, "protect, old pointer %p", bad[i]);
    base = (PVOID)main;
    CHECK_EQ(name, NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, (PULONG)bad[i]), AV);
    snprintf(name, sizeof name, "query, buffer %p", bad[i]);
    CHECK_EQ(name, NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)main, MemoryBasicInformation, bad[i], sizeof mbi, &length), AV);
    if (bad[i]) {
      snprintf(name, sizeof name, "query, return length %p", bad[i]);
      CHECK_EQ(name, NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)main, MemoryBasicInformation, &mbi, sizeof mbi, (PSIZE_T)bad[i]), AV);
    }
    /* Sections and files. */
    HANDLE section = NULL;
    LARGE_INTEGER section_size = { { 0x10000, 0 } };
    snprintf(name, sizeof name, "create section, handle pointer %p", bad[i]);
    CHECK_EQ(name, NtCreateSection((PHANDLE)bad[i], 0, NULL, &section_size, PAGE_READWRITE, SEC_COMMIT, NULL), AV);
    snprintf(name, sizeof name, "create section, size pointer %p", bad[i]);
    if (bad[i] && bad[i] != (PVOID)main) CHECK_EQ(name, NtCreateSection(&section, 0, NULL, (PLARGE_INTEGER)bad[i], PAGE_READWRITE, SEC_COMMIT, NULL), AV);
    snprintf(name, sizeof name, "create section, attributes %p", bad[i]);
    if (bad[i] && bad[i] != (PVOID)main) CHECK_EQ(name, NtCreateSection(&section, 0, (POBJECT_ATTRIBUTES)bad[i], &section_size, PAGE_READWRITE, SEC_COMMIT, NULL), AV);
    CHECK_EQ("a section to map", NtCreateSection(&section, 0, NULL, &section_size, PAGE_READWRITE, SEC_COMMIT, NULL), STATUS_SUCCESS);
    PVOID view = NULL; SIZE_T view_size = 0;
    snprintf(name, sizeof name, "map view, base pointer %p", bad[i]);
    CHECK_EQ(name, NtMapViewOfSection(section, NtCurrentProcess(), (PVOID *)bad[i], 0, 0, NULL, &view_size, ViewShare, 0, PAGE_READWRITE), AV);
    snprintf(name, sizeof name, "map view, size pointer %p", bad[i]);
    CHECK_EQ(name, NtMapViewOfSection(section, NtCurrentProcess(), &view, 0, 0, NULL, (PSIZE_T)bad[i], ViewShare, 0, PAGE_READWRITE), AV);
    snprintf(name, sizeof name, "map view, offset pointer %p", bad[i]);
    if (bad[i]) CHECK_EQ(name, NtMapViewOfSection(section, NtCurrentProcess(), &view, 0, 0, (PLARGE_INTEGER)bad[i], &view_size, ViewShare, 0, PAGE_READWRITE), AV);
    NtClose(section);
    HANDLE file; IO_STATUS_BLOCK io;
    UNICODE_STRING bad_name = { 16, 16, (PWSTR)bad[i] };
    OBJECT_ATTRIBUTES attributes;
    InitializeObjectAttributes(&attributes, &bad_name, 0, NULL, NULL);
    snprintf(name, sizeof name, "create file, name buffer %p", bad[i]);
    if (bad[i] && bad[i] != (PVOID)main) CHECK_EQ(name, NtCreateFile(&file, GENERIC_READ, &attributes, &io, NULL, 0, 0, FILE_OPEN, 0, NULL, 0), AV);
    snprintf(name, sizeof name, "flush, base pointer %p", bad[i]);
    CHECK_EQ(name, NtFlushVirtualMemory(NtCurrentProcess(), (PVOID *)bad[i], &view_size, &io), AV);
    if (bad[i] == (PVOID)main) continue; /* readable: a context read from code is garbage but no fault */
    snprintf(name, sizeof name, "continue, context %p", bad[i]);
    CHECK_EQ(name, NtContinue((PCONTEXT)bad[i], FALSE), AV);
    snprintf(name, sizeof name, "raise, record %p", bad[i]);
    CHECK_EQ(name, NtRaiseException((PEXCEPTION_RECORD)bad[i], (PCONTEXT)bad[i], TRUE), AV);
  }
  /* The argument block itself (EDX) unreadable, for every service that takes arguments. */
  static const ULONG services[] = {
    0x11, 0x19, 0x20, 0x25, 0x32, 0x50, 0x53, 0x6c, 0x74, 0x7d, 0x89, 0x97, 0xb2, 0xb5, 0xb7, 0xe0, 0x101, 0x10b, 0x112,
    0x1001, 0x1002, 0x1003,
  };
  for (unsigned i = 0; i < sizeof services / sizeof services[0]; i++) {
    snprintf(name, sizeof name, "service 0x%lx with arguments at 0x80000000", services[i]);
    CHECK_EQ(name, mmscope_syscall(services[i], (const ULONG *)0x80000000), AV);
  }
  /* A query buffer straddling into a page that is not allocated: nothing is written. */
  char *region = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  MEMORY_BASIC_INFORMATION *straddling = (MEMORY_BASIC_INFORMATION *)(region + 0x1000 - 8);
  region[0x1000 - 8] = 0x5a;
  CHECK_EQ("query into a page boundary", NtQueryVirtualMemory(NtCurrentProcess(), region, MemoryBasicInformation, straddling, sizeof *straddling, 0), AV);
  CHECK_EQ("nothing was written", region[0x1000 - 8], 0x5a);
  return CHECK_DONE();
}
