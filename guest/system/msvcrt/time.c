/* Time as msvcrt.dll has it on i386: time_t is 32 bits (time, _time32,
   gmtime, localtime, mktime) with 64-bit variants (_time64); the calendar
   is the proleptic Gregorian one in UTC (the machine has no time zone, so
   localtime is gmtime and tm_isdst 0); strftime prints the "C" locale's
   names. clock() counts milliseconds (CLOCKS_PER_SEC 1000) since the
   process started: mmscope boots one machine per process, so that is the
   interrupt time (KUSER_SHARED_DATA, QueryPerformanceCounter's 10 MHz). */
#include <windows.h>
#include <stddef.h>

#define FILETIME_UNIX_EPOCH 116444736000000000ULL   /* 1970-01-01 in FILETIME units */
#define SECONDS_PER_DAY 86400

struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst; };

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

long clock(void) {
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return (long)(now.QuadPart / 10000);
}

static int leap(long long year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

/* Days from 1970-01-01 to year-month-day (month 0-11), after Howard Hinnant's days_from_civil. */
static long long days_from_civil(long long year, int month, int day) {
  year -= month < 2;
  long long era = (year >= 0 ? year : year - 399) / 400;
  long long year_of_era = year - era * 400;
  long long day_of_year = (153 * (month + (month < 2 ? 10 : -2)) + 2) / 5 + day - 1;
  long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

static struct tm broken_down;

/* msvcrt refuses times before 1970 and after 3000-12-31 23:59:59 (NULL): so does this. */
#define LAST_SECOND 32535215999LL

static struct tm *to_calendar(long long seconds) {
  if (seconds < 0 || seconds > LAST_SECOND) return NULL;
  long long days = seconds / SECONDS_PER_DAY;
  long remainder = (long)(seconds % SECONDS_PER_DAY);
  broken_down.tm_hour = remainder / 3600;
  broken_down.tm_min = remainder / 60 % 60;
  broken_down.tm_sec = remainder % 60;
  broken_down.tm_wday = (int)((days + 4) % 7);   /* 1970-01-01 was a Thursday */
  long long year = 1970;
  while (days >= 365 + leap(year)) days -= 365 + leap(year), year++;
  broken_down.tm_year = (int)(year - 1900);
  broken_down.tm_yday = (int)days;
  static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int month = 0;
  while (days >= month_days[month] + (month == 1 && leap(year))) days -= month_days[month] + (month == 1 && leap(year)), month++;
  broken_down.tm_mon = month;
  broken_down.tm_mday = (int)days + 1;
  broken_down.tm_isdst = 0;
  return &broken_down;
}

struct tm *_gmtime64(const long long *t) { return to_calendar(*t); }
struct tm *_gmtime32(const long *t) { return to_calendar(*t); }
struct tm *gmtime(const long *t) { return to_calendar(*t); }
struct tm *_localtime64(const long long *t) { return to_calendar(*t); }
struct tm *_localtime32(const long *t) { return to_calendar(*t); }
struct tm *localtime(const long *t) { return to_calendar(*t); }

/* The inverse of localtime, normalizing out-of-range fields as C99 7.23.2.3 asks. */
long long _mktime64(struct tm *tm) {
  long long months = (long long)tm->tm_year * 12 + tm->tm_mon;
  long long year = 1900 + (months >= 0 ? months / 12 : (months - 11) / 12);
  int month = (int)(months - (year - 1900) * 12);
  long long seconds = days_from_civil(year, month, 1) * SECONDS_PER_DAY
                    + (long long)(tm->tm_mday - 1) * SECONDS_PER_DAY + (long long)tm->tm_hour * 3600 + (long long)tm->tm_min * 60 + tm->tm_sec;
  if (seconds < 0 || !to_calendar(seconds)) return -1;
  *tm = broken_down;
  return seconds;
}

long _mktime32(struct tm *tm) { return (long)_mktime64(tm); }
long mktime(struct tm *tm) { return _mktime32(tm); }

static const char *const weekdays[7] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };
static const char *const months[12] = { "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December" };

typedef struct { char *out; size_t capacity, used; int overflow; } TEXT;

static void put(TEXT *text, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (text->used + 1 >= text->capacity) { text->overflow = 1; return; }
    text->out[text->used++] = s[i];
  }
}

static void put_string(TEXT *text, const char *s) { size_t n = 0; while (s[n]) n++; put(text, s, n); }

static void put_number(TEXT *text, long value, int width) {
  char digits[12];
  int n = 0;
  unsigned long magnitude = value < 0 ? 0ul - (unsigned long)value : (unsigned long)value;
  do { digits[n++] = (char)('0' + magnitude % 10); magnitude /= 10; } while (magnitude);
  while (n < width) digits[n++] = '0';
  if (value < 0) put(text, "-", 1);
  while (n) put(text, &digits[--n], 1);
}

static void put_field(TEXT *text, char conversion, const struct tm *tm);

static void put_format(TEXT *text, const char *format, const struct tm *tm) {
  for (const char *p = format; *p && !text->overflow; p++) {
    if (*p != '%') { put(text, p, 1); continue; }
    if (*++p == '#') p++;   /* msvcrt's "no leading zeros" flag: accepted, ignored */
    if (!*p) break;
    put_field(text, *p, tm);
  }
}

/* The conversions of the "C" locale, as msvcrt's strftime prints them. */
static void put_field(TEXT *text, char conversion, const struct tm *tm) {
  switch (conversion) {
    case 'a': put(text, weekdays[tm->tm_wday % 7], 3); break;
    case 'A': put_string(text, weekdays[tm->tm_wday % 7]); break;
    case 'b': case 'h': put(text, months[tm->tm_mon % 12], 3); break;
    case 'B': put_string(text, months[tm->tm_mon % 12]); break;
    case 'c': put_format(text, "%m/%d/%y %H:%M:%S", tm); break;
    case 'd': put_number(text, tm->tm_mday, 2); break;
    case 'H': put_number(text, tm->tm_hour, 2); break;
    case 'I': put_number(text, tm->tm_hour % 12 ? tm->tm_hour % 12 : 12, 2); break;
    case 'j': put_number(text, tm->tm_yday + 1, 3); break;
    case 'm': put_number(text, tm->tm_mon + 1, 2); break;
    case 'M': put_number(text, tm->tm_min, 2); break;
    case 'p': put_string(text, tm->tm_hour < 12 ? "AM" : "PM"); break;
    case 'S': put_number(text, tm->tm_sec, 2); break;
    case 'w': put_number(text, tm->tm_wday, 1); break;
    case 'x': put_format(text, "%m/%d/%y", tm); break;
    case 'X': put_format(text, "%H:%M:%S", tm); break;
    case 'y': put_number(text, (tm->tm_year + 1900) % 100, 2); break;
    case 'Y': put_number(text, tm->tm_year + 1900L, 1); break;
    case 'z': case 'Z': break;   /* no time zone */
    case '%': put(text, "%", 1); break;
    default: break;
  }
}

/* The characters written without the terminator, or 0 (and the buffer's contents undefined) when they do not fit. */
size_t strftime(char *buffer, size_t size, const char *format, const struct tm *tm) {
  TEXT text = { buffer, size, 0, 0 };
  if (size == 0) return 0;
  put_format(&text, format, tm);
  if (text.overflow) { buffer[0] = '\0'; return 0; }
  buffer[text.used] = '\0';
  return text.used;
}
