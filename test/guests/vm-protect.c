/* VirtualProtect / NtProtectVirtualMemory and VirtualQuery's region merging. */
#include <windows.h>
#include <ntdll.h>
#include "check.h"

int main(void) {
  char *r = VirtualAlloc(NULL, 0x8000, MEM_RESERVE, PAGE_READWRITE);
  VirtualAlloc(r, 0x4000, MEM_COMMIT, PAGE_READWRITE);
  r[0] = 1; r[0x1000] = 2;
  DWORD old = 0;
  CHECK_TRUE("protect two pages read-only", VirtualProtect(r + 0x1000, 0x2000, PAGE_READONLY, &old));
  CHECK_EQ("old protection", old, PAGE_READWRITE);
  CHECK_EQ("contents survive", r[0x1000], 2);

  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(r, &mbi, sizeof mbi);
  CHECK_EQ("region 1: one RW page", mbi.RegionSize, 0x1000);
  CHECK_EQ("region 1: protect", mbi.Protect, PAGE_READWRITE);
  VirtualQuery(r + 0x1000, &mbi, sizeof mbi);
  CHECK_EQ("region 2: two RO pages, resident or not", mbi.RegionSize, 0x2000);
  CHECK_EQ("region 2: protect", mbi.Protect, PAGE_READONLY);
  VirtualQuery(r + 0x3000, &mbi, sizeof mbi);
  CHECK_EQ("region 3: one RW page", mbi.RegionSize, 0x1000);
  VirtualQuery(r + 0x4000, &mbi, sizeof mbi);
  CHECK_EQ("region 4: reserved rest", mbi.RegionSize, 0x4000);
  CHECK_EQ("region 4: state", mbi.State, MEM_RESERVE);
  VirtualQuery(r + 0x8000, &mbi, sizeof mbi);
  CHECK_EQ("after the reservation: free", mbi.State, MEM_FREE);

  CHECK_TRUE("protect back", VirtualProtect(r + 0x1000, 0x1000, PAGE_EXECUTE_READ, &old));
  CHECK_EQ("old protection of the first page", old, PAGE_READONLY);
  VirtualQuery(r + 0x1000, &mbi, sizeof mbi);
  CHECK_EQ("execute-read is reported exactly", mbi.Protect, PAGE_EXECUTE_READ);

  CHECK_TRUE("no-access keeps the frame", VirtualProtect(r, 0x1000, PAGE_NOACCESS, &old));
  VirtualQuery(r, &mbi, sizeof mbi);
  CHECK_EQ("no-access reported", mbi.Protect, PAGE_NOACCESS);
  CHECK_TRUE("readable again", VirtualProtect(r, 0x1000, PAGE_READWRITE, &old));
  CHECK_EQ("old was no-access", old, PAGE_NOACCESS);
  CHECK_EQ("contents survived no-access", r[0], 1);

  CHECK_TRUE("reserved pages cannot be protected", !VirtualProtect(r + 0x4000, 0x1000, PAGE_READONLY, &old));
  CHECK_EQ("ERROR_INVALID_ADDRESS (STATUS_NOT_COMMITTED)", GetLastError(), ERROR_INVALID_ADDRESS);
  PVOID base = r + 0x3000; SIZE_T size = 0x2000; ULONG o;
  CHECK_EQ("range reaching reserved pages", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &o), STATUS_NOT_COMMITTED);
  char *other = VirtualAlloc(NULL, 0x10000, MEM_COMMIT, PAGE_READWRITE);
  base = other - 0x1000; size = 0x2000;
  CHECK_EQ("starting in free memory before an allocation", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &o), STATUS_MEMORY_NOT_ALLOCATED);
  base = r; size = 0x9000;
  CHECK_EQ("past the end of the allocation", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &o), STATUS_CONFLICTING_ADDRESSES);
  base = (PVOID)0x50000000; size = 0x1000;
  CHECK_EQ("free memory", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, &o), STATUS_MEMORY_NOT_ALLOCATED);
  base = r; size = 0x1000;
  CHECK_EQ("invalid protection", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, 0x3, &o), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("write-copy on private memory", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_WRITECOPY, &o), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("bad old-protection pointer", NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, PAGE_READONLY, (PULONG)0x10), (NTSTATUS)STATUS_ACCESS_VIOLATION);

  /* The image: code is EXECUTE_READ, the VAD's allocation protection EXECUTE_WRITECOPY, type MEM_IMAGE. */
  VirtualQuery((void *)main, &mbi, sizeof mbi);
  CHECK_EQ("image: type", mbi.Type, MEM_IMAGE);
  CHECK_EQ("image: allocation base", mbi.AllocationBase, 0x00400000);
  CHECK_EQ("image: allocation protect", mbi.AllocationProtect, PAGE_EXECUTE_WRITECOPY);
  CHECK_EQ("image: code protect", mbi.Protect, PAGE_EXECUTE_READ);

  /* Free memory below 64 KiB is one region up to the first usable address. */
  VirtualQuery((void *)0x1000, &mbi, sizeof mbi);
  CHECK_EQ("null area: free", mbi.State, MEM_FREE);
  CHECK_EQ("null area: base", mbi.BaseAddress, 0x1000);
  CHECK_EQ("null area: size", mbi.RegionSize, 0xf000);
  CHECK_EQ("query kernel space fails", VirtualQuery((void *)0x80000000, &mbi, sizeof mbi), 0);
  CHECK_EQ("ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  CHECK_EQ("query with a short buffer fails", VirtualQuery(r, &mbi, 20), 0);
  CHECK_EQ("ERROR_BAD_LENGTH", GetLastError(), ERROR_BAD_LENGTH);
  SIZE_T returned = 0;
  CHECK_EQ("unknown information class", NtQueryVirtualMemory(NtCurrentProcess(), r, (MEMORY_INFORMATION_CLASS)7, &mbi, sizeof mbi, &returned), STATUS_INVALID_INFO_CLASS);
  return CHECK_DONE();
}
