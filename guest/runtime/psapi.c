/* psapi and the kernel32 working-set functions over the NT services, with
   Windows' results and GetLastError values. */
#include <windows.h>
#include <psapi.h>
#include <ntdll.h>
#include "kernel32-internal.h"

/* GetProcessMemoryInfo: VM_COUNTERS_EX from NtQueryInformationProcess(ProcessVmCounters). cb must hold at least
   PROCESS_MEMORY_COUNTERS (ERROR_INSUFFICIENT_BUFFER otherwise); PrivateUsage is filled when it fits. */
BOOL WINAPI GetProcessMemoryInfo(HANDLE process, PPROCESS_MEMORY_COUNTERS counters, DWORD cb) {
  VM_COUNTERS_EX vm;
  if (cb < sizeof(PROCESS_MEMORY_COUNTERS)) { SetLastError(ERROR_INSUFFICIENT_BUFFER); return FALSE; }
  if (!mms_succeeded(NtQueryInformationProcess(process, ProcessVmCounters, &vm, sizeof vm, NULL))) return FALSE;
  counters->cb = cb >= sizeof(PROCESS_MEMORY_COUNTERS_EX) ? sizeof(PROCESS_MEMORY_COUNTERS_EX) : sizeof(PROCESS_MEMORY_COUNTERS);
  counters->PageFaultCount = vm.PageFaultCount;
  counters->PeakWorkingSetSize = vm.PeakWorkingSetSize;
  counters->WorkingSetSize = vm.WorkingSetSize;
  counters->QuotaPeakPagedPoolUsage = vm.QuotaPeakPagedPoolUsage;
  counters->QuotaPagedPoolUsage = vm.QuotaPagedPoolUsage;
  counters->QuotaPeakNonPagedPoolUsage = vm.QuotaPeakNonPagedPoolUsage;
  counters->QuotaNonPagedPoolUsage = vm.QuotaNonPagedPoolUsage;
  counters->PagefileUsage = vm.PagefileUsage;
  counters->PeakPagefileUsage = vm.PeakPagefileUsage;
  if (cb >= sizeof(PROCESS_MEMORY_COUNTERS_EX)) ((PPROCESS_MEMORY_COUNTERS_EX)counters)->PrivateUsage = vm.PrivateUsage;
  return TRUE;
}

/* QueryWorkingSet: a buffer too small gets NumberOfEntries and ERROR_BAD_LENGTH. */
BOOL WINAPI QueryWorkingSet(HANDLE process, PVOID buffer, DWORD cb) {
  return mms_succeeded(NtQueryVirtualMemory(process, NULL, MemoryWorkingSetInformation, buffer, cb, NULL));
}

BOOL WINAPI QueryWorkingSetEx(HANDLE process, PVOID buffer, DWORD cb) {
  return mms_succeeded(NtQueryVirtualMemory(process, NULL, MemoryWorkingSetExInformation, buffer, cb, NULL));
}

BOOL WINAPI EmptyWorkingSet(HANDLE process) {
  return SetProcessWorkingSetSize(process, (SIZE_T)-1, (SIZE_T)-1);
}

BOOL WINAPI SetProcessWorkingSetSizeEx(HANDLE process, SIZE_T minimum, SIZE_T maximum, DWORD flags) {
  QUOTA_LIMITS_EX limits = { 0 };
  limits.MinimumWorkingSetSize = minimum;
  limits.MaximumWorkingSetSize = maximum;
  limits.Flags = flags;
  return mms_succeeded(NtSetInformationProcess(process, ProcessQuotaLimits, &limits, sizeof limits));
}

/* The limits alone: the hard/soft flags stay as they are. */
BOOL WINAPI SetProcessWorkingSetSize(HANDLE process, SIZE_T minimum, SIZE_T maximum) {
  QUOTA_LIMITS limits = { 0 };
  limits.MinimumWorkingSetSize = minimum;
  limits.MaximumWorkingSetSize = maximum;
  return mms_succeeded(NtSetInformationProcess(process, ProcessQuotaLimits, &limits, sizeof limits));
}

BOOL WINAPI GetProcessWorkingSetSizeEx(HANDLE process, PSIZE_T minimum, PSIZE_T maximum, PDWORD flags) {
  QUOTA_LIMITS_EX limits;
  if (!mms_succeeded(NtQueryInformationProcess(process, ProcessQuotaLimits, &limits, sizeof limits, NULL))) return FALSE;
  *minimum = limits.MinimumWorkingSetSize;
  *maximum = limits.MaximumWorkingSetSize;
  *flags = limits.Flags;
  return TRUE;
}

BOOL WINAPI GetProcessWorkingSetSize(HANDLE process, PSIZE_T minimum, PSIZE_T maximum) {
  DWORD flags;
  return GetProcessWorkingSetSizeEx(process, minimum, maximum, &flags);
}

BOOL WINAPI VirtualLock(LPVOID address, SIZE_T size) {
  PVOID base = address;
  SIZE_T region = size;
  return mms_succeeded(NtLockVirtualMemory(NtCurrentProcess(), &base, &region, MAP_PROCESS));
}

BOOL WINAPI VirtualUnlock(LPVOID address, SIZE_T size) {
  PVOID base = address;
  SIZE_T region = size;
  return mms_succeeded(NtUnlockVirtualMemory(NtCurrentProcess(), &base, &region, MAP_PROCESS));
}
