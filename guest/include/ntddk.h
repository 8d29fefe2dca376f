/* KUSER_SHARED_DATA and the fixed layout of user space, as Windows' ntddk.h
   declares them (x86). The kernel maps the page read-only at
   MM_SHARED_USER_DATA_VA in every process and keeps its clock current on
   every entry into the kernel (src/kernel/shared-user-data.ts); only the
   fields named below are filled, the rest of the page is zero. */
#ifndef MMSCOPE_NTDDK_H
#define MMSCOPE_NTDDK_H

#include "winnt.h"

/* The user address space (src/mm/layout.ts, USER_SPACE_LAYOUT). */
#define MM_LOWEST_USER_ADDRESS   ((PVOID)0x00010000)
#define MM_HIGHEST_USER_ADDRESS  ((PVOID)0x7FFEFFFF)  /* GetSystemInfo's lpMaximumApplicationAddress */
#define MM_SHARED_USER_DATA_VA   0x7FFE0000UL
#define MM_USER_PROBE_ADDRESS    0x7FFF0000UL        /* 64 KiB reserved, no access, up to kernel space */
#define MM_SYSTEM_RANGE_START    ((PVOID)0x80000000)
#define MM_ALLOCATION_GRANULARITY 0x10000

/* A 64-bit time the kernel updates while user mode reads it: read High1Time,
   LowPart, High2Time and retry while High1Time != High2Time. */
typedef struct _KSYSTEM_TIME {
  ULONG LowPart;
  LONG High1Time;
  LONG High2Time;
} KSYSTEM_TIME, *PKSYSTEM_TIME;

typedef enum _NT_PRODUCT_TYPE { NtProductWinNt = 1, NtProductLanManNt, NtProductServer } NT_PRODUCT_TYPE;

typedef struct _KUSER_SHARED_DATA {
  ULONG TickCountLowDeprecated;            /* 0x000: clock ticks, low 32 bits */
  ULONG TickCountMultiplier;               /* 0x004: ms per tick × 2^24 (0x0FA00000: 15.625 ms) */
  volatile KSYSTEM_TIME InterruptTime;     /* 0x008: 100 ns units since boot */
  volatile KSYSTEM_TIME SystemTime;        /* 0x014: 100 ns units since 1601-01-01 (UTC) */
  volatile KSYSTEM_TIME TimeZoneBias;      /* 0x020 */
  USHORT ImageNumberLow;                   /* 0x02C: IMAGE_FILE_MACHINE_I386 */
  USHORT ImageNumberHigh;                  /* 0x02E */
  WCHAR NtSystemRoot[260];                 /* 0x030 */
  ULONG MaxStackTraceDepth;                /* 0x238 */
  ULONG CryptoExponent;                    /* 0x23C */
  ULONG TimeZoneId;                        /* 0x240 */
  ULONG LargePageMinimum;                  /* 0x244 */
  ULONG Reserved2[6];                      /* 0x248 */
  ULONG NtBuildNumber;                     /* 0x260 */
  NT_PRODUCT_TYPE NtProductType;           /* 0x264 */
  BOOLEAN ProductTypeIsValid;              /* 0x268 */
  BYTE Reserved0[1];
  USHORT NativeProcessorArchitecture;      /* 0x26A */
  ULONG NtMajorVersion;                    /* 0x26C: 10 */
  ULONG NtMinorVersion;                    /* 0x270: 0 */
  BOOLEAN ProcessorFeatures[64];           /* 0x274 */
  BYTE Reserved3[0x2E8 - 0x2B4];
  ULONG NumberOfPhysicalPages;             /* 0x2E8: the machine's RAM in pages (--ram) */
  BYTE Reserved4[0x320 - 0x2EC];
  union {                                  /* 0x320: clock ticks since boot */
    volatile KSYSTEM_TIME TickCount;
    volatile ULONGLONG TickCountQuad;
  };
} KUSER_SHARED_DATA, *PKUSER_SHARED_DATA;

#define USER_SHARED_DATA ((KUSER_SHARED_DATA * const)MM_SHARED_USER_DATA_VA)

_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, InterruptTime) == 0x008, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, SystemTime) == 0x014, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, NtSystemRoot) == 0x030, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, NtProductType) == 0x264, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, NtMajorVersion) == 0x26C, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, NtMinorVersion) == 0x270, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, NumberOfPhysicalPages) == 0x2E8, "KUSER_SHARED_DATA layout");
_Static_assert(__builtin_offsetof(KUSER_SHARED_DATA, TickCount) == 0x320, "KUSER_SHARED_DATA layout");

/* A KSYSTEM_TIME read the way ntdll reads it. */
static inline ULONGLONG MmsReadSystemTime(volatile const KSYSTEM_TIME *time) {
  LONG high; ULONG low;
  do { high = time->High1Time; low = time->LowPart; } while (high != time->High2Time);
  return ((ULONGLONG)(ULONG)high << 32) | low;
}

#endif
