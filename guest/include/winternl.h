/* The TEB and PEB fields mmscope fills, at their Windows x86 offsets (the
   rest is padding). Reach them with NtCurrentTeb() and Teb->ProcessEnvironmentBlock. */
#ifndef MMSCOPE_WINTERNL_H
#define MMSCOPE_WINTERNL_H

#include "winnt.h"

/* The loader's lists of modules (ntdll keeps them in user memory, and so does the SDK's runtime). */
typedef struct _PEB_LDR_DATA {
  ULONG Length;
  BOOLEAN Initialized;
  PVOID SsHandle;
  LIST_ENTRY InLoadOrderModuleList;          /* 0x0C */
  LIST_ENTRY InMemoryOrderModuleList;        /* 0x14 */
  LIST_ENTRY InInitializationOrderModuleList;
} PEB_LDR_DATA, *PPEB_LDR_DATA;

typedef struct _LDR_DATA_TABLE_ENTRY {
  LIST_ENTRY InLoadOrderLinks;
  LIST_ENTRY InMemoryOrderLinks;
  LIST_ENTRY InInitializationOrderLinks;
  PVOID DllBase;                             /* 0x18 */
  PVOID EntryPoint;
  ULONG SizeOfImage;                         /* 0x20 */
  UNICODE_STRING FullDllName;                /* 0x24 */
  UNICODE_STRING BaseDllName;                /* 0x2C */
  ULONG Flags;
  USHORT LoadCount;
  USHORT TlsIndex;
} LDR_DATA_TABLE_ENTRY, *PLDR_DATA_TABLE_ENTRY;

/* What CreateProcess gives the new process (ntdll's RtlCreateProcessParameters), at Windows' x86 offsets. */
typedef struct _RTL_USER_PROCESS_PARAMETERS {
  ULONG MaximumLength;
  ULONG Length;
  ULONG Flags;
  ULONG DebugFlags;
  HANDLE ConsoleHandle;
  ULONG ConsoleFlags;
  HANDLE StandardInput;                   /* 0x18 */
  HANDLE StandardOutput;
  HANDLE StandardError;
  UNICODE_STRING CurrentDirectoryPath;    /* 0x24 */
  HANDLE CurrentDirectoryHandle;
  UNICODE_STRING DllPath;                 /* 0x30 */
  UNICODE_STRING ImagePathName;           /* 0x38 */
  UNICODE_STRING CommandLine;             /* 0x40 */
  PVOID Environment;                      /* 0x48 */
} RTL_USER_PROCESS_PARAMETERS, *PRTL_USER_PROCESS_PARAMETERS;

typedef struct _PEB {
  BYTE InheritedAddressSpace;
  BYTE ReadImageFileExecOptions;
  BYTE BeingDebugged;
  BYTE SpareBool;
  HANDLE Mutant;
  PVOID ImageBaseAddress;                 /* 0x08 */
  PPEB_LDR_DATA Ldr;                      /* 0x0C */
  PRTL_USER_PROCESS_PARAMETERS ProcessParameters;   /* 0x10 */
  PVOID SubSystemData;
  PVOID ProcessHeap;                      /* 0x18: GetProcessHeap() */
  BYTE Reserved1[0x40 - 0x1C];
  PVOID TlsBitmap;                        /* 0x40 */
  ULONG TlsBitmapBits[2];                 /* 0x44: TlsAlloc's 64 indexes */
  BYTE Reserved3[0x64 - 0x4C];
  ULONG NumberOfProcessors;               /* 0x64 */
  ULONG NtGlobalFlag;                     /* 0x68 */
  BYTE Reserved2[0xA4 - 0x6C];
  ULONG OSMajorVersion;                   /* 0xA4 */
  ULONG OSMinorVersion;
  USHORT OSBuildNumber;
  USHORT OSCSDVersion;
  ULONG OSPlatformId;                     /* 0xB0 */
} PEB, *PPEB;

typedef struct _CLIENT_ID { HANDLE UniqueProcess; HANDLE UniqueThread; } CLIENT_ID;

typedef struct _TEB {
  NT_TIB NtTib;                           /* StackBase 0x04, StackLimit 0x08, Self 0x18 */
  PVOID EnvironmentPointer;
  CLIENT_ID ClientId;                     /* 0x20 */
  PVOID ActiveRpcHandle;
  PVOID ThreadLocalStoragePointer;
  PPEB ProcessEnvironmentBlock;           /* 0x30 */
  ULONG LastErrorValue;                   /* 0x34 */
  BYTE Reserved1[0xE0C - 0x38];
  PVOID DeallocationStack;                /* 0xE0C: the bottom of the stack reservation */
  PVOID TlsSlots[64];                     /* 0xE10: TlsGetValue's values */
} TEB, *PTEB;

/* NtGlobalFlag bits the SDK heap honours (gflags hfc, hpc). */
#define FLG_HEAP_ENABLE_FREE_CHECK    0x00000020
#define FLG_HEAP_VALIDATE_PARAMETERS  0x00000040

_Static_assert(__builtin_offsetof(PEB, ProcessHeap) == 0x18, "PEB layout");
_Static_assert(__builtin_offsetof(PEB, NtGlobalFlag) == 0x68, "PEB layout");
_Static_assert(__builtin_offsetof(PEB, OSPlatformId) == 0xB0, "PEB layout");
_Static_assert(__builtin_offsetof(TEB, ProcessEnvironmentBlock) == 0x30, "TEB layout");
_Static_assert(__builtin_offsetof(TEB, LastErrorValue) == 0x34, "TEB layout");
_Static_assert(__builtin_offsetof(TEB, DeallocationStack) == 0xE0C, "TEB layout");
_Static_assert(__builtin_offsetof(RTL_USER_PROCESS_PARAMETERS, CommandLine) == 0x40, "RTL_USER_PROCESS_PARAMETERS layout");
_Static_assert(__builtin_offsetof(PEB, TlsBitmapBits) == 0x44, "PEB layout");
_Static_assert(__builtin_offsetof(TEB, TlsSlots) == 0xE10, "TEB layout");
_Static_assert(__builtin_offsetof(PEB_LDR_DATA, InMemoryOrderModuleList) == 0x14, "PEB_LDR_DATA layout");
_Static_assert(__builtin_offsetof(LDR_DATA_TABLE_ENTRY, DllBase) == 0x18, "LDR_DATA_TABLE_ENTRY layout");
_Static_assert(__builtin_offsetof(LDR_DATA_TABLE_ENTRY, BaseDllName) == 0x2C, "LDR_DATA_TABLE_ENTRY layout");

#endif
