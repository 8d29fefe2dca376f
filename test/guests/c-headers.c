/* The C headers a freestanding program expects: limits.h, stdint.h,
   stddef.h, stdbool.h, ctype.h, errno.h, assert.h. Values come from the C
   standard and the i386 Windows data model. With the argument "assert" the
   program fails an assertion instead. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

struct pair { char tag; int value; };
static_assert(sizeof(long) == 4, "Windows is ILP32 on x86");

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "assert")) {
    int answer = 41;
    assert(answer == 42);
    return 0;
  }
  CHECK_EQ("CHAR_BIT", CHAR_BIT, 8);
  CHECK_EQ("INT_MAX", INT_MAX, 0x7fffffff);
  CHECK_EQ("LONG_MAX", LONG_MAX, 0x7fffffff);
  CHECK_EQ("UINT_MAX", UINT_MAX, 0xffffffffu);
  CHECK_TRUE("LLONG_MAX", LLONG_MAX == 0x7fffffffffffffffLL);
  CHECK_TRUE("INT_MIN", INT_MIN == -INT_MAX - 1);
  CHECK_EQ("SCHAR_MIN", SCHAR_MIN, -128);
  CHECK_EQ("SIZE_MAX", SIZE_MAX, 0xffffffffu);
  CHECK_TRUE("INT64_MAX", INT64_MAX == 0x7fffffffffffffffLL);
  CHECK_EQ("sizeof(intptr_t)", sizeof(intptr_t), 4);
  CHECK_EQ("offsetof", offsetof(struct pair, value), 4);
  bool yes = true;
  CHECK_EQ("stdbool", yes, 1);
  CHECK_TRUE("isalpha", isalpha('a') && isalpha('Z') && !isalpha('1') && !isalpha('['));
  CHECK_TRUE("isdigit", isdigit('0') && isdigit('9') && !isdigit('a'));
  CHECK_TRUE("isxdigit", isxdigit('f') && isxdigit('F') && !isxdigit('g'));
  CHECK_TRUE("isspace", isspace(' ') && isspace('\n') && isspace('\v') && !isspace('x'));
  CHECK_TRUE("ispunct", ispunct('!') && !ispunct('a') && !ispunct(' '));
  CHECK_TRUE("isprint/iscntrl", isprint(' ') && !isprint('\n') && iscntrl('\n') && iscntrl(0x7f));
  CHECK_TRUE("EOF is no class", !isalpha(EOF) && !isspace(EOF));
  CHECK_EQ("toupper", toupper('q'), 'Q');
  CHECK_EQ("tolower", tolower('Q'), 'q');
  CHECK_EQ("tolower leaves others", tolower('5'), '5');
  errno = 0;
  CHECK_EQ("strtol in range", strtol("123", NULL, 10), 123);
  CHECK_EQ("errno untouched", errno, 0);
  CHECK_EQ("strtol overflow", strtol("99999999999", NULL, 10), LONG_MAX);
  CHECK_EQ("errno ERANGE", errno, ERANGE);
  errno = 0;
  CHECK_EQ("strtol underflow", strtol("-99999999999", NULL, 10), LONG_MIN);
  CHECK_EQ("errno ERANGE again", errno, 34);
  CHECK_EQ("strtoul overflow", strtoul("0x100000000", NULL, 0), ULONG_MAX);
  CHECK_EQ("strtol LONG_MIN", strtol("-2147483648", NULL, 10), LONG_MIN);
  assert(1 + 1 == 2);
  return CHECK_DONE();
}
