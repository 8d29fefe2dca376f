/* Sections and views against their Windows contract.
     sections pagefile   two views of a page-file-backed section, FILE_MAP_COPY, names, errors
     sections file       a file-backed section over C:\data.bin (the test writes 3 pages of
                         known bytes there first): reading, writing, flushing, errors */
#include <windows.h>
#include <string.h>
#include "check.h"

#define PAGE 4096

static int page_file_backed(void) {
  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x20000, "mms-shared");
  CHECK_TRUE("CreateFileMapping (page file)", section != NULL);
  CHECK_EQ("a new name", GetLastError(), ERROR_SUCCESS);
  char *a = MapViewOfFile(section, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  char *b = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0x2000);
  CHECK_TRUE("two views", a && b && a != b);
  CHECK_EQ("views start on 64 KiB boundaries", ((ULONG_PTR)a | (ULONG_PTR)b) & 0xffff, 0);
  CHECK_EQ("demand-zero", a[100], 0);
  a[100] = 42;
  CHECK_EQ("a write through one view shows in the other", b[100], 42);
  b[PAGE + 7] = 7;
  CHECK_EQ("and back", a[PAGE + 7], 7);

  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(a + PAGE, &mbi, sizeof mbi);
  CHECK_EQ("VirtualQuery: MEM_MAPPED", mbi.Type, MEM_MAPPED);
  CHECK_EQ("VirtualQuery: AllocationBase is the view", mbi.AllocationBase, a);
  CHECK_EQ("VirtualQuery: committed", mbi.State, MEM_COMMIT);
  CHECK_EQ("VirtualQuery: protection", mbi.Protect, PAGE_READWRITE);
  CHECK_EQ("VirtualFree on a view", VirtualFree(a, 0, MEM_RELEASE), FALSE);

  /* The same name opens the same section. */
  HANDLE again = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x20000, "mms-shared");
  CHECK_EQ("the name exists", GetLastError(), ERROR_ALREADY_EXISTS);
  HANDLE opened = OpenFileMappingA(FILE_MAP_READ, FALSE, "mms-shared");
  char *c = MapViewOfFile(opened, FILE_MAP_READ, 0, 0, 0);
  CHECK_EQ("OpenFileMapping finds the same pages", c[100], 42);
  CHECK_EQ("an unknown name", OpenFileMappingA(FILE_MAP_READ, FALSE, "mms-nothing"), NULL);
  CHECK_EQ("an unknown name: ERROR_FILE_NOT_FOUND", GetLastError(), ERROR_FILE_NOT_FOUND);

  /* FILE_MAP_COPY: reads the shared page, writes go to a private copy. */
  char *copy = MapViewOfFile(section, FILE_MAP_COPY, 0, 0, 0);
  CHECK_EQ("copy view reads the shared page", copy[100], 42);
  copy[100] = 99;
  CHECK_EQ("copy view sees its own write", copy[100], 99);
  CHECK_EQ("the other views do not", a[100], 42);
  a[200] = 5;
  CHECK_EQ("the copied page no longer follows the section", copy[200], 0);
  CHECK_EQ("an untouched page still does", (copy[PAGE + 7] == 7), 1);
  VirtualQuery(copy, &mbi, sizeof mbi);
  CHECK_EQ("copy view: the copied page is read/write", mbi.Protect, PAGE_READWRITE);
  VirtualQuery(copy + PAGE, &mbi, sizeof mbi);
  CHECK_EQ("copy view: the rest is write-copy", mbi.Protect, PAGE_WRITECOPY);

  /* Unmapping one view leaves the others intact. */
  CHECK_TRUE("UnmapViewOfFile", UnmapViewOfFile(a));
  CHECK_EQ("the other view still reads", b[100], 42);
  VirtualQuery(a, &mbi, sizeof mbi);
  CHECK_EQ("the unmapped range is free", mbi.State, MEM_FREE);
  CHECK_EQ("unmapping twice", UnmapViewOfFile(a), FALSE);
  CHECK_EQ("unmapping twice: ERROR_INVALID_ADDRESS", GetLastError(), ERROR_INVALID_ADDRESS);

  /* Misuse. */
  CHECK_EQ("offset not on 64 KiB", MapViewOfFile(section, FILE_MAP_READ, 0, 0x1000, 0), NULL);
  CHECK_EQ("offset not on 64 KiB: ERROR_MAPPED_ALIGNMENT", GetLastError(), ERROR_MAPPED_ALIGNMENT);
  CHECK_EQ("past the end", MapViewOfFile(section, FILE_MAP_READ, 0, 0x10000, 0x20000), NULL);
  CHECK_EQ("past the end: ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  HANDLE readonly = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READONLY, 0, PAGE, NULL);
  CHECK_EQ("a write view of a read-only section", MapViewOfFile(readonly, FILE_MAP_WRITE, 0, 0, 0), NULL);
  CHECK_EQ("a bad handle", MapViewOfFile((HANDLE)0x1234, FILE_MAP_READ, 0, 0, 0), NULL);
  CHECK_EQ("a bad handle: ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);
  CHECK_EQ("no size for a page-file section", CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL), NULL);
  CHECK_EQ("no size: ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  CHECK_TRUE("CloseHandle", CloseHandle(readonly));
  CHECK_EQ("CloseHandle twice", CloseHandle(readonly), FALSE);
  CHECK_EQ("CloseHandle twice: ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);

  /* SEC_RESERVE: commit inside a view, then it is there in every view. */
  HANDLE reserved = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 0x10000, NULL);
  char *r1 = MapViewOfFile(reserved, FILE_MAP_WRITE, 0, 0, 0), *r2 = MapViewOfFile(reserved, FILE_MAP_WRITE, 0, 0, 0);
  VirtualQuery(r1, &mbi, sizeof mbi);
  CHECK_EQ("SEC_RESERVE view: reserved", mbi.State, MEM_RESERVE);
  CHECK_TRUE("commit in the view", VirtualAlloc(r1, PAGE, MEM_COMMIT, PAGE_READWRITE) == r1);
  r1[1] = 3;
  CHECK_EQ("committed in the other view too", r2[1], 3);
  CloseHandle(section);
  CloseHandle(again);
  CloseHandle(opened);
  CHECK_EQ("views outlive their handles", b[100], 42);
  return CHECK_DONE();
}

static int file_backed(void) {
  HANDLE file = CreateFileA("C:\\data.bin", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  CHECK_TRUE("CreateFileA", file != INVALID_HANDLE_VALUE);
  CHECK_EQ("GetFileSize", GetFileSize(file, NULL), 3 * PAGE);
  HANDLE section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
  CHECK_TRUE("CreateFileMapping (file)", section != NULL);
  unsigned char *view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  CHECK_TRUE("MapViewOfFile", view != NULL);
  int same = 1;
  for (int i = 0; i < 3 * PAGE; i++) same &= view[i] == (unsigned char)(i * 7 + 1);
  CHECK_TRUE("the view shows the file's bytes", same);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(view, &mbi, sizeof mbi);
  CHECK_EQ("VirtualQuery: MEM_MAPPED", mbi.Type, MEM_MAPPED);
  CHECK_EQ("VirtualQuery: the section's size", mbi.RegionSize, 3 * PAGE);

  /* Writing through the view and flushing changes the file. */
  view[PAGE + 5] = 0xAB;
  CHECK_TRUE("FlushViewOfFile", FlushViewOfFile(view, 0));
  unsigned char byte = 0;
  DWORD got = 0;
  SetFilePointer(file, PAGE + 5, NULL, FILE_BEGIN);
  ReadFile(file, &byte, 1, &got, NULL);
  CHECK_EQ("ReadFile sees the flushed byte", byte, 0xAB);

  /* File I/O and the view agree, as on Windows (they share the pages). */
  unsigned char fresh = 0x5C;
  SetFilePointer(file, 2 * PAGE + 9, NULL, FILE_BEGIN);
  WriteFile(file, &fresh, 1, &got, NULL);
  CHECK_EQ("WriteFile shows in the view at once", view[2 * PAGE + 9], 0x5C);
  view[PAGE + 100] = 0x77;
  SetFilePointer(file, PAGE + 100, NULL, FILE_BEGIN);
  ReadFile(file, &byte, 1, &got, NULL);
  CHECK_EQ("ReadFile sees a view's write before any flush", byte, 0x77);

  /* A copy-on-write view of the file does not write it. */
  unsigned char *copy = MapViewOfFile(section, FILE_MAP_COPY, 0, 0, 0);
  copy[10] = 0xEE;
  FlushViewOfFile(copy, 0);
  SetFilePointer(file, 10, NULL, FILE_BEGIN);
  ReadFile(file, &byte, 1, &got, NULL);
  CHECK_EQ("the copy's write stays private", byte, (unsigned char)(10 * 7 + 1));

  /* A write left in a view reaches the file when the last view goes. */
  view[2 * PAGE] = 0xCD;
  UnmapViewOfFile(copy);
  UnmapViewOfFile(view);
  SetFilePointer(file, 2 * PAGE, NULL, FILE_BEGIN);
  ReadFile(file, &byte, 1, &got, NULL);
  CHECK_EQ("unmapping the last view writes the page", byte, 0xCD);

  /* Errors. */
  CHECK_EQ("a view past the end of the file", MapViewOfFile(section, FILE_MAP_READ, 0, 0x10000, 0), NULL);
  HANDLE reader = CreateFileA("C:\\data.bin", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
  CHECK_EQ("read-only file, writable mapping", CreateFileMappingA(reader, NULL, PAGE_READWRITE, 0, 0, NULL), NULL);
  CHECK_EQ("read-only file, writable mapping: ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  CHECK_EQ("read-only file, larger section", CreateFileMappingA(reader, NULL, PAGE_READONLY, 0, 8 * PAGE, NULL), NULL);
  HANDLE read_section = CreateFileMappingA(reader, NULL, PAGE_READONLY, 0, 0, NULL);
  CHECK_TRUE("read-only file, read-only mapping", read_section != NULL);
  CHECK_EQ("a write view of it", MapViewOfFile(read_section, FILE_MAP_WRITE, 0, 0, 0), NULL);
  unsigned char *read_view = MapViewOfFile(read_section, FILE_MAP_READ, 0, 0, 0);
  CHECK_EQ("it shares the pages of the first section", read_view[PAGE + 5], 0xAB);
  HANDLE grown = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 5 * PAGE, NULL);
  CHECK_TRUE("a writable section larger than the file", grown != NULL);
  CHECK_EQ("extends the file", GetFileSize(file, NULL), 5 * PAGE);
  HANDLE empty = CreateFileA("C:\\empty.bin", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  CHECK_EQ("an empty file", CreateFileMappingA(empty, NULL, PAGE_READWRITE, 0, 0, NULL), NULL);
  CHECK_EQ("an empty file: ERROR_FILE_INVALID", GetLastError(), ERROR_FILE_INVALID);
  CHECK_EQ("a section handle is not a file", CreateFileMappingA(grown, NULL, PAGE_READONLY, 0, 0, NULL), NULL);
  CHECK_EQ("a section handle is not a file: ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);
  return CHECK_DONE();
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "pagefile";
  if (!strcmp(mode, "pagefile")) return page_file_backed();
  if (!strcmp(mode, "file")) return file_backed();
  return 2;
}
