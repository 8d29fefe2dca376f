#include <stdlib.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <mmscope.h>
#include <string.h>

static int errno_value;
int *_errno(void) { return &errno_value; }

/* What the Microsoft C runtime's assert reports (assert.h). */
void _assert(const char *message, const char *file, unsigned line) {
  fprintf(stderr, "Assertion failed: %s, file %s, line %u\n", message, file, line);
  abort();
}

static int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

unsigned long strtoul(const char *text, char **end, int base) {
  const char *p = text;
  while (*p == ' ' || *p == '\t') p++;
  if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) { p += 2; base = 16; }
  if (base == 0) base = (p[0] == '0') ? 8 : 10;
  unsigned long value = 0;
  int overflow = 0;
  for (; digit_value(*p) < base; p++) {
    unsigned long digit = digit_value(*p);
    if (value > (ULONG_MAX - digit) / base) overflow = 1;
    value = value * base + digit;
  }
  if (end) *end = (char *)p;
  if (overflow) { errno = ERANGE; return ULONG_MAX; }   /* C99 7.20.1.4 */
  return value;
}

long strtol(const char *text, char **end, int base) {
  const char *p = text;
  while (*p == ' ' || *p == '\t') p++;
  int negative = *p == '-';
  if (*p == '-' || *p == '+') p++;
  unsigned long magnitude = strtoul(p, end, base);
  if (negative && magnitude > (unsigned long)LONG_MAX + 1) { errno = ERANGE; return LONG_MIN; }
  if (!negative && magnitude > LONG_MAX) { errno = ERANGE; return LONG_MAX; }
  return negative ? (long)(0 - magnitude) : (long)magnitude;
}

int atoi(const char *text) { return (int)strtol(text, 0, 10); }
long atol(const char *text) { return strtol(text, 0, 10); }

/* mmscope starts programs with an empty environment (envp holds nothing). */
char *getenv(const char *name) { (void)name; return NULL; }

/* Decimal floating point as C99 7.20.1.3 reads it (sign, digits, '.', exponent; "inf", "infinity", "nan"):
   the first 19 significant digits, scaled by the power of ten in long double, so the result is within an
   ulp of the correctly rounded one. Hexadecimal floats are not read. */
double strtod(const char *text, char **end) {
  const char *p = text;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
  int negative = *p == '-';
  if (*p == '-' || *p == '+') p++;
  if (_strnicmp(p, "inf", 3) == 0) {
    p += _strnicmp(p, "infinity", 8) == 0 ? 8 : 3;
    if (end) *end = (char *)p;
    return negative ? -__builtin_inf() : __builtin_inf();
  }
  if (_strnicmp(p, "nan", 3) == 0) {
    if (end) *end = (char *)(p + 3);
    return __builtin_nan("");
  }
  unsigned long long mantissa = 0;
  int digits = 0, exponent = 0, any = 0;
  for (; *p >= '0' && *p <= '9'; p++, any = 1) {
    if (digits < 19) { mantissa = mantissa * 10 + (*p - '0'); if (mantissa) digits++; } else exponent++;
  }
  if (*p == '.') {
    for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
      if (digits < 19) { mantissa = mantissa * 10 + (*p - '0'); if (mantissa) digits++; exponent--; }
    }
  }
  if (!any) { if (end) *end = (char *)text; return 0.0; }
  if (*p == 'e' || *p == 'E') {
    const char *e = p + 1;
    int exponent_negative = *e == '-';
    if (*e == '-' || *e == '+') e++;
    if (*e >= '0' && *e <= '9') {
      int value = 0;
      for (; *e >= '0' && *e <= '9'; e++) if (value < 100000) value = value * 10 + (*e - '0');
      exponent += exponent_negative ? -value : value;
      p = e;
    }
  }
  if (end) *end = (char *)p;
  long double result = (long double)mantissa, scale = 1.0L, power = 10.0L;
  for (unsigned n = exponent < 0 ? -exponent : exponent; n; n >>= 1, power *= power) if (n & 1) scale *= power;
  result = exponent < 0 ? result / scale : result * scale;
  double value = (double)result;
  if (mantissa && (value == 0.0 || value == __builtin_inf())) errno = ERANGE;
  return negative ? -value : value;
}

double atof(const char *text) { return strtod(text, NULL); }
