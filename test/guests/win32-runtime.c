/* kernel32 functions that a mingw-w64 program's start-up code and runtime
   call, checked against Windows' documented results: critical sections
   (RTL_CRITICAL_SECTION's LockCount -1 free / 0 held, RecursionCount,
   OwningThread the thread id), TLS slots, the Windows-1252 and UTF-8
   conversions, GetStartupInfoA, and exit running atexit functions in
   reverse order. Win32 and C only: it builds with the SDK and with stock
   mingw-w64. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static void first_registered(void) { printf("atexit: registered first, runs last\n"); }
static void second_registered(void) { printf("atexit: registered second, runs first\n"); }

int main(void) {
  CRITICAL_SECTION section;
  InitializeCriticalSection(&section);
  CHECK_EQ("a new section is free (LockCount -1)", section.LockCount, -1);
  EnterCriticalSection(&section);
  CHECK_EQ("held: LockCount 0", section.LockCount, 0);
  CHECK_EQ("RecursionCount 1", section.RecursionCount, 1);
  CHECK_EQ("OwningThread is the thread id", (DWORD)(ULONG_PTR)section.OwningThread, GetCurrentThreadId());
  CHECK_TRUE("the owner enters again", TryEnterCriticalSection(&section));
  CHECK_EQ("RecursionCount 2", section.RecursionCount, 2);
  LeaveCriticalSection(&section);
  LeaveCriticalSection(&section);
  CHECK_EQ("left twice: free again", section.LockCount, -1);
  CHECK_EQ("no owner", section.OwningThread, NULL);
  DeleteCriticalSection(&section);

  DWORD a = TlsAlloc(), b = TlsAlloc();
  CHECK_TRUE("TlsAlloc gives two indexes below 64", a < 64 && b < 64 && a != b);
  SetLastError(12345);
  CHECK_EQ("a fresh slot holds NULL", TlsGetValue(a), NULL);
  CHECK_EQ("TlsGetValue sets ERROR_SUCCESS", GetLastError(), ERROR_SUCCESS);
  CHECK_TRUE("TlsSetValue", TlsSetValue(a, &section));
  CHECK_EQ("TlsGetValue", TlsGetValue(a), &section);
  CHECK_EQ("the other slot is untouched", TlsGetValue(b), NULL);
  CHECK_TRUE("TlsFree", TlsFree(a) && TlsFree(b));
  CHECK_EQ("TlsGetValue(64)", TlsGetValue(64), NULL);
  CHECK_EQ("TlsGetValue(64): ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);

  CHECK_EQ("GetACP is Windows-1252", GetACP(), 1252);
  CHECK_TRUE("no lead bytes in 1252", !IsDBCSLeadByteEx(CP_ACP, 0x81));
  WCHAR wide[8];
  /* "\xe2\x82\xac" is U+20AC, "\xf0\x9f\x98\x80" is U+1F600 (a surrogate pair D83D DE00). */
  CHECK_EQ("UTF-8 to UTF-16: size asked", MultiByteToWideChar(CP_UTF8, 0, "A\xe2\x82\xac\xf0\x9f\x98\x80", -1, NULL, 0), 5);
  CHECK_EQ("UTF-8 to UTF-16", MultiByteToWideChar(CP_UTF8, 0, "A\xe2\x82\xac\xf0\x9f\x98\x80", -1, wide, 8), 5);
  CHECK_TRUE("the characters", wide[0] == 'A' && wide[1] == 0x20AC && wide[2] == 0xD83D && wide[3] == 0xDE00 && wide[4] == 0);
  CHECK_EQ("a short buffer", MultiByteToWideChar(CP_UTF8, 0, "abc", 3, wide, 2), 0);
  CHECK_EQ("ERROR_INSUFFICIENT_BUFFER", GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  CHECK_EQ("1252's 0x80 is the euro sign", (MultiByteToWideChar(CP_ACP, 0, "\x80", 1, wide, 8), wide[0]), 0x20AC);
  char narrow[8];
  BOOL defaulted = FALSE;
  WCHAR unmapped[] = { 0x20AC, 0x4E2D, 0 };
  CHECK_EQ("UTF-16 to 1252", WideCharToMultiByte(CP_ACP, 0, unmapped, -1, narrow, 8, NULL, &defaulted), 3);
  CHECK_TRUE("the euro is 0x80, U+4E2D the default '?'", (unsigned char)narrow[0] == 0x80 && narrow[1] == '?' && narrow[2] == 0);
  CHECK_TRUE("lpUsedDefaultChar set", defaulted);
  CHECK_EQ("UTF-16 to UTF-8", WideCharToMultiByte(CP_UTF8, 0, unmapped, 2, narrow, 8, NULL, NULL), 6);
  CHECK_TRUE("the bytes", memcmp(narrow, "\xe2\x82\xac\xe4\xb8\xad", 6) == 0);

  STARTUPINFOA startup;
  GetStartupInfoA(&startup);
  CHECK_EQ("STARTUPINFOA.cb", startup.cb, sizeof startup);
  CHECK_EQ("sizeof STARTUPINFOA (x86)", sizeof startup, 68);

  CHECK_EQ("atexit", atexit(first_registered), 0);
  CHECK_EQ("atexit again", atexit(second_registered), 0);
  return CHECK_DONE();
}
