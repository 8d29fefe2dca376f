#include <stdlib.h>
#include <mmscope.h>

void exit(int status) {
  NtTerminateProcess(NtCurrentProcess(), status);
  for (;;) {}
}

void abort(void) {
  exit(3); /* the MSVC runtime's abort() exit code */
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
  while (digit_value(*p) < base) value = value * base + digit_value(*p++);
  if (end) *end = (char *)p;
  return value;
}

long strtol(const char *text, char **end, int base) {
  const char *p = text;
  while (*p == ' ' || *p == '\t') p++;
  int negative = *p == '-';
  if (*p == '-' || *p == '+') p++;
  unsigned long magnitude = strtoul(p, end, base);
  return negative ? -(long)magnitude : (long)magnitude;
}

int atoi(const char *text) { return (int)strtol(text, 0, 10); }
