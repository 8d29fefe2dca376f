/* The printf family's conversions against the values the C standard
   defines (C99 7.19.6.1), each compared with its expected text. Expected
   strings are what glibc's printf prints for the same call. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>
#include "check.h"

static char buffer[2048];

#define CHECK_FORMAT(expected, ...) do {                                              \
    int check_n = snprintf(buffer, sizeof buffer, __VA_ARGS__);                       \
    check_count++;                                                                    \
    if (!strcmp(buffer, expected) && check_n == (int)strlen(expected)) printf("ok %s\n", #__VA_ARGS__); \
    else { check_failures++; printf("FAIL %s: got \"%s\" (%d), expected \"%s\"\n", #__VA_ARGS__, buffer, check_n, expected); } \
  } while (0)

#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

int main(void) {
  /* precision of strings: never read past it */
  static const char unterminated[4] = { 'a', 'b', 'c', 'd' };
  CHECK_FORMAT("0123456789", "%.10s", "0123456789abcdef");
  CHECK_FORMAT("abc", "%.3s", unterminated);
  CHECK_FORMAT("   ab", "%5.2s", "abcdef");
  CHECK_FORMAT("ab   |", "%-5.2s|", "abcdef");
  CHECK_FORMAT("  abc", "%*s", 5, "abc");
  CHECK_FORMAT("abc  |", "%*s|", -5, "abc");
  CHECK_FORMAT("ab", "%.*s", 2, "abc");
  CHECK_FORMAT("abc", "%.*s", -1, "abc");
  /* integers: precision, flags, lengths */
  CHECK_FORMAT("00042", "%.5d", 42);
  CHECK_FORMAT("  -042", "%6.3d", -42);
  CHECK_FORMAT("", "%.0d", 0);
  CHECK_FORMAT("+42 +0", "%+d %+d", 42, 0);
  CHECK_FORMAT(" 42", "% d", 42);
  CHECK_FORMAT("+42", "%+ d", 42);
  CHECK_FORMAT("-0042", "%05d", -42);
  CHECK_FORMAT("  042", "%05.3d", 42);
  CHECK_FORMAT("0x2a 0X2A 0", "%#x %#X %#x", 42, 42, 0);
  CHECK_FORMAT("052 0", "%#o %#o", 42, 0);
  CHECK_FORMAT("0x002a", "%#06x", 42);
  CHECK_FORMAT("9223372036854775807 -9223372036854775808", "%lld %lld", 9223372036854775807LL, -9223372036854775807LL - 1);
  CHECK_FORMAT("18446744073709551615", "%llu", 18446744073709551615ULL);
  CHECK_FORMAT("ffffffffffffffff 123456789abcdef0", "%llx %llx", 0xffffffffffffffffULL, 0x123456789abcdef0ULL);
  CHECK_FORMAT("4294967295", "%zu", (size_t)-1);
  CHECK_FORMAT("-1", "%zd", (ptrdiff_t)-1);
  CHECK_FORMAT("-1 255", "%hhd %hhu", 255, 255);
  CHECK_FORMAT("-1 65535", "%hd %hu", 65535, 65535);
  CHECK_FORMAT("-5 18446744073709551611", "%jd %ju", (intmax_t)-5, (uintmax_t)-5);
  CHECK_FORMAT("12345678901", "%I64d", 12345678901LL);
  CHECK_FORMAT("   7|7   |", "%*d|%-*d|", 4, 7, 4, 7);
  CHECK_FORMAT("007", "%.*d", 3, 7);
  CHECK_FORMAT("0x0040a000", "%p", (void *)0x40a000);
  /* %n */
  int count = 0;
  snprintf(buffer, sizeof buffer, "abc%n", &count);
  CHECK_EQ("%n stores the count", count, 3);
  /* floating point: %f */
  CHECK_FORMAT("3.141593", "%f", 3.14159265358979);
  CHECK_FORMAT("3.14", "%.2f", 3.14159);
  CHECK_FORMAT("3", "%.0f", 3.14159);
  CHECK_FORMAT("3.", "%#.0f", 3.0);
  CHECK_FORMAT("2 4 0 -0", "%.0f %.0f %.0f %.0f", 2.5, 3.5, 0.5, -0.5);
  CHECK_FORMAT("1.00", "%.2f", 0.999);
  CHECK_FORMAT("0.001", "%.3f", 0.0006);
  CHECK_FORMAT("0.000", "%.3f", 0.0004);
  CHECK_FORMAT("-0.000000", "%f", -0.0);
  CHECK_FORMAT("0.100000000000000005551", "%.21f", 0.1);
  CHECK_FORMAT("1e+300", "%.0e", 1e300);
  CHECK_FORMAT("1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000",
               "%f", 1e300);
  CHECK_FORMAT("  3.50", "%6.2f", 3.5);
  CHECK_FORMAT("3.50  |", "%-6.2f|", 3.5);
  CHECK_FORMAT("003.50", "%06.2f", 3.5);
  CHECK_FORMAT("-03.50", "%06.2f", -3.5);
  CHECK_FORMAT("+3.50  3.50", "%+.2f % .2f", 3.5, 3.5);
  CHECK_FORMAT("inf -inf nan INF", "%f %f %f %F", 1.0 / 0.0, -1.0 / 0.0, __builtin_nan(""), 1.0 / 0.0);
  CHECK_FORMAT("   inf", "%06f", 1.0 / 0.0);
  /* %e */
  CHECK_FORMAT("1.234568e+03", "%e", 1234.5678);
  CHECK_FORMAT("1.23E-05", "%.2E", 0.0000123456);
  CHECK_FORMAT("0.000000e+00", "%e", 0.0);
  CHECK_FORMAT("1e+00", "%.0e", 1.0);
  CHECK_FORMAT("1.e+00", "%#.0e", 1.0);
  CHECK_FORMAT("9.9e-310", "%.1e", 9.9e-310);
  CHECK_FORMAT("4.940656e-324", "%e", 4.9406564584124654e-324);
  CHECK_FORMAT("1.797693e+308", "%e", 1.7976931348623157e308);
  CHECK_FORMAT("1.0e+100", "%.1e", 1e100);
  /* %g */
  CHECK_FORMAT("100000 1e+06", "%g %g", 100000.0, 1000000.0);
  CHECK_FORMAT("0.0001 1e-05", "%g %g", 0.0001, 0.00001);
  CHECK_FORMAT("3.14159", "%g", 3.14159265);
  CHECK_FORMAT("0.5 0", "%g %g", 0.5, 0.0);
  CHECK_FORMAT("1e+02", "%.1g", 123.0);
  CHECK_FORMAT("1.00000", "%#g", 1.0);
  CHECK_FORMAT("1.2E+10", "%G", 1.2e10);
  CHECK_FORMAT("123457", "%g", 123456.7);
  CHECK_FORMAT("1.23457e+06", "%g", 1234567.0);
  CHECK_FORMAT("   0.1", "%6g", 0.1);
  CHECK_FORMAT("2.5", "%Lg", (long double)2.5);
  /* truncation: snprintf counts what it would have written */
  char small[4];
  int n = snprintf(small, sizeof small, "%f", 1.5);
  CHECK_EQ("snprintf returns the full length", n, 8);
  CHECK_TRUE("snprintf writes a terminated prefix", !strcmp(small, "1.5"));
  /* Microsoft's _snprintf: a result that does not fit fills the buffer, unterminated, and returns -1 */
  char four[5] = "wxyz";
  CHECK_EQ("_snprintf of a longer result returns -1", _snprintf(four, 3, "%d", 12345), -1);
  CHECK_TRUE("_snprintf fills the buffer without a terminator", !memcmp(four, "123z", 5));
  CHECK_EQ("_snprintf of a result that fits returns its length", _snprintf(four, 3, "%d", 12), 2);
  CHECK_TRUE("_snprintf terminates a result that fits", !strcmp(four, "12"));
  /* unknown conversions are printed as written */
  CHECK_FORMAT("%y", "%y");
  return CHECK_DONE();
}
