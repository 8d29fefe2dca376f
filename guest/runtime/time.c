/* kernel32's time functions over the kernel's clock. */
#include <windows.h>
#include <ntdll.h>

/* As kernel32's SleepEx: milliseconds to a relative interval in 100 ns units
   (negative), INFINITE to the most negative LARGE_INTEGER, which the kernel
   takes as "forever". Returns 0: with no APCs, WAIT_IO_COMPLETION cannot happen. */
DWORD WINAPI SleepEx(DWORD milliseconds, BOOL alertable) {
  LARGE_INTEGER interval;
  interval.QuadPart = milliseconds == INFINITE ? (LONGLONG)(1ULL << 63) : -(LONGLONG)milliseconds * 10000;
  NtDelayExecution((BOOLEAN)(alertable != 0), &interval);
  return 0;
}

void WINAPI Sleep(DWORD milliseconds) { SleepEx(milliseconds, FALSE); }
