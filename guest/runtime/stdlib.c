#include <stdlib.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <mmscope.h>

static int errno_value;
int *_errno(void) { return &errno_value; }

void exit(int status) {
  NtTerminateProcess(NtCurrentProcess(), status);
  for (;;) {}
}

void abort(void) {
  exit(3); /* the MSVC runtime's abort() exit code */
}

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

/* mmscope starts programs with an empty environment (envp holds nothing). */
char *getenv(const char *name) { (void)name; return NULL; }
