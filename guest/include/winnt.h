/* Windows x86 types and structures shared by windows.h and ntdll.h, with the
   exact layouts and constant values of the Windows SDK's winnt.h. */
#ifndef MMSCOPE_WINNT_H
#define MMSCOPE_WINNT_H

#include <stddef.h>
#include <stdint.h>

/* Microsoft's calling-convention keywords and __declspec, which gcc for
   Linux lacks (mingw-w64's gcc predefines them: hence the guards).
   __declspec(dllexport) gives the symbol protected visibility, the mark
   mmscope build looks for to choose a module's exports
   (src/toolchain/export-directory.ts). */
#ifndef __stdcall
#define __stdcall __attribute__((stdcall))
#define __cdecl __attribute__((cdecl))
#define __fastcall __attribute__((fastcall))
#endif
#ifndef __declspec
#define __declspec(x) __mms_declspec_##x
#define __mms_declspec_dllexport __attribute__((visibility("protected")))
#define __mms_declspec_dllimport
#define __mms_declspec_noreturn __attribute__((noreturn))
#define __mms_declspec_noinline __attribute__((noinline))
#define __mms_declspec_naked __attribute__((naked))
#define __mms_declspec_selectany __attribute__((weak))
#define __mms_declspec_align(n) __attribute__((aligned(n)))
#endif
#ifndef __forceinline
#define __forceinline inline __attribute__((always_inline))
#endif

#define WINAPI __attribute__((stdcall))
#define NTAPI __attribute__((stdcall))
#define CALLBACK __attribute__((stdcall))

typedef void VOID, *PVOID, *LPVOID;
typedef const void *LPCVOID;
typedef unsigned char BYTE, BOOLEAN, UCHAR, *PBYTE;
typedef unsigned short WORD, USHORT;
typedef unsigned long DWORD, ULONG, *PDWORD, *PULONG, *LPDWORD;
typedef long LONG, *PLONG, NTSTATUS;
typedef int BOOL, *PBOOL;
typedef unsigned int UINT;
typedef char CHAR, *LPSTR;
typedef const char *LPCSTR;
typedef unsigned long ULONG_PTR, SIZE_T, *PSIZE_T, DWORD_PTR, *PULONG_PTR;
typedef long LONG_PTR;
typedef void *HANDLE, *PHANDLE;
typedef long long LONGLONG;
typedef unsigned long long ULONGLONG, DWORD64;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

typedef union _LARGE_INTEGER {
  struct { ULONG LowPart; LONG HighPart; } u;
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
typedef struct _FILETIME { DWORD dwLowDateTime; DWORD dwHighDateTime; } FILETIME, *PFILETIME, *LPFILETIME;

/* VirtualAlloc / VirtualFree */
#define MEM_COMMIT      0x00001000
#define MEM_RESERVE     0x00002000
#define MEM_DECOMMIT    0x00004000
#define MEM_RELEASE     0x00008000
#define MEM_FREE        0x00010000
#define MEM_PRIVATE     0x00020000
#define MEM_MAPPED      0x00040000
#define MEM_RESET       0x00080000
#define MEM_TOP_DOWN    0x00100000
#define MEM_WRITE_WATCH 0x00200000
#define MEM_PHYSICAL    0x00400000
#define MEM_IMAGE       0x01000000
#define MEM_LARGE_PAGES 0x20000000
#define MEM_RESET_UNDO  0x01000000

/* Working-set limits (SetProcessWorkingSetSizeEx, NtSetInformationProcess(ProcessQuotaLimits)).
   TimeLimit is 8-aligned as MSVC lays it out (gcc -m32 would put it at 20). */
#define QUOTA_LIMITS_HARDWS_MIN_ENABLE  0x00000001
#define QUOTA_LIMITS_HARDWS_MIN_DISABLE 0x00000002
#define QUOTA_LIMITS_HARDWS_MAX_ENABLE  0x00000004
#define QUOTA_LIMITS_HARDWS_MAX_DISABLE 0x00000008

typedef struct _QUOTA_LIMITS {
  SIZE_T PagedPoolLimit;
  SIZE_T NonPagedPoolLimit;
  SIZE_T MinimumWorkingSetSize;
  SIZE_T MaximumWorkingSetSize;
  SIZE_T PagefileLimit;
  LARGE_INTEGER TimeLimit __attribute__((aligned(8)));
} QUOTA_LIMITS, *PQUOTA_LIMITS;

typedef struct _QUOTA_LIMITS_EX {
  SIZE_T PagedPoolLimit;
  SIZE_T NonPagedPoolLimit;
  SIZE_T MinimumWorkingSetSize;
  SIZE_T MaximumWorkingSetSize;
  SIZE_T PagefileLimit;
  LARGE_INTEGER TimeLimit __attribute__((aligned(8)));
  SIZE_T WorkingSetLimit;
  SIZE_T Reserved2;
  SIZE_T Reserved3;
  SIZE_T Reserved4;
  DWORD Flags;
  DWORD CpuRateLimit;
} QUOTA_LIMITS_EX, *PQUOTA_LIMITS_EX;

#define PAGE_NOACCESS          0x01
#define PAGE_READONLY          0x02
#define PAGE_READWRITE         0x04
#define PAGE_WRITECOPY         0x08
#define PAGE_EXECUTE           0x10
#define PAGE_EXECUTE_READ      0x20
#define PAGE_EXECUTE_READWRITE 0x40
#define PAGE_EXECUTE_WRITECOPY 0x80
#define PAGE_GUARD             0x100
#define PAGE_NOCACHE           0x200
#define PAGE_WRITECOMBINE      0x400

typedef struct _MEMORY_BASIC_INFORMATION {
  PVOID BaseAddress;
  PVOID AllocationBase;
  DWORD AllocationProtect;
  SIZE_T RegionSize;
  DWORD State;
  DWORD Protect;
  DWORD Type;
} MEMORY_BASIC_INFORMATION, *PMEMORY_BASIC_INFORMATION;

/* Exception codes as winnt.h spells them (DWORD). */
#ifndef STATUS_ACCESS_VIOLATION
#define STATUS_WAIT_0                    ((DWORD)0x00000000L)
#define STATUS_GUARD_PAGE_VIOLATION      ((DWORD)0x80000001L)
#define STATUS_BREAKPOINT                ((DWORD)0x80000003L)
#define STATUS_SINGLE_STEP               ((DWORD)0x80000004L)
#define STATUS_ACCESS_VIOLATION          ((DWORD)0xC0000005L)
#define STATUS_NO_MEMORY                 ((DWORD)0xC0000017L)
#define STATUS_ILLEGAL_INSTRUCTION       ((DWORD)0xC000001DL)
#define STATUS_NONCONTINUABLE_EXCEPTION  ((DWORD)0xC0000025L)
#define STATUS_INTEGER_DIVIDE_BY_ZERO    ((DWORD)0xC0000094L)
#define STATUS_INTEGER_OVERFLOW          ((DWORD)0xC0000095L)
#define STATUS_PRIVILEGED_INSTRUCTION    ((DWORD)0xC0000096L)
#define STATUS_STACK_OVERFLOW            ((DWORD)0xC00000FDL)
#endif

#define EXCEPTION_ACCESS_VIOLATION      STATUS_ACCESS_VIOLATION
#define EXCEPTION_GUARD_PAGE            STATUS_GUARD_PAGE_VIOLATION
#define EXCEPTION_BREAKPOINT            STATUS_BREAKPOINT
#define EXCEPTION_SINGLE_STEP           STATUS_SINGLE_STEP
#define EXCEPTION_ILLEGAL_INSTRUCTION   STATUS_ILLEGAL_INSTRUCTION
#define EXCEPTION_INT_DIVIDE_BY_ZERO    STATUS_INTEGER_DIVIDE_BY_ZERO
#define EXCEPTION_INT_OVERFLOW          STATUS_INTEGER_OVERFLOW
#define EXCEPTION_PRIV_INSTRUCTION      STATUS_PRIVILEGED_INSTRUCTION
#define EXCEPTION_STACK_OVERFLOW        STATUS_STACK_OVERFLOW
#define EXCEPTION_NONCONTINUABLE_EXCEPTION STATUS_NONCONTINUABLE_EXCEPTION

#define EXCEPTION_EXECUTE_HANDLER     1
#define EXCEPTION_CONTINUE_SEARCH     0
#define EXCEPTION_CONTINUE_EXECUTION  (-1)
#define EXCEPTION_NONCONTINUABLE      0x1
#define EXCEPTION_MAXIMUM_PARAMETERS  15

typedef struct _EXCEPTION_RECORD {
  DWORD ExceptionCode;
  DWORD ExceptionFlags;
  struct _EXCEPTION_RECORD *ExceptionRecord;
  PVOID ExceptionAddress;
  DWORD NumberParameters;
  ULONG_PTR ExceptionInformation[EXCEPTION_MAXIMUM_PARAMETERS];
} EXCEPTION_RECORD, *PEXCEPTION_RECORD;

#define SIZE_OF_80387_REGISTERS 80
#define MAXIMUM_SUPPORTED_EXTENSION 512

typedef struct _FLOATING_SAVE_AREA {
  DWORD ControlWord;
  DWORD StatusWord;
  DWORD TagWord;
  DWORD ErrorOffset;
  DWORD ErrorSelector;
  DWORD DataOffset;
  DWORD DataSelector;
  BYTE RegisterArea[SIZE_OF_80387_REGISTERS];
  DWORD Cr0NpxState;
} FLOATING_SAVE_AREA;

#define CONTEXT_i386     0x00010000
#define CONTEXT_CONTROL  (CONTEXT_i386 | 0x01)
#define CONTEXT_INTEGER  (CONTEXT_i386 | 0x02)
#define CONTEXT_SEGMENTS (CONTEXT_i386 | 0x04)
#define CONTEXT_FULL     (CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS)

typedef struct _CONTEXT {
  DWORD ContextFlags;
  DWORD Dr0, Dr1, Dr2, Dr3, Dr6, Dr7;
  FLOATING_SAVE_AREA FloatSave;
  DWORD SegGs, SegFs, SegEs, SegDs;
  DWORD Edi, Esi, Ebx, Edx, Ecx, Eax;
  DWORD Ebp, Eip, SegCs, EFlags, Esp, SegSs;
  BYTE ExtendedRegisters[MAXIMUM_SUPPORTED_EXTENSION];
} CONTEXT, *PCONTEXT;

typedef struct _EXCEPTION_POINTERS {
  PEXCEPTION_RECORD ExceptionRecord;
  PCONTEXT ContextRecord;
} EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;

typedef unsigned short WCHAR, *PWSTR;
typedef const WCHAR *PCWSTR;
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;
typedef struct _UNICODE_STRING { USHORT Length; USHORT MaximumLength; PWSTR Buffer; } UNICODE_STRING, *PUNICODE_STRING;
typedef struct _STRING { USHORT Length; USHORT MaximumLength; char *Buffer; } STRING, ANSI_STRING, *PSTRING, *PANSI_STRING;
typedef struct _LIST_ENTRY { struct _LIST_ENTRY *Flink, *Blink; } LIST_ENTRY, *PLIST_ENTRY;
typedef void *HMODULE, *HINSTANCE;

/* The head of every TEB; FS:[0x18] is its Self pointer. */
typedef struct _NT_TIB {
  struct _EXCEPTION_REGISTRATION_RECORD *ExceptionList;
  PVOID StackBase;
  PVOID StackLimit;
  PVOID SubSystemTib;
  PVOID FiberData;
  PVOID ArbitraryUserPointer;
  struct _NT_TIB *Self;
} NT_TIB, *PNT_TIB;

struct _TEB;
static inline struct _TEB *NtCurrentTeb(void) {
  struct _TEB *teb;
  __asm__ volatile("movl %%fs:0x18, %0" : "=r"(teb));
  return teb;
}

#define STATUS_HEAP_CORRUPTION           ((DWORD)0xC0000374L)

_Static_assert(sizeof(CONTEXT) == 0x2cc, "CONTEXT layout");
_Static_assert(sizeof(EXCEPTION_RECORD) == 80, "EXCEPTION_RECORD layout");
_Static_assert(sizeof(MEMORY_BASIC_INFORMATION) == 28, "MEMORY_BASIC_INFORMATION layout");

/* A PE image's export directory (PE/COFF specification 6.3); mmscope's
   modules carry one too (src/toolchain/export-directory.ts). */
typedef struct _IMAGE_EXPORT_DIRECTORY {
  DWORD Characteristics;
  DWORD TimeDateStamp;
  WORD MajorVersion;
  WORD MinorVersion;
  DWORD Name;
  DWORD Base;
  DWORD NumberOfFunctions;
  DWORD NumberOfNames;
  DWORD AddressOfFunctions;     /* RVAs */
  DWORD AddressOfNames;
  DWORD AddressOfNameOrdinals;
} IMAGE_EXPORT_DIRECTORY, *PIMAGE_EXPORT_DIRECTORY;

/* PE32 headers (PE/COFF specification sections 2-6, winnt.h's layouts). */
#define IMAGE_DOS_SIGNATURE 0x5A4D
#define IMAGE_NT_SIGNATURE 0x00004550
#define IMAGE_NUMBEROF_DIRECTORY_ENTRIES 16
#define IMAGE_DIRECTORY_ENTRY_EXPORT 0
#define IMAGE_DIRECTORY_ENTRY_IMPORT 1
#define IMAGE_DIRECTORY_ENTRY_BASERELOC 5
#define IMAGE_DIRECTORY_ENTRY_TLS 9
#define IMAGE_DIRECTORY_ENTRY_IAT 12
#define IMAGE_FILE_DLL 0x2000
#define IMAGE_ORDINAL_FLAG32 0x80000000
#define IMAGE_REL_BASED_ABSOLUTE 0
#define IMAGE_REL_BASED_HIGHLOW 3
#define IMAGE_SCN_MEM_EXECUTE 0x20000000
#define IMAGE_SCN_MEM_READ 0x40000000
#define IMAGE_SCN_MEM_WRITE 0x80000000
#define DLL_PROCESS_DETACH 0
#define DLL_PROCESS_ATTACH 1
#define DLL_THREAD_ATTACH 2
#define DLL_THREAD_DETACH 3

typedef struct _IMAGE_DOS_HEADER {
  WORD e_magic, e_cblp, e_cp, e_crlc, e_cparhdr, e_minalloc, e_maxalloc, e_ss, e_sp, e_csum, e_ip, e_cs, e_lfarlc, e_ovno;
  WORD e_res[4];
  WORD e_oemid, e_oeminfo;
  WORD e_res2[10];
  LONG e_lfanew;
} IMAGE_DOS_HEADER, *PIMAGE_DOS_HEADER;

typedef struct _IMAGE_FILE_HEADER {
  WORD Machine;
  WORD NumberOfSections;
  DWORD TimeDateStamp;
  DWORD PointerToSymbolTable;
  DWORD NumberOfSymbols;
  WORD SizeOfOptionalHeader;
  WORD Characteristics;
} IMAGE_FILE_HEADER, *PIMAGE_FILE_HEADER;

typedef struct _IMAGE_DATA_DIRECTORY { DWORD VirtualAddress; DWORD Size; } IMAGE_DATA_DIRECTORY, *PIMAGE_DATA_DIRECTORY;

typedef struct _IMAGE_OPTIONAL_HEADER {
  WORD Magic;
  BYTE MajorLinkerVersion, MinorLinkerVersion;
  DWORD SizeOfCode, SizeOfInitializedData, SizeOfUninitializedData, AddressOfEntryPoint, BaseOfCode, BaseOfData;
  DWORD ImageBase, SectionAlignment, FileAlignment;
  WORD MajorOperatingSystemVersion, MinorOperatingSystemVersion, MajorImageVersion, MinorImageVersion;
  WORD MajorSubsystemVersion, MinorSubsystemVersion;
  DWORD Win32VersionValue, SizeOfImage, SizeOfHeaders, CheckSum;
  WORD Subsystem, DllCharacteristics;
  DWORD SizeOfStackReserve, SizeOfStackCommit, SizeOfHeapReserve, SizeOfHeapCommit, LoaderFlags, NumberOfRvaAndSizes;
  IMAGE_DATA_DIRECTORY DataDirectory[IMAGE_NUMBEROF_DIRECTORY_ENTRIES];
} IMAGE_OPTIONAL_HEADER32, *PIMAGE_OPTIONAL_HEADER32;

typedef struct _IMAGE_NT_HEADERS {
  DWORD Signature;
  IMAGE_FILE_HEADER FileHeader;
  IMAGE_OPTIONAL_HEADER32 OptionalHeader;
} IMAGE_NT_HEADERS32, IMAGE_NT_HEADERS, *PIMAGE_NT_HEADERS32, *PIMAGE_NT_HEADERS;

#define IMAGE_SIZEOF_SHORT_NAME 8
typedef struct _IMAGE_SECTION_HEADER {
  BYTE Name[IMAGE_SIZEOF_SHORT_NAME];
  union { DWORD PhysicalAddress; DWORD VirtualSize; } Misc;
  DWORD VirtualAddress, SizeOfRawData, PointerToRawData, PointerToRelocations, PointerToLinenumbers;
  WORD NumberOfRelocations, NumberOfLinenumbers;
  DWORD Characteristics;
} IMAGE_SECTION_HEADER, *PIMAGE_SECTION_HEADER;
#define IMAGE_FIRST_SECTION(nt) ((PIMAGE_SECTION_HEADER)((BYTE *)&(nt)->OptionalHeader + (nt)->FileHeader.SizeOfOptionalHeader))

typedef struct _IMAGE_IMPORT_DESCRIPTOR {
  union { DWORD Characteristics; DWORD OriginalFirstThunk; } u;
  DWORD TimeDateStamp, ForwarderChain, Name, FirstThunk;
} IMAGE_IMPORT_DESCRIPTOR, *PIMAGE_IMPORT_DESCRIPTOR;

typedef struct _IMAGE_IMPORT_BY_NAME { WORD Hint; char Name[1]; } IMAGE_IMPORT_BY_NAME, *PIMAGE_IMPORT_BY_NAME;
typedef struct _IMAGE_BASE_RELOCATION { DWORD VirtualAddress; DWORD SizeOfBlock; } IMAGE_BASE_RELOCATION, *PIMAGE_BASE_RELOCATION;
typedef VOID (__attribute__((stdcall)) *PIMAGE_TLS_CALLBACK)(PVOID DllHandle, DWORD Reason, PVOID Reserved);
typedef struct _IMAGE_TLS_DIRECTORY32 {
  DWORD StartAddressOfRawData, EndAddressOfRawData, AddressOfIndex, AddressOfCallBacks, SizeOfZeroFill, Characteristics;
} IMAGE_TLS_DIRECTORY32, IMAGE_TLS_DIRECTORY, *PIMAGE_TLS_DIRECTORY32, *PIMAGE_TLS_DIRECTORY;
_Static_assert(sizeof(IMAGE_DOS_HEADER) == 64, "IMAGE_DOS_HEADER layout");
_Static_assert(sizeof(IMAGE_NT_HEADERS32) == 248, "IMAGE_NT_HEADERS32 layout");
_Static_assert(sizeof(IMAGE_SECTION_HEADER) == 40, "IMAGE_SECTION_HEADER layout");

#endif
