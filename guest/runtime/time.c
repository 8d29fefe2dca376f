/* kernel32's time functions over the kernel's clock: Sleep enters the
   kernel; the readers read KUSER_SHARED_DATA, which the kernel brings up to
   date whenever it returns to user mode, as Windows' readers do without a
   system call. */
#include <windows.h>
#include <ntdll.h>
#include <ntddk.h>

/* The performance counter counts InterruptTime's 100 ns units: 10 MHz, the
   frequency Windows 10 reports on most machines. */
#define PERFORMANCE_FREQUENCY 10000000

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

/* As Windows 10's GetTickCount64: the TickCount KSYSTEM_TIME (15.625 ms
   ticks) times TickCountMultiplier (ms per tick << 24), >> 24, the low and
   high halves multiplied separately as kernel32 does. */
ULONGLONG WINAPI GetTickCount64(void) {
  const KUSER_SHARED_DATA *shared = USER_SHARED_DATA;
  ULONGLONG ticks = MmsReadSystemTime(&shared->TickCount);
  ULONGLONG multiplier = shared->TickCountMultiplier;
  return (((ticks & 0xFFFFFFFFu) * multiplier) >> 24) + (((ticks >> 32) * multiplier) << 8);
}

/* The low 32 bits: wraps after 49.7 days, as documented. */
DWORD WINAPI GetTickCount(void) { return (DWORD)GetTickCount64(); }

BOOL WINAPI QueryPerformanceFrequency(LARGE_INTEGER *frequency) {
  frequency->QuadPart = PERFORMANCE_FREQUENCY;
  return TRUE;
}

BOOL WINAPI QueryPerformanceCounter(LARGE_INTEGER *count) {
  count->QuadPart = (LONGLONG)MmsReadSystemTime(&USER_SHARED_DATA->InterruptTime);
  return TRUE;
}

void WINAPI GetSystemTimeAsFileTime(LPFILETIME time) {
  ULONGLONG now = MmsReadSystemTime(&USER_SHARED_DATA->SystemTime);
  time->dwLowDateTime = (DWORD)now;
  time->dwHighDateTime = (DWORD)(now >> 32);
}
