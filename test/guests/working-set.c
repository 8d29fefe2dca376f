/* The working-set functions against Windows' documented behaviour:
   GetProcessMemoryInfo, QueryWorkingSet(Ex), EmptyWorkingSet, VirtualLock /
   VirtualUnlock and their quota, Get/SetProcessWorkingSetSize(Ex),
   MEM_RESET / MEM_RESET_UNDO, and the NT services beneath. */
#include <windows.h>
#include <psapi.h>
#include <ntdll.h>
#include "check.h"

#define PAGE 4096

static PSAPI_WORKING_SET_EX_BLOCK query_ex(void *address) {
  PSAPI_WORKING_SET_EX_INFORMATION info = { address, { 0 } };
  CHECK_TRUE("QueryWorkingSetEx succeeds", QueryWorkingSetEx(GetCurrentProcess(), &info, sizeof info));
  return info.VirtualAttributes;
}

static PSAPI_WORKING_SET_INFORMATION *whole_set;

int main(void) {
  PROCESS_MEMORY_COUNTERS_EX counters;
  CHECK_TRUE("GetProcessMemoryInfo", GetProcessMemoryInfo(GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&counters, sizeof counters));
  CHECK_EQ("cb is the EX size", counters.cb, sizeof counters);
  CHECK_TRUE("page faults counted", counters.PageFaultCount > 0);
  CHECK_TRUE("working set in whole pages", counters.WorkingSetSize > 0 && counters.WorkingSetSize % PAGE == 0);
  CHECK_TRUE("peak at least the size", counters.PeakWorkingSetSize >= counters.WorkingSetSize);
  CHECK_TRUE("PrivateUsage is the commit charge", counters.PrivateUsage == counters.PagefileUsage && counters.PrivateUsage > 0);
  CHECK_TRUE("PeakPagefileUsage at least PagefileUsage", counters.PeakPagefileUsage >= counters.PagefileUsage);
  CHECK_EQ("a small cb is refused", GetProcessMemoryInfo(GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&counters, 8), FALSE);
  CHECK_EQ("  with ERROR_INSUFFICIENT_BUFFER", GetLastError(), ERROR_INSUFFICIENT_BUFFER);

  SIZE_T minimum, maximum;
  DWORD flags;
  CHECK_TRUE("GetProcessWorkingSetSizeEx", GetProcessWorkingSetSizeEx(GetCurrentProcess(), &minimum, &maximum, &flags));
  CHECK_EQ("default minimum 50 pages", minimum, 50 * PAGE);
  CHECK_EQ("default maximum 345 pages", maximum, 345 * PAGE);
  CHECK_EQ("soft limits", flags, QUOTA_LIMITS_HARDWS_MIN_DISABLE | QUOTA_LIMITS_HARDWS_MAX_DISABLE);

  char *region = VirtualAlloc(NULL, 64 * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  for (int i = 0; i < 64; i++) region[i * PAGE] = (char)i;
  PSAPI_WORKING_SET_EX_BLOCK block = query_ex(region);
  CHECK_EQ("touched page is Valid", block.Valid, 1);
  CHECK_EQ("  PAGE_READWRITE", block.Win32Protection, PAGE_READWRITE);
  CHECK_EQ("  ShareCount 1", block.ShareCount, 1);
  CHECK_EQ("  not Shared", block.Shared, 0);
  CHECK_EQ("  not Locked", block.Locked, 0);
  block = query_ex((void *)main);
  CHECK_EQ("code page is Valid", block.Valid, 1);
  CHECK_EQ("  Shared (an image page)", block.Shared, 1);
  CHECK_EQ("  PAGE_EXECUTE_READ", block.Win32Protection, PAGE_EXECUTE_READ);
  char *untouched = VirtualAlloc(NULL, PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  CHECK_EQ("untouched committed page is not Valid", query_ex(untouched).Valid, 0);

  CHECK_TRUE("VirtualLock one page", VirtualLock(region + PAGE, PAGE));
  CHECK_EQ("locked page is Locked", query_ex(region + PAGE).Locked, 1);
  CHECK_TRUE("EmptyWorkingSet", EmptyWorkingSet(GetCurrentProcess()));
  CHECK_EQ("after EmptyWorkingSet a page is out", query_ex(region).Valid, 0);
  block = query_ex(region + PAGE);
  CHECK_EQ("the locked page is still in", block.Valid, 1);
  CHECK_EQ("  and Locked", block.Locked, 1);
  CHECK_EQ("its data survived the trim", region[0], 0);
  CHECK_EQ("  and came back (soft fault)", region[5 * PAGE], 5);

  CHECK_EQ("VirtualUnlock of a page not locked fails", VirtualUnlock(region, PAGE), FALSE);
  CHECK_EQ("  with ERROR_NOT_LOCKED", GetLastError(), ERROR_NOT_LOCKED);
  CHECK_TRUE("VirtualUnlock the locked page", VirtualUnlock(region + PAGE, PAGE));
  CHECK_EQ("  no longer Locked", query_ex(region + PAGE).Locked, 0);
  CHECK_TRUE("lock the minimum less 8 pages (42)", VirtualLock(region, 42 * PAGE));
  CHECK_EQ("one page more is over the quota", VirtualLock(region + 42 * PAGE, PAGE), FALSE);
  CHECK_EQ("  ERROR_WORKING_SET_QUOTA", GetLastError(), ERROR_WORKING_SET_QUOTA);
  CHECK_TRUE("unlock them", VirtualUnlock(region, 42 * PAGE));
  char *reserved = VirtualAlloc(NULL, PAGE, MEM_RESERVE, PAGE_READWRITE);
  CHECK_EQ("VirtualLock of a reserved page fails", VirtualLock(reserved, PAGE), FALSE);
  CHECK_EQ("  with ERROR_NOACCESS", GetLastError(), ERROR_NOACCESS);

  CHECK_TRUE("SetProcessWorkingSetSize 100/200 pages", SetProcessWorkingSetSize(GetCurrentProcess(), 100 * PAGE, 200 * PAGE));
  CHECK_TRUE("GetProcessWorkingSetSize", GetProcessWorkingSetSize(GetCurrentProcess(), &minimum, &maximum));
  CHECK_EQ("  minimum", minimum, 100 * PAGE);
  CHECK_EQ("  maximum", maximum, 200 * PAGE);
  CHECK_EQ("minimum above maximum fails", SetProcessWorkingSetSize(GetCurrentProcess(), 300 * PAGE, 200 * PAGE), FALSE);
  CHECK_EQ("  with ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  CHECK_EQ("ENABLE with DISABLE fails", SetProcessWorkingSetSizeEx(GetCurrentProcess(), 100 * PAGE, 200 * PAGE, 3), FALSE);
  CHECK_TRUE("a hard maximum", SetProcessWorkingSetSizeEx(GetCurrentProcess(), 100 * PAGE, 200 * PAGE, QUOTA_LIMITS_HARDWS_MAX_ENABLE));
  CHECK_TRUE("GetProcessWorkingSetSizeEx", GetProcessWorkingSetSizeEx(GetCurrentProcess(), &minimum, &maximum, &flags));
  CHECK_EQ("  flags", flags, QUOTA_LIMITS_HARDWS_MIN_DISABLE | QUOTA_LIMITS_HARDWS_MAX_ENABLE);
  char *big = VirtualAlloc(NULL, 400 * PAGE, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  for (int i = 0; i < 400; i++) big[i * PAGE] = 1;
  GetProcessMemoryInfo(GetCurrentProcess(), (PPROCESS_MEMORY_COUNTERS)&counters, sizeof counters);
  CHECK_TRUE("a hard maximum holds the working set (pages and their page tables)", counters.WorkingSetSize <= (200 + 8) * PAGE);
  int sum = 0;
  for (int i = 0; i < 400; i++) sum += big[i * PAGE];
  CHECK_EQ("  and the trimmed pages keep their data", sum, 400);
  CHECK_TRUE("back to soft limits", SetProcessWorkingSetSizeEx(GetCurrentProcess(), 50 * PAGE, 345 * PAGE, QUOTA_LIMITS_HARDWS_MAX_DISABLE));

  ULONG_PTR entries = 0;
  CHECK_EQ("QueryWorkingSet with too small a buffer fails", QueryWorkingSet(GetCurrentProcess(), &entries, sizeof entries), FALSE);
  CHECK_EQ("  with ERROR_BAD_LENGTH", GetLastError(), ERROR_BAD_LENGTH);
  CHECK_TRUE("  and says how many entries", entries > 0);
  DWORD size = sizeof(ULONG_PTR) * (entries + 64);
  whole_set = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  CHECK_TRUE("QueryWorkingSet", QueryWorkingSet(GetCurrentProcess(), whole_set, size));
  int found = 0;
  for (ULONG_PTR i = 0; i < whole_set->NumberOfEntries; i++) {
    PSAPI_WORKING_SET_BLOCK entry = whole_set->WorkingSetInfo[i];
    if (entry.VirtualPage == ((ULONG_PTR)big >> 12) + 399) found = entry.Protection == 4 && entry.ShareCount == 1 && !entry.Shared;
  }
  CHECK_TRUE("the last page written is listed, read/write (MM_READWRITE 4), private", found);

  CHECK_TRUE("MEM_RESET", VirtualAlloc(big, 400 * PAGE, MEM_RESET, PAGE_READWRITE) == big);
  CHECK_EQ("MEM_RESET with MEM_COMMIT fails", VirtualAlloc(big, PAGE, MEM_RESET | MEM_COMMIT, PAGE_READWRITE), NULL);
  CHECK_EQ("  with ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  CHECK_EQ("MEM_RESET of free memory fails", VirtualAlloc((void *)0x60000000, PAGE, MEM_RESET, PAGE_READWRITE), NULL);
  CHECK_EQ("  with ERROR_INVALID_ADDRESS", GetLastError(), ERROR_INVALID_ADDRESS);
  CHECK_TRUE("MEM_RESET_UNDO of pages still in memory", VirtualAlloc(big + 399 * PAGE, PAGE, MEM_RESET_UNDO, PAGE_READWRITE) == big + 399 * PAGE);
  CHECK_EQ("  keeps their data", big[399 * PAGE], 1);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(big, &mbi, sizeof mbi);
  CHECK_EQ("reset pages stay committed", mbi.State, MEM_COMMIT);

  VM_COUNTERS vm;
  CHECK_EQ("ProcessVmCounters with a wrong length", NtQueryInformationProcess(NtCurrentProcess(), ProcessVmCounters, &vm, 40, NULL), STATUS_INFO_LENGTH_MISMATCH);
  CHECK_EQ("an unknown class", NtQueryInformationProcess(NtCurrentProcess(), (PROCESSINFOCLASS)77, &vm, sizeof vm, NULL), STATUS_INVALID_INFO_CLASS);
  CHECK_EQ("VM_COUNTERS", NtQueryInformationProcess(NtCurrentProcess(), ProcessVmCounters, &vm, sizeof vm, NULL), STATUS_SUCCESS);
  CHECK_TRUE("  VirtualSize covers the allocations", vm.VirtualSize >= (64 + 400) * PAGE && vm.PeakVirtualSize >= vm.VirtualSize);
  PVOID base = region;
  SIZE_T length = PAGE;
  CHECK_EQ("MAP_SYSTEM needs a privilege", NtLockVirtualMemory(NtCurrentProcess(), &base, &length, MAP_SYSTEM), STATUS_PRIVILEGE_NOT_HELD);
  return CHECK_DONE();
}
