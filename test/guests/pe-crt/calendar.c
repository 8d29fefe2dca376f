/* msvcrt's calendar functions (32-bit time_t) on dates whose answers are
   first-principles arithmetic: 0 is Thursday 1970-01-01; 951782400 =
   11016 days is Tuesday 2000-02-29, day 60 of a leap year; mktime
   normalizes 2000-02-30 to 2000-03-01. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"

int main(void) {
  time_t epoch = 0, leap_day = 951782400;
  struct tm *tm = gmtime(&epoch);
  CHECK_TRUE("gmtime(0)", tm && tm->tm_year == 70 && tm->tm_mon == 0 && tm->tm_mday == 1 && tm->tm_wday == 4 && tm->tm_yday == 0);
  tm = gmtime(&leap_day);
  CHECK_TRUE("gmtime(951782400)", tm && tm->tm_year == 100 && tm->tm_mon == 1 && tm->tm_mday == 29 && tm->tm_hour == 0);
  char text[64];
  CHECK_EQ("strftime's length", strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %a %b %j %A %B %p", tm), 51);
  CHECK_TRUE("strftime", strcmp(text, "2000-02-29 00:00:00 Tue Feb 060 Tuesday February AM") == 0);
  CHECK_EQ("strftime into too small a buffer", strftime(text, 5, "%Y-%m", tm), 0);
  struct tm overflow = { 0, 0, 12, 30, 1, 100, 0, 0, 0 };
  CHECK_EQ("mktime", mktime(&overflow), 951782400 + 86400 + 12 * 3600);
  CHECK_TRUE("mktime normalizes", overflow.tm_mon == 2 && overflow.tm_mday == 1 && overflow.tm_wday == 3);
  CHECK_EQ("atol", atol("  -123456789x"), -123456789);
  CHECK_TRUE("clock counts up from the start", clock() >= 0);
  return CHECK_DONE();
}
