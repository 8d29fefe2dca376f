/* VirtualAlloc / NtAllocateVirtualMemory: rounding, reserve vs commit, and
   every misuse answered as Windows answers it. */
#include <windows.h>
#include <ntdll.h>
#include "check.h"

static NTSTATUS nt_alloc(PVOID *base, SIZE_T *size, ULONG type, ULONG protect) {
  return NtAllocateVirtualMemory(NtCurrentProcess(), base, 0, size, type, protect);
}

int main(void) {
  /* A reservation's base rounds down to 64 KiB, its size up to whole pages covering the range. */
  char *r = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  CHECK_TRUE("reserve: 64K-aligned", r && ((ULONG_PTR)r & 0xffff) == 0);
  MEMORY_BASIC_INFORMATION mbi;
  PVOID base = r + 0x10000 + 0x1234;
  SIZE_T size = 0x2000;
  CHECK_EQ("reserve at unaligned: status", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_SUCCESS);
  CHECK_EQ("reserve at unaligned: base rounded down to 64K", base, r + 0x10000);
  CHECK_EQ("reserve at unaligned: size covers 0x1234..0x3233", size, 0x4000);

  char *one = VirtualAlloc(NULL, 1, MEM_RESERVE, PAGE_READONLY);
  CHECK_EQ("query a 1-byte reservation", VirtualQuery(one, &mbi, sizeof mbi), sizeof mbi);
  CHECK_EQ("1-byte reservation: one page", mbi.RegionSize, 0x1000);
  CHECK_TRUE("1-byte reservation: 64K-aligned", ((ULONG_PTR)one & 0xffff) == 0);
  CHECK_EQ("query reserved", VirtualQuery(r, &mbi, sizeof mbi), sizeof mbi);
  CHECK_EQ("reserved: state", mbi.State, MEM_RESERVE);
  CHECK_EQ("reserved: protect 0", mbi.Protect, 0);
  CHECK_EQ("reserved: allocation protect", mbi.AllocationProtect, PAGE_READWRITE);
  CHECK_EQ("reserved: type", mbi.Type, MEM_PRIVATE);
  CHECK_EQ("reserved: region is the whole reservation", mbi.RegionSize, 0x10000);

  /* Commit inside a reservation: base rounds down to 4 KiB. */
  base = r + 0x123; size = 0x1000;
  CHECK_EQ("commit in reservation", nt_alloc(&base, &size, MEM_COMMIT, PAGE_READONLY), STATUS_SUCCESS);
  CHECK_EQ("commit: base rounded to page", base, r);
  CHECK_EQ("commit: two pages (0x123 + 0x1000 crosses one)", size, 0x2000);
  VirtualQuery(r + 0x1000, &mbi, sizeof mbi);
  CHECK_EQ("committed page: state", mbi.State, MEM_COMMIT);
  CHECK_EQ("committed page: protect", mbi.Protect, PAGE_READONLY);
  CHECK_EQ("committed page: base", mbi.BaseAddress, r + 0x1000);
  CHECK_EQ("committed page: region to the end of the commit", mbi.RegionSize, 0x1000);
  CHECK_EQ("committed page: allocation base", mbi.AllocationBase, r);
  CHECK_EQ("committed read-only page reads zero", r[0x1000], 0);

  /* Committing over already committed pages succeeds and sets the protection. */
  CHECK_TRUE("recommit", VirtualAlloc(r, 0x2000, MEM_COMMIT, PAGE_READWRITE) == r);
  r[0] = 1;
  VirtualQuery(r, &mbi, sizeof mbi);
  CHECK_EQ("recommit: protect", mbi.Protect, PAGE_READWRITE);

  /* Reserve + commit in one call, top-down. */
  char *top = VirtualAlloc(NULL, 0x3000, MEM_RESERVE | MEM_COMMIT | MEM_TOP_DOWN, PAGE_EXECUTE_READWRITE);
  CHECK_TRUE("top-down above 0x70000000", (ULONG_PTR)top >= 0x70000000);
  VirtualQuery(top, &mbi, sizeof mbi);
  CHECK_EQ("top-down: execute protection kept exactly", mbi.Protect, PAGE_EXECUTE_READWRITE);
  CHECK_EQ("top-down: region", mbi.RegionSize, 0x3000);
  top[0x2fff] = 7;

  /* MEM_COMMIT with a NULL base reserves too. */
  char *implicit = VirtualAlloc(NULL, 100, MEM_COMMIT, PAGE_READWRITE);
  CHECK_TRUE("commit at NULL reserves and commits", implicit != NULL);
  implicit[99] = 1;

  /* Misuse. */
  base = r; size = 0x1000;
  CHECK_EQ("reserve over a reservation", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_CONFLICTING_ADDRESSES);
  base = (PVOID)0x50000000; size = 0x1000;
  CHECK_EQ("commit without a reservation", nt_alloc(&base, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_CONFLICTING_ADDRESSES);
  base = r + 0xf000; size = 0x2000;
  CHECK_EQ("commit past the reservation's end", nt_alloc(&base, &size, MEM_COMMIT, PAGE_READWRITE), STATUS_CONFLICTING_ADDRESSES);
  base = NULL; size = 0;
  CHECK_EQ("size 0", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
  base = NULL; size = 0x1000;
  CHECK_EQ("no MEM_COMMIT or MEM_RESERVE", nt_alloc(&base, &size, MEM_TOP_DOWN, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
  CHECK_EQ("unknown allocation flag", nt_alloc(&base, &size, MEM_RESERVE | 0x40, PAGE_READWRITE), STATUS_INVALID_PARAMETER_5);
  CHECK_EQ("protection 0", nt_alloc(&base, &size, MEM_RESERVE, 0), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("two base protections", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READONLY | PAGE_READWRITE), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("PAGE_NOACCESS | PAGE_GUARD", nt_alloc(&base, &size, MEM_COMMIT, PAGE_NOACCESS | PAGE_GUARD), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("PAGE_GUARD | PAGE_NOCACHE", nt_alloc(&base, &size, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD | PAGE_NOCACHE), STATUS_INVALID_PAGE_PROTECTION);
  CHECK_EQ("write-copy is for views", nt_alloc(&base, &size, MEM_COMMIT, PAGE_WRITECOPY), STATUS_INVALID_PAGE_PROTECTION);
  base = (PVOID)0x80000000; size = 0x1000;
  CHECK_EQ("base in kernel space", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_2);
  base = (PVOID)0x7fff0000; size = 0x1000;
  CHECK_EQ("base in the no-access area", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_2);
  base = (PVOID)0x70000000; size = 0x20000000;
  CHECK_EQ("range past user space", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_4);
  base = NULL; size = 0x1000;
  CHECK_EQ("bad process handle", NtAllocateVirtualMemory((HANDLE)0x1234, &base, 0, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_HANDLE);
  CHECK_EQ("zero bits > 21", NtAllocateVirtualMemory(NtCurrentProcess(), &base, 22, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_INVALID_PARAMETER_3);
  base = NULL; size = 0x7ff00000;
  CHECK_EQ("no room for 2 GiB less 1 MiB", nt_alloc(&base, &size, MEM_RESERVE, PAGE_READWRITE), STATUS_NO_MEMORY);

  /* The Win32 layer maps the statuses to GetLastError values. */
  SetLastError(0);
  CHECK_TRUE("VirtualAlloc conflict fails", VirtualAlloc(r, 0x1000, MEM_RESERVE, PAGE_READWRITE) == NULL);
  CHECK_EQ("ERROR_INVALID_ADDRESS", GetLastError(), ERROR_INVALID_ADDRESS);
  CHECK_TRUE("VirtualAlloc bad protection fails", VirtualAlloc(NULL, 0x1000, MEM_RESERVE, 0x12345) == NULL);
  CHECK_EQ("ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);

  SYSTEM_INFO info;
  GetSystemInfo(&info);
  CHECK_EQ("page size", info.dwPageSize, 4096);
  CHECK_EQ("allocation granularity", info.dwAllocationGranularity, 65536);
  CHECK_EQ("minimum address", info.lpMinimumApplicationAddress, 0x10000);
  CHECK_EQ("maximum address", info.lpMaximumApplicationAddress, 0x7ffeffff);
  return CHECK_DONE();
}
