/* CreateFileA's dwShareMode between two opens of one file, with the answers of
   the table in MSDN's "Creating and Opening Files": a second open is refused
   with ERROR_SHARING_VIOLATION (32) when it asks for an access an open handle
   does not share, or shares less than an open handle uses; an open that asks
   for no data access is not checked; closing the handle lifts it; a refused
   CREATE_ALWAYS leaves the file as it was. */
#include <windows.h>
#include <string.h>
#include "check.h"

static HANDLE open_file(DWORD access, DWORD share, DWORD disposition) {
  return CreateFileA("C:\\shared.txt", access, share, NULL, disposition, FILE_ATTRIBUTE_NORMAL, NULL);
}

#define CHECK_REFUSED(name, handle) do { HANDLE h_ = (handle); CHECK_EQ(name, h_, INVALID_HANDLE_VALUE); \
    CHECK_EQ(name ": ERROR_SHARING_VIOLATION", GetLastError(), ERROR_SHARING_VIOLATION); if (h_ != INVALID_HANDLE_VALUE) CloseHandle(h_); } while (0)

int main(void) {
  HANDLE writer = open_file(GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, CREATE_ALWAYS);
  DWORD done = 0;
  CHECK_TRUE("create, sharing read only", writer != INVALID_HANDLE_VALUE && WriteFile(writer, "twelve bytes", 12, &done, NULL));
  HANDLE reader = open_file(GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING);
  CHECK_TRUE("a reader that shares write beside a writer that shares read", reader != INVALID_HANDLE_VALUE);
  CHECK_REFUSED("a reader that does not share write, beside a writer", open_file(GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING));
  CHECK_REFUSED("a second writer: the first shares read only", open_file(GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING));
  CHECK_REFUSED("CREATE_ALWAYS over it", open_file(GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, CREATE_ALWAYS));
  CHECK_EQ("the refused CREATE_ALWAYS truncated nothing", GetFileSize(writer, NULL), 12);
  HANDLE query = open_file(0, 0, OPEN_EXISTING);
  CHECK_TRUE("no data access: not checked", query != INVALID_HANDLE_VALUE);
  CloseHandle(query);
  CloseHandle(reader);
  CloseHandle(writer);
  HANDLE exclusive = open_file(GENERIC_READ, 0, OPEN_EXISTING);
  CHECK_TRUE("exclusive once the others closed", exclusive != INVALID_HANDLE_VALUE);
  CHECK_REFUSED("a reader beside an exclusive one", open_file(GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, OPEN_EXISTING));
  CloseHandle(exclusive);
  HANDLE again = open_file(GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING);
  CHECK_TRUE("after the close, exclusive again", again != INVALID_HANDLE_VALUE);
  CloseHandle(again);
  return CHECK_DONE();
}
