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
  DWORD before = GetTickCount();
  LARGE_INTEGER frequency, counter_before, counter_after;
  FILETIME time_before, time_after;
  QueryPerformanceCounter(&counter_before);
  GetSystemTimeAsFileTime(&time_before);
  Sleep(0);
  Sleep(5000);
  DWORD after = GetTickCount();
  ULONGLONG after64 = GetTickCount64();
  QueryPerformanceCounter(&counter_after);
  GetSystemTimeAsFileTime(&time_after);
  /* Sleep moved the kernel's clock ahead by 5 s at once: the bound above allows the host's own time between the reads. */
  CHECK_TRUE("GetTickCount advanced by at least the 5000 ms slept", after - before >= 5000);
  CHECK_TRUE("  and not by much more", after - before < 5000 + 20000);
  CHECK_EQ("GetTickCount is GetTickCount64's low half", after, (DWORD)after64);
  CHECK_TRUE("QueryPerformanceFrequency", QueryPerformanceFrequency(&frequency));
  CHECK_TRUE("  is 10 MHz", frequency.QuadPart == 10000000);
  CHECK_TRUE("QueryPerformanceCounter advanced by at least 5 s of counts", counter_after.QuadPart - counter_before.QuadPart >= 5 * frequency.QuadPart);
  ULONGLONG file_before = ((ULONGLONG)time_before.dwHighDateTime << 32) | time_before.dwLowDateTime;
  ULONGLONG file_after = ((ULONGLONG)time_after.dwHighDateTime << 32) | time_after.dwLowDateTime;
  CHECK_TRUE("GetSystemTimeAsFileTime is after 2020 (100 ns units since 1601)", file_before > 132223104000000000ULL);
  CHECK_TRUE("GetSystemTimeAsFileTime advanced by at least 5 s", file_after - file_before >= 50000000ULL);
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
  CHECK_TRUE("WriteConsoleA to the output handle", WriteConsoleA(out, "via WriteConsoleA\n", 18, &written, NULL));
  CHECK_EQ("  all characters written", written, 18);
  SetLastError(0xdeadbeef);
  CHECK_TRUE("WriteConsoleA to a handle that is no console fails", !WriteConsoleA((HANDLE)0x1230, "x", 1, &written, NULL));
  CHECK_EQ("  ERROR_INVALID_HANDLE", GetLastError(), ERROR_INVALID_HANDLE);
  DWORD pid = GetCurrentProcessId(), tid = GetCurrentThreadId();
  CHECK_TRUE("process and thread ids: nonzero multiples of 4, distinct", pid && tid && pid % 4 == 0 && tid % 4 == 0 && pid != tid);
  CHECK_EQ("GetCurrentThread is the pseudo-handle -2", GetCurrentThread(), (HANDLE)-2);
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
