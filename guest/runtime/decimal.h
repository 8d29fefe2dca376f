/* The exact decimal expansion of a double, for printf's %f, %e and %g
   (guest/runtime/decimal.c). Not part of the SDK's headers. */
#ifndef MMSCOPE_RUNTIME_DECIMAL_H
#define MMSCOPE_RUNTIME_DECIMAL_H

/* A double's value is at most 767 significant decimal digits long (the
   largest subnormal times 5^1074); 810 leaves room for a carry. */
#define DECIMAL_MAX_DIGITS 810

enum decimal_kind { DECIMAL_FINITE, DECIMAL_INFINITE, DECIMAL_NAN };

/* value = 0.digits[0]digits[1]... x 10^point, digits '0'-'9' without
   leading or trailing zeros; zero has count 0. */
typedef struct decimal {
  enum decimal_kind kind;
  int negative;
  int count;
  int point;
  char digits[DECIMAL_MAX_DIGITS];
} decimal;

/* Every digit of `value`, exactly (no rounding). */
void decimal_from_double(decimal *out, double value);

/* Keeps the first `keep` digits, rounding the rest half to even (the
   expansion is exact, so a tie is a real tie, as glibc rounds); keep <= 0
   may round up to a single digit one place higher, else gives zero. */
void decimal_round(decimal *d, int keep);

#endif
