/* time() as msvcrt.dll has it on i386: seconds since 1970-01-01 UTC as a
   32-bit time_t (time, _time32) and a 64-bit one (_time64), from the
   system time (GetSystemTimeAsFileTime: 100 ns units since 1601). */
#include <windows.h>

#define FILETIME_UNIX_EPOCH 116444736000000000ULL   /* 1970-01-01 in FILETIME units */

long long _time64(long long *result) {
  FILETIME now;
  GetSystemTimeAsFileTime(&now);
  long long seconds = (long long)(((ULONGLONG)now.dwHighDateTime << 32 | now.dwLowDateTime) - FILETIME_UNIX_EPOCH) / 10000000;
  if (result) *result = seconds;
  return seconds;
}

long _time32(long *result) {
  long seconds = (long)_time64(NULL);
  if (result) *result = seconds;
  return seconds;
}

long time(long *result) { return _time32(result); }
