/* psapi.h: process memory counters and working-set queries, with Windows'
   structures and bit layouts. In mmscope these live in the runtime every
   program links with (no -lpsapi needed). */
#ifndef MMSCOPE_PSAPI_H
#define MMSCOPE_PSAPI_H
#include "windows.h"

typedef struct _PROCESS_MEMORY_COUNTERS {
  DWORD cb;
  DWORD PageFaultCount;
  SIZE_T PeakWorkingSetSize;
  SIZE_T WorkingSetSize;
  SIZE_T QuotaPeakPagedPoolUsage;
  SIZE_T QuotaPagedPoolUsage;
  SIZE_T QuotaPeakNonPagedPoolUsage;
  SIZE_T QuotaNonPagedPoolUsage;
  SIZE_T PagefileUsage;
  SIZE_T PeakPagefileUsage;
} PROCESS_MEMORY_COUNTERS, *PPROCESS_MEMORY_COUNTERS;

typedef struct _PROCESS_MEMORY_COUNTERS_EX {
  DWORD cb;
  DWORD PageFaultCount;
  SIZE_T PeakWorkingSetSize;
  SIZE_T WorkingSetSize;
  SIZE_T QuotaPeakPagedPoolUsage;
  SIZE_T QuotaPagedPoolUsage;
  SIZE_T QuotaPeakNonPagedPoolUsage;
  SIZE_T QuotaNonPagedPoolUsage;
  SIZE_T PagefileUsage;
  SIZE_T PeakPagefileUsage;
  SIZE_T PrivateUsage;
} PROCESS_MEMORY_COUNTERS_EX, *PPROCESS_MEMORY_COUNTERS_EX;

/* QueryWorkingSet: one block per page in the working set. Protection is the
   memory manager's protection mask (1 read-only, 4 read/write, 5 copy-on-write, ...). */
typedef union _PSAPI_WORKING_SET_BLOCK {
  ULONG_PTR Flags;
  struct {
    ULONG_PTR Protection : 5;
    ULONG_PTR ShareCount : 3;
    ULONG_PTR Shared : 1;
    ULONG_PTR Reserved : 3;
    ULONG_PTR VirtualPage : 20;
  };
} PSAPI_WORKING_SET_BLOCK, *PPSAPI_WORKING_SET_BLOCK;

typedef struct _PSAPI_WORKING_SET_INFORMATION {
  ULONG_PTR NumberOfEntries;
  PSAPI_WORKING_SET_BLOCK WorkingSetInfo[1];
} PSAPI_WORKING_SET_INFORMATION, *PPSAPI_WORKING_SET_INFORMATION;

/* QueryWorkingSetEx: the caller fills VirtualAddress, the call fills VirtualAttributes. */
typedef union _PSAPI_WORKING_SET_EX_BLOCK {
  ULONG_PTR Flags;
  union {
    struct {
      ULONG_PTR Valid : 1;
      ULONG_PTR ShareCount : 3;
      ULONG_PTR Win32Protection : 11;
      ULONG_PTR Shared : 1;
      ULONG_PTR Node : 6;
      ULONG_PTR Locked : 1;
      ULONG_PTR LargePage : 1;
      ULONG_PTR Reserved : 7;
      ULONG_PTR Bad : 1;
    };
    struct {
      ULONG_PTR Valid : 1;
      ULONG_PTR Reserved0 : 14;
      ULONG_PTR Shared : 1;
      ULONG_PTR Reserved1 : 15;
      ULONG_PTR Bad : 1;
    } Invalid;
  };
} PSAPI_WORKING_SET_EX_BLOCK, *PPSAPI_WORKING_SET_EX_BLOCK;

typedef struct _PSAPI_WORKING_SET_EX_INFORMATION {
  PVOID VirtualAddress;
  PSAPI_WORKING_SET_EX_BLOCK VirtualAttributes;
} PSAPI_WORKING_SET_EX_INFORMATION, *PPSAPI_WORKING_SET_EX_INFORMATION;

/* Windows 7's kernel32 names for the same functions. A PE build calls
   kernel32's K32 names (what psapi.h does with PSAPI_VERSION 2: no psapi.dll
   needed); the ELF runtime defines the plain ones. */
#ifdef _WIN32
#define GetProcessMemoryInfo K32GetProcessMemoryInfo
#define QueryWorkingSet K32QueryWorkingSet
#define QueryWorkingSetEx K32QueryWorkingSetEx
#define EmptyWorkingSet K32EmptyWorkingSet
#else
#define K32GetProcessMemoryInfo GetProcessMemoryInfo
#define K32QueryWorkingSet QueryWorkingSet
#define K32QueryWorkingSetEx QueryWorkingSetEx
#define K32EmptyWorkingSet EmptyWorkingSet
#endif

BOOL WINAPI GetProcessMemoryInfo(HANDLE Process, PPROCESS_MEMORY_COUNTERS ppsmemCounters, DWORD cb);
BOOL WINAPI QueryWorkingSet(HANDLE hProcess, PVOID pv, DWORD cb);
BOOL WINAPI QueryWorkingSetEx(HANDLE hProcess, PVOID pv, DWORD cb);
BOOL WINAPI EmptyWorkingSet(HANDLE hProcess);

#endif
