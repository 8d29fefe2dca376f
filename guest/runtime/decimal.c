/* Exact decimal expansion of a double, the core of printf's %f/%e/%g.

   A finite double is m x 2^e with an integer m < 2^53. For e >= 0 the value
   is the integer m x 2^e; for e < 0 it is (m x 5^-e) / 10^-e, so the digits
   are those of the integer m x 5^-e with the decimal point moved -e places.
   Both integers are built in a big number of base-10^9 limbs by repeated
   multiplication by small factors: no floating-point arithmetic is used, so
   every digit is exact and rounding can be decided correctly afterwards.

   Written for mmscope (only the npm registry and Debian's archive are
   reachable from this project, and code taken from public repositories may
   not be committed, so no existing printf could be vendored). */
#include <stdint.h>
#include "decimal.h"

#define LIMB_BASE 1000000000u
#define LIMB_DIGITS 9
#define MAX_LIMBS ((DECIMAL_MAX_DIGITS + LIMB_DIGITS - 1) / LIMB_DIGITS)
#define POWER_OF_2_STEP 29        /* 2^29 < 10^9 */
#define POWER_OF_5_STEP 12        /* 5^12 = 244140625 < 10^9 */

typedef struct big { uint32_t limb[MAX_LIMBS]; int count; } big;   /* least significant limb first */

static void big_set(big *b, uint64_t value) {
  b->count = 0;
  do { b->limb[b->count++] = (uint32_t)(value % LIMB_BASE); value /= LIMB_BASE; } while (value);
}

static void big_multiply(big *b, uint32_t factor) {
  uint64_t carry = 0;
  for (int i = 0; i < b->count; i++) {
    uint64_t product = (uint64_t)b->limb[i] * factor + carry;
    b->limb[i] = (uint32_t)(product % LIMB_BASE);
    carry = product / LIMB_BASE;
  }
  while (carry) { b->limb[b->count++] = (uint32_t)(carry % LIMB_BASE); carry /= LIMB_BASE; }
}

static void big_multiply_power(big *b, uint32_t base, int exponent, int step) {
  uint32_t full = 1;
  for (int i = 0; i < step; i++) full *= base;
  for (; exponent >= step; exponent -= step) big_multiply(b, full);
  uint32_t rest = 1;
  while (exponent-- > 0) rest *= base;
  if (rest > 1) big_multiply(b, rest);
}

/* Writes the big number's decimal digits (most significant first) into out; returns how many. */
static int big_digits(const big *b, char *out) {
  int n = 0;
  uint32_t top = b->limb[b->count - 1];
  char first[LIMB_DIGITS];
  int f = 0;
  do { first[f++] = (char)('0' + top % 10); top /= 10; } while (top);
  while (f > 0) out[n++] = first[--f];
  for (int i = b->count - 2; i >= 0; i--) {
    uint32_t limb = b->limb[i];
    for (int k = LIMB_DIGITS - 1; k >= 0; k--) { out[n + k] = (char)('0' + limb % 10); limb /= 10; }
    n += LIMB_DIGITS;
  }
  return n;
}

static void strip_trailing_zeros(decimal *d) {
  while (d->count > 0 && d->digits[d->count - 1] == '0') d->count--;
}

void decimal_from_double(decimal *out, double value) {
  union { double d; uint64_t bits; } u = { value };
  int biased = (int)(u.bits >> 52 & 0x7ff);
  uint64_t fraction = u.bits & ((1ull << 52) - 1);
  out->negative = (int)(u.bits >> 63);
  out->count = 0;
  out->point = 1;
  if (biased == 0x7ff) { out->kind = fraction ? DECIMAL_NAN : DECIMAL_INFINITE; return; }
  out->kind = DECIMAL_FINITE;
  uint64_t mantissa = biased ? fraction | 1ull << 52 : fraction;
  int exponent = (biased ? biased : 1) - 1075;
  if (mantissa == 0) return;
  static big number;   /* ~400 bytes: kept off the stack; the runtime has one thread */
  big_set(&number, mantissa);
  if (exponent >= 0) big_multiply_power(&number, 2, exponent, POWER_OF_2_STEP);
  else big_multiply_power(&number, 5, -exponent, POWER_OF_5_STEP);
  out->count = big_digits(&number, out->digits);
  out->point = exponent >= 0 ? out->count : out->count + exponent;
  strip_trailing_zeros(out);
}

static int any_nonzero_from(const decimal *d, int index) {
  for (int i = index; i < d->count; i++) if (d->digits[i] != '0') return 1;
  return 0;
}

void decimal_round(decimal *d, int keep) {
  if (d->kind != DECIMAL_FINITE || keep >= d->count) return;
  if (keep < 0) { d->count = 0; return; }
  char next = d->digits[keep];
  int previous_odd = keep > 0 && (d->digits[keep - 1] - '0') % 2 == 1;
  int up = next > '5' || (next == '5' && (any_nonzero_from(d, keep + 1) || previous_odd));
  d->count = keep;
  if (up) {
    int i = keep - 1;
    while (i >= 0 && d->digits[i] == '9') d->digits[i--] = '0';
    if (i >= 0) d->digits[i]++;
    else { d->digits[0] = '1'; d->count = 1; d->point++; }   /* 99.9 -> 100: one digit, one place higher */
  }
  strip_trailing_zeros(d);
}
