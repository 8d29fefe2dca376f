/* Sleep, GetStdHandle and GetSystemInfo as a Win32 program uses them. With
   the argument "forever" the program sleeps with INFINITE instead. */
#include <windows.h>
#include <ntdll.h>
#include <string.h>
#include "check.h"

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "forever")) {
    Sleep(INFINITE);
    return 99;   /* never reached: nothing can wake the only thread */
  }
  Sleep(0);
  Sleep(5000);
  CHECK_EQ("SleepEx returns 0", SleepEx(10, TRUE), 0);
  LARGE_INTEGER past;
  past.QuadPart = 1;   /* an absolute time in 1601: already over */
  CHECK_EQ("NtDelayExecution until a time already past", NtDelayExecution(FALSE, &past), STATUS_SUCCESS);
  CHECK_EQ("NtDelayExecution with an unreadable interval", NtDelayExecution(FALSE, (PLARGE_INTEGER)0x80000000), STATUS_ACCESS_VIOLATION);

  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  DWORD written = 0;
  CHECK_TRUE("WriteFile to GetStdHandle(STD_OUTPUT_HANDLE)", WriteFile(out, "via the std handle\n", 19, &written, NULL));
  CHECK_EQ("  all bytes written", written, 19);
  CHECK_TRUE("WriteFile to GetStdHandle(STD_ERROR_HANDLE)", WriteFile(GetStdHandle(STD_ERROR_HANDLE), "to stderr\n", 10, &written, NULL));
  CHECK_TRUE("three distinct handles", GetStdHandle(STD_INPUT_HANDLE) != out && GetStdHandle(STD_ERROR_HANDLE) != out);
  SetLastError(0xdeadbeef);
  CHECK_EQ("GetStdHandle(42)", GetStdHandle(42), INVALID_HANDLE_VALUE);
  CHECK_EQ("  ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);

  SYSTEM_INFO info, native;
  memset(&info, 0xcc, sizeof info);
  GetSystemInfo(&info);
  CHECK_EQ("dwPageSize", info.dwPageSize, 4096);
  CHECK_EQ("dwAllocationGranularity", info.dwAllocationGranularity, 65536);
  CHECK_EQ("lpMinimumApplicationAddress", info.lpMinimumApplicationAddress, 0x10000);
  CHECK_EQ("lpMaximumApplicationAddress", info.lpMaximumApplicationAddress, 0x7FFEFFFF);
  CHECK_EQ("dwNumberOfProcessors", info.dwNumberOfProcessors, 1);
  CHECK_EQ("dwActiveProcessorMask", info.dwActiveProcessorMask, 1);
  CHECK_EQ("wProcessorArchitecture", info.u.s.wProcessorArchitecture, PROCESSOR_ARCHITECTURE_INTEL);
  GetNativeSystemInfo(&native);
  CHECK_TRUE("GetNativeSystemInfo is the same on x86", !memcmp(&info, &native, sizeof info));
  /* The highest allocation GetSystemInfo promises works, and the next page does not. */
  void *top = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_NOACCESS);
  CHECK_TRUE("a top-down reservation ends at or below lpMaximumApplicationAddress",
             top && (ULONG_PTR)top + 0xffff <= (ULONG_PTR)info.lpMaximumApplicationAddress);
  return CHECK_DONE();
}
