/* NtProtectVirtualMemory's answers, one table row per check, and the hardware
   PTEs that VirtualAlloc and VirtualProtect leave behind.

   "status": each row calls the service and prints "NAME 0xSTATUS"; the test
   compares every line with the status Windows returns (ReactOS ARM3
   virtual.c, NtProtectVirtualMemory / MiProtectVirtualMemory).
   "pte": dumps the PTE of pages in known states with MmsDumpPte; the test
   compares the raw words with the x86 PTE bits (Intel SDM vol. 3, 4.3). */
#include <windows.h>
#include <ntdll.h>
#include <mmscope.h>
#include <stdio.h>
#include <string.h>

static ULONG old;

static NTSTATUS protect(HANDLE process, PVOID base, SIZE_T size, ULONG protection, PULONG old_protection) {
  return NtProtectVirtualMemory(process, &base, &size, protection, old_protection);
}

static void row(const char *name, NTSTATUS status) { printf("%s 0x%08lx\n", name, (unsigned long)status); }

static int statuses(void) {
  char *r = VirtualAlloc(NULL, 0x4000, MEM_RESERVE, PAGE_READWRITE);
  VirtualAlloc(r, 0x2000, MEM_COMMIT, PAGE_READWRITE);
  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, NULL);
  char *view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  row("committed", protect(NtCurrentProcess(), r, 0x2000, PAGE_READONLY, &old));
  row("other-process-handle", protect((HANDLE)0x1234, r, 0x1000, PAGE_READONLY, &old));
  row("kernel-base", protect(NtCurrentProcess(), (PVOID)0x80000000, 0x1000, PAGE_READONLY, &old));
  row("zero-size", protect(NtCurrentProcess(), r, 0, PAGE_READONLY, &old));
  row("size-past-user-space", protect(NtCurrentProcess(), r, 0x80000000, PAGE_READONLY, &old));
  row("free-memory", protect(NtCurrentProcess(), (PVOID)0x50000000, 0x1000, PAGE_READONLY, &old));
  row("past-the-allocation", protect(NtCurrentProcess(), r, 0x5000, PAGE_READONLY, &old));
  row("reserved-page", protect(NtCurrentProcess(), r + 0x2000, 0x1000, PAGE_READONLY, &old));
  row("bad-protection", protect(NtCurrentProcess(), r, 0x1000, 0x3, &old));
  row("writecopy-private", protect(NtCurrentProcess(), r, 0x1000, PAGE_WRITECOPY, &old));
  row("nocache-with-noaccess", protect(NtCurrentProcess(), r, 0x1000, PAGE_NOACCESS | PAGE_NOCACHE, &old));
  row("bad-old-pointer", protect(NtCurrentProcess(), r, 0x1000, PAGE_READONLY, (PULONG)0x10));
  row("view", protect(NtCurrentProcess(), view, 0x1000, PAGE_READONLY, &old));
  row("old-protection", old);
  return 0;
}

static int ptes(void) {
  char *p = VirtualAlloc(NULL, 0x4000, MEM_COMMIT, PAGE_READWRITE);
  p[0] = 1;                                   /* written: Accessed and Dirty */
  (void)*(volatile char *)(p + 0x1000);       /* read: the zero page is not shared, the frame is writable */
  MmsDumpPte(p);
  MmsDumpPte(p + 0x1000);
  VirtualProtect(p, 0x2000, PAGE_READONLY, &old);
  MmsDumpPte(p);                              /* still Dirty: the write happened */
  MmsDumpPte(p + 0x1000);
  VirtualProtect(p, 0x1000, PAGE_READWRITE | PAGE_NOCACHE, &old);
  MmsDumpPte(p);
  char *n = VirtualAlloc(NULL, 0x1000, MEM_COMMIT, PAGE_READWRITE | PAGE_NOCACHE);
  n[0] = 1;
  MmsDumpPte(n);
  VirtualProtect(n, 0x1000, PAGE_READONLY | PAGE_NOCACHE, &old);
  MmsDumpPte(n);
  MmsDumpPte(p + 0x2000);                     /* committed, never touched */
  printf("%p %p\n", (void *)p, (void *)n);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  if (!strcmp(mode, "status")) return statuses();
  if (!strcmp(mode, "pte")) return ptes();
  return 99;
}
