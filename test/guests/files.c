/* Files through kernel32: create, write, read back, seek, size, truncate, the dispositions and their errors. */
#include <windows.h>
#include <string.h>
#include "check.h"

int main(void) {
  HANDLE file = CreateFileA("C:\\notes.txt", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  CHECK_TRUE("CREATE_NEW", file != INVALID_HANDLE_VALUE);
  DWORD done = 0;
  CHECK_TRUE("WriteFile", WriteFile(file, "hello, file", 11, &done, NULL));
  CHECK_EQ("bytes written", done, 11);
  CHECK_EQ("GetFileSize", GetFileSize(file, NULL), 11);
  CHECK_EQ("SetFilePointer to 7", SetFilePointer(file, 7, NULL, FILE_BEGIN), 7);
  char buffer[32] = { 0 };
  CHECK_TRUE("ReadFile", ReadFile(file, buffer, sizeof buffer, &done, NULL));
  CHECK_EQ("bytes read", done, 4);
  CHECK_TRUE("the bytes", !memcmp(buffer, "file", 4));
  CHECK_TRUE("ReadFile at the end", ReadFile(file, buffer, sizeof buffer, &done, NULL));
  CHECK_EQ("reads 0 bytes at the end", done, 0);
  CHECK_EQ("FILE_END", SetFilePointer(file, -4, NULL, FILE_END), 7);
  CHECK_EQ("FILE_CURRENT", SetFilePointer(file, -2, NULL, FILE_CURRENT), 5);
  CHECK_TRUE("SetEndOfFile", SetEndOfFile(file));
  CHECK_EQ("truncated", GetFileSize(file, NULL), 5);
  CHECK_TRUE("CloseHandle", CloseHandle(file));
  CHECK_EQ("CREATE_NEW on an existing file", CreateFileA("C:\\notes.txt", GENERIC_WRITE, 0, NULL, CREATE_NEW, 0, NULL), INVALID_HANDLE_VALUE);
  CHECK_EQ("CREATE_NEW on an existing file: ERROR_FILE_EXISTS", GetLastError(), ERROR_FILE_EXISTS);
  CHECK_EQ("OPEN_EXISTING on a missing file", CreateFileA("C:\\missing.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE);
  CHECK_EQ("OPEN_EXISTING on a missing file: ERROR_FILE_NOT_FOUND", GetLastError(), ERROR_FILE_NOT_FOUND);
  CHECK_EQ("a missing folder", CreateFileA("C:\\no-such-dir\\x.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE);
  CHECK_EQ("a missing folder: ERROR_PATH_NOT_FOUND", GetLastError(), ERROR_PATH_NOT_FOUND);
  HANDLE again = CreateFileA("notes.txt", GENERIC_READ, 0, NULL, OPEN_ALWAYS, 0, NULL);
  CHECK_EQ("OPEN_ALWAYS on an existing file: ERROR_ALREADY_EXISTS", GetLastError(), ERROR_ALREADY_EXISTS);
  CHECK_EQ("read-only handle: WriteFile fails", WriteFile(again, "x", 1, &done, NULL), FALSE);
  CHECK_EQ("read-only handle: ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  CHECK_TRUE("read-only handle reads", ReadFile(again, buffer, 5, &done, NULL) && done == 5 && !memcmp(buffer, "hello", 5));
  HANDLE fresh = CreateFileA("C:\\fresh.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  CHECK_EQ("CREATE_ALWAYS on a new file: no error", GetLastError(), ERROR_SUCCESS);
  CloseHandle(fresh);
  CHECK_EQ("ReadFile on a bad handle", ReadFile((HANDLE)0x400, buffer, 1, &done, NULL), FALSE);
  CHECK_EQ("ReadFile on a bad handle: ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);
  CHECK_EQ("a folder is not a file", CreateFileA("C:\\sub", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL), INVALID_HANDLE_VALUE);
  return CHECK_DONE();
}
