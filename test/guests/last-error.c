/* GetLastError after the Virtual*, file-mapping and file functions, as
   Windows sets or leaves it. Each call is made with the last error set to
   0xdeadbeef first. Expected values: Wine's dlls/kernel32/tests/virtual.c
   and file.c (what they record for Windows) and RtlNtStatusToDosError's
   table (Wine's dlls/ntdll/error.c). The test provides C:\empty.bin (0 bytes)
   and C:\data.bin (8 KiB). */
#include <windows.h>
#include <ntdll.h>
#include "check.h"

#define UNTOUCHED 0xdeadbeef
#define EXPECT_ERROR(name, call, failed, error) do { SetLastError(UNTOUCHED); CHECK_EQ(name, call, failed); CHECK_EQ("  " name ": last error", GetLastError(), error); } while (0)

int main(void) {
  /* ---- Virtual* ---- */
  char *base = NULL;
  SetLastError(UNTOUCHED);
  base = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  CHECK_TRUE("VirtualAlloc reserve", base != NULL);
  CHECK_EQ("  success leaves the last error", GetLastError(), UNTOUCHED);
  EXPECT_ERROR("VirtualAlloc of 0 bytes", VirtualAlloc(NULL, 0, MEM_RESERVE, PAGE_NOACCESS), NULL, ERROR_INVALID_PARAMETER);
  EXPECT_ERROR("VirtualAlloc with protection 0", VirtualAlloc(base, 0x1000, MEM_COMMIT, 0), NULL, ERROR_INVALID_PARAMETER);
  EXPECT_ERROR("VirtualAlloc at a reserved range", VirtualAlloc(base, 0x1000, MEM_RESERVE, PAGE_READWRITE), NULL, ERROR_INVALID_ADDRESS);
  EXPECT_ERROR("VirtualAlloc larger than any free range", VirtualAlloc(NULL, 0x7FC00000, MEM_RESERVE, PAGE_NOACCESS), NULL, ERROR_NOT_ENOUGH_MEMORY);
  DWORD old;
  EXPECT_ERROR("VirtualProtect of reserved memory", VirtualProtect(base, 0x1000, PAGE_READONLY, &old), FALSE, ERROR_INVALID_ADDRESS);
  VirtualAlloc(base, 0x1000, MEM_COMMIT, PAGE_READWRITE);
  EXPECT_ERROR("VirtualProtect without lpflOldProtect", VirtualProtect(base, 0x1000, PAGE_READONLY, NULL), FALSE, ERROR_NOACCESS);
  SetLastError(UNTOUCHED);
  CHECK_TRUE("VirtualProtect", VirtualProtect(base, 0x1000, PAGE_READONLY, &old));
  CHECK_EQ("  success leaves the last error", GetLastError(), UNTOUCHED);
  MEMORY_BASIC_INFORMATION mbi;
  EXPECT_ERROR("VirtualQuery above user space", VirtualQuery((void *)0x80000000, &mbi, sizeof mbi), 0, ERROR_INVALID_PARAMETER);
  EXPECT_ERROR("VirtualQuery into a short buffer", VirtualQuery(base, &mbi, 4), 0, ERROR_BAD_LENGTH);
  EXPECT_ERROR("VirtualFree(MEM_RELEASE) with a size", VirtualFree(base, 0x10000, MEM_RELEASE), FALSE, ERROR_INVALID_PARAMETER);
  EXPECT_ERROR("VirtualFree(MEM_RELEASE) not at the base", VirtualFree(base + 0x1000, 0, MEM_RELEASE), FALSE, ERROR_INVALID_ADDRESS);
  EXPECT_ERROR("VirtualFree with free type 0", VirtualFree(base, 0x1000, 0), FALSE, ERROR_INVALID_PARAMETER);
  EXPECT_ERROR("VirtualFree(MEM_DECOMMIT | MEM_RELEASE)", VirtualFree(base, 0, MEM_DECOMMIT | MEM_RELEASE), FALSE, ERROR_INVALID_PARAMETER);
  SetLastError(UNTOUCHED);
  CHECK_TRUE("VirtualFree(MEM_RELEASE)", VirtualFree(base, 0, MEM_RELEASE));
  CHECK_EQ("  success leaves the last error", GetLastError(), UNTOUCHED);
  EXPECT_ERROR("VirtualFree of free memory", VirtualFree(base, 0, MEM_RELEASE), FALSE, ERROR_INVALID_ADDRESS);

  /* ---- file mappings ---- */
  EXPECT_ERROR("CreateFileMapping of the page file without a size", CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL), NULL, ERROR_INVALID_PARAMETER);
  SetLastError(UNTOUCHED);
  HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 0x10000, "last-error-test");
  CHECK_TRUE("CreateFileMapping", mapping != NULL);
  CHECK_EQ("  success sets ERROR_SUCCESS", GetLastError(), ERROR_SUCCESS);
  SetLastError(UNTOUCHED);
  HANDLE again = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, 0x10000, "last-error-test");
  CHECK_TRUE("CreateFileMapping of an existing name", again != NULL);
  CHECK_EQ("  ERROR_ALREADY_EXISTS", GetLastError(), ERROR_ALREADY_EXISTS);
  CloseHandle(again);
  EXPECT_ERROR("OpenFileMapping of no such name", OpenFileMappingA(FILE_MAP_READ, FALSE, "no-such-mapping"), NULL, ERROR_FILE_NOT_FOUND);
  /* Wine's test_MapViewOfFile accepts ERROR_INVALID_PARAMETER or ERROR_ACCESS_DENIED here; NT's STATUS_SECTION_PROTECTION maps to the first. */
  EXPECT_ERROR("MapViewOfFile(FILE_MAP_WRITE) of a read-only mapping", MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0), NULL, ERROR_INVALID_PARAMETER);
  EXPECT_ERROR("MapViewOfFile past the end", MapViewOfFile(mapping, FILE_MAP_READ, 0, 0x20000, 0x1000), NULL, ERROR_ACCESS_DENIED);
  EXPECT_ERROR("MapViewOfFile at an unaligned offset", MapViewOfFile(mapping, FILE_MAP_READ, 0, 0x1000, 0x1000), NULL, ERROR_MAPPED_ALIGNMENT);
  EXPECT_ERROR("MapViewOfFile of a bad handle", MapViewOfFile((HANDLE)0x1230, FILE_MAP_READ, 0, 0, 0), NULL, ERROR_INVALID_HANDLE);
  SetLastError(UNTOUCHED);
  void *view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
  CHECK_TRUE("MapViewOfFile", view != NULL);
  CHECK_EQ("  success leaves the last error", GetLastError(), UNTOUCHED);
  EXPECT_ERROR("UnmapViewOfFile inside no view", UnmapViewOfFile((char *)view + 0x20000), FALSE, ERROR_INVALID_ADDRESS);
  CHECK_TRUE("UnmapViewOfFile", UnmapViewOfFile(view));
  EXPECT_ERROR("UnmapViewOfFile again", UnmapViewOfFile(view), FALSE, ERROR_INVALID_ADDRESS);
  CloseHandle(mapping);

  /* ---- files ---- */
  EXPECT_ERROR("CreateFile of a missing file", CreateFileA("C:\\no-such-file.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE, ERROR_FILE_NOT_FOUND);
  EXPECT_ERROR("CreateFile in a missing folder", CreateFileA("C:\\no-such-folder\\x.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE, ERROR_PATH_NOT_FOUND);
  EXPECT_ERROR("CreateFile(CREATE_NEW) of an existing file", CreateFileA("C:\\data.bin", GENERIC_READ, 0, NULL, CREATE_NEW, 0, NULL), INVALID_HANDLE_VALUE, ERROR_FILE_EXISTS);
  SetLastError(UNTOUCHED);
  HANDLE file = CreateFileA("C:\\data.bin", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  CHECK_TRUE("CreateFile(OPEN_EXISTING)", file != INVALID_HANDLE_VALUE);
  CHECK_EQ("  success sets ERROR_SUCCESS", GetLastError(), ERROR_SUCCESS);
  SetLastError(UNTOUCHED);
  HANDLE always = CreateFileA("C:\\data.bin", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_ALWAYS, 0, NULL);
  CHECK_EQ("CreateFile(OPEN_ALWAYS) of an existing file: ERROR_ALREADY_EXISTS", GetLastError(), ERROR_ALREADY_EXISTS);
  CloseHandle(always);
  char byte;
  DWORD done = 1;
  EXPECT_ERROR("WriteFile to a file opened for reading", WriteFile(file, "x", 1, &done, NULL), FALSE, ERROR_ACCESS_DENIED);
  EXPECT_ERROR("ReadFile into NULL", ReadFile(file, NULL, 1, &done, NULL), FALSE, ERROR_NOACCESS);
  EXPECT_ERROR("SetFilePointer before the start", SetFilePointer(file, -1, NULL, FILE_BEGIN), INVALID_SET_FILE_POINTER, ERROR_NEGATIVE_SEEK);
  EXPECT_ERROR("SetFilePointer with method 7", SetFilePointer(file, 0, NULL, 7), INVALID_SET_FILE_POINTER, ERROR_INVALID_PARAMETER);
  SetLastError(UNTOUCHED);
  CHECK_EQ("SetFilePointer to the end", SetFilePointer(file, 0, NULL, FILE_END), 8192);
  CHECK_EQ("  success leaves the last error", GetLastError(), UNTOUCHED);
  SetLastError(UNTOUCHED);
  CHECK_TRUE("ReadFile at the end", ReadFile(file, &byte, 1, &done, NULL));
  CHECK_EQ("  reads 0 bytes", done, 0);
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);
  /* A position whose low part is 0xFFFFFFFF: success is told from failure by NO_ERROR. */
  LONG high = 0;
  SetLastError(UNTOUCHED);
  CHECK_EQ("SetFilePointer to 0xFFFFFFFF", SetFilePointer(file, -1, &high, FILE_BEGIN), INVALID_SET_FILE_POINTER);
  CHECK_EQ("  succeeds with NO_ERROR", GetLastError(), NO_ERROR);
  CHECK_EQ("  high part", high, 0);
  HANDLE big = CreateFileA("C:\\big.bin", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  high = 0;
  SetFilePointer(big, -1, &high, FILE_BEGIN);
  CHECK_TRUE("SetEndOfFile at 4 GiB - 1", SetEndOfFile(big));
  SetLastError(UNTOUCHED);
  CHECK_EQ("GetFileSize of a 0xFFFFFFFF-byte file", GetFileSize(big, NULL), INVALID_FILE_SIZE);
  CHECK_EQ("  succeeds with NO_ERROR", GetLastError(), NO_ERROR);
  CloseHandle(big);
  EXPECT_ERROR("GetFileSize of a bad handle", GetFileSize((HANDLE)0x1230, NULL), INVALID_FILE_SIZE, ERROR_INVALID_HANDLE);
  SetLastError(UNTOUCHED);
  CHECK_EQ("GetFileSize", GetFileSize(file, NULL), 8192);
  CHECK_EQ("  success leaves the last error", GetLastError(), UNTOUCHED);
  HANDLE empty = CreateFileA("C:\\empty.bin", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  EXPECT_ERROR("CreateFileMapping of an empty file", CreateFileMappingA(empty, NULL, PAGE_READONLY, 0, 0, NULL), NULL, ERROR_FILE_INVALID);
  CloseHandle(empty);
  CHECK_TRUE("CloseHandle", CloseHandle(file));
  EXPECT_ERROR("CloseHandle of a closed handle", CloseHandle(file), FALSE, ERROR_INVALID_HANDLE);

  /* ---- RtlNtStatusToDosError for the statuses the file services also return ---- */
  CHECK_EQ("STATUS_DISK_FULL", RtlNtStatusToDosError((NTSTATUS)0xC000007F), 112);            /* ERROR_DISK_FULL */
  CHECK_EQ("STATUS_UNEXPECTED_IO_ERROR", RtlNtStatusToDosError((NTSTATUS)0xC00000E9), 59);   /* ERROR_UNEXP_NET_ERR */
  CHECK_EQ("STATUS_NOT_A_DIRECTORY", RtlNtStatusToDosError((NTSTATUS)0xC0000103), 267);      /* ERROR_DIRECTORY */
  CHECK_EQ("STATUS_UNSUCCESSFUL", RtlNtStatusToDosError((NTSTATUS)0xC0000001), 31);          /* ERROR_GEN_FAILURE */
  CHECK_EQ("STATUS_NOT_IMPLEMENTED", RtlNtStatusToDosError((NTSTATUS)0xC0000002), 1);        /* ERROR_INVALID_FUNCTION */
  return CHECK_DONE();
}
