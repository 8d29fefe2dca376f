/* vsnprintf: the formatting core of the printf family, as C99 specifies it.

   Conversions d i u o x X c s p n %, and f F e E g G through the exact
   decimal expansion in decimal.c; flags - + space # 0; width and precision
   as numbers or '*'; length modifiers hh h l ll j z t L and Microsoft's I64,
   I32 and I. %p prints 0x and eight hex digits. long double (L) is printed
   at double precision.

   Built into the system DLLs (mingw defines _WIN32 there), the same code
   prints as Microsoft's msvcrt.dll does, since a Windows program compares
   its output with Windows': %p is eight uppercase hex digits without 0x
   ("0040A000"), exponents have at least three digits ("1.234568e+004"),
   and infinities and NaNs are msvcrt's digit strings "1#INF", "1#QNAN",
   "1#SNAN" and "1#IND" (the x87 default NaN) put through the same
   precision and rounding as digits ("1.#INF00", "-1.#IND00", %g "1.#INF",
   %.2f "1.#J"). _snprintf and _vsnprintf are Microsoft's everywhere: a
   result longer than the buffer fills it, unterminated, and returns -1
   (MSDN, "_snprintf, _snwprintf": "If len > count, count characters are
   stored in buffer, no null-terminator is appended, and a negative value
   is returned").

   Written for mmscope: the issue asked for a small, well-kept freestanding
   printf to be vendored if one fits, but only the npm registry and Debian's
   archive are reachable from this project and code taken from public
   repositories may not be committed, so this one was written from the C
   standard's description. */
#include <stdio.h>
#include <stdint.h>
#include "decimal.h"

#ifdef _WIN32
#define MSVCRT_FORMAT 1
#else
#define MSVCRT_FORMAT 0
#endif

struct sink { char *buffer; size_t size; size_t length; };

enum { FLAG_LEFT = 1, FLAG_PLUS = 2, FLAG_SPACE = 4, FLAG_ALTERNATE = 8, FLAG_ZERO = 16 };
enum length { LENGTH_NONE, LENGTH_CHAR, LENGTH_SHORT, LENGTH_LONG, LENGTH_LONG_LONG, LENGTH_SIZE, LENGTH_LONG_DOUBLE };

struct spec {
  int flags;
  int width;
  int precision;   /* -1: none given */
  enum length length;
  char conversion;
};

static void emit(struct sink *out, char c) {
  if (out->length + 1 < out->size) out->buffer[out->length] = c;
  out->length++;
}

static void emit_repeated(struct sink *out, char c, int n) { while (n-- > 0) emit(out, c); }

static void emit_text(struct sink *out, const char *text, size_t n) { for (size_t i = 0; i < n; i++) emit(out, text[i]); }

/* A field is prefix (sign, 0x), then zeros, then the body, padded to the width:
   spaces before (or after, with '-'), or zeros between prefix and body with '0'. */
static void emit_field(struct sink *out, const struct spec *spec, const char *prefix, int prefix_length,
                       int leading_zeros, const char *body, int body_length) {
  int fill = spec->width - prefix_length - leading_zeros - body_length;
  if (fill < 0) fill = 0;
  if (!(spec->flags & (FLAG_LEFT | FLAG_ZERO))) emit_repeated(out, ' ', fill);
  emit_text(out, prefix, prefix_length);
  if (spec->flags & FLAG_ZERO && !(spec->flags & FLAG_LEFT)) emit_repeated(out, '0', fill);
  emit_repeated(out, '0', leading_zeros);
  emit_text(out, body, body_length);
  if (spec->flags & FLAG_LEFT) emit_repeated(out, ' ', fill);
}

static int sign_prefix(char *prefix, int negative, int flags) {
  if (negative) { prefix[0] = '-'; return 1; }
  if (flags & FLAG_PLUS) { prefix[0] = '+'; return 1; }
  if (flags & FLAG_SPACE) { prefix[0] = ' '; return 1; }
  return 0;
}

/* ---- integers ----------------------------------------------------------- */

static void format_integer(struct sink *out, struct spec *spec, uint64_t magnitude, int negative) {
  char conversion = spec->conversion;
  unsigned base = conversion == 'o' ? 8 : conversion == 'x' || conversion == 'X' || conversion == 'p' ? 16 : 10;
  const char *digit_set = conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  char digits[24], prefix[3];
  int n = 0;
  for (uint64_t v = magnitude; v; v /= base) digits[sizeof digits - 1 - n++] = digit_set[v % base];
  int precision = spec->precision < 0 ? 1 : spec->precision;   /* %.0d of 0 prints no digits */
  if (spec->precision >= 0) spec->flags &= ~FLAG_ZERO;
  int prefix_length = (conversion == 'd' || conversion == 'i') ? sign_prefix(prefix, negative, spec->flags) : 0;
  if (spec->flags & FLAG_ALTERNATE) {
    if (base == 8 && precision <= n) precision = n + 1;   /* the first digit must be 0 */
    if (base == 16 && magnitude) { prefix[0] = '0'; prefix[1] = conversion == 'X' ? 'X' : 'x'; prefix_length = 2; }
  }
  int zeros = precision > n ? precision - n : 0;
  emit_field(out, spec, prefix, prefix_length, zeros, digits + sizeof digits - n, n);
}

/* ---- floating point ----------------------------------------------------- */

/* The digit at `index` of the (rounded) expansion; places past its end are zero. */
static char digit_at(const decimal *d, int index) { return index >= 0 && index < d->count ? d->digits[index] : '0'; }

/* Writes the body of %f (fraction digits given) or %e into `sink`; with `trim`
   (for %g without '#') trailing fraction zeros and a bare point are dropped. */
static void emit_fixed(struct sink *sink, const decimal *d, int fraction, int alternate, int trim) {
  if (d->point <= 0 || d->count == 0) emit(sink, '0');
  else for (int i = 0; i < d->point; i++) emit(sink, digit_at(d, i));
  if (trim) {   /* keep only fraction digits up to the last nonzero one */
    int last = 0;
    for (int i = 1; i <= fraction; i++) if (digit_at(d, d->point + i - 1) != '0') last = i;
    fraction = last;
  }
  if (fraction > 0 || alternate) emit(sink, '.');
  for (int i = 0; i < fraction; i++) emit(sink, digit_at(d, d->point + i));
}

static void emit_exponential(struct sink *sink, const decimal *d, int fraction, int alternate, int trim, char e) {
  int exponent = d->count ? d->point - 1 : 0;
  emit(sink, digit_at(d, 0));
  if (trim) {
    int last = 0;
    for (int i = 1; i <= fraction; i++) if (digit_at(d, i) != '0') last = i;
    fraction = last;
  }
  if (fraction > 0 || alternate) emit(sink, '.');
  for (int i = 1; i <= fraction; i++) emit(sink, digit_at(d, i));
  emit(sink, e);
  emit(sink, exponent < 0 ? '-' : '+');
  unsigned magnitude = exponent < 0 ? -exponent : exponent;
  char text[8];
  int n = 0;
  do { text[n++] = (char)('0' + magnitude % 10); magnitude /= 10; } while (magnitude);
  while (n < (MSVCRT_FORMAT ? 3 : 2)) text[n++] = '0';
  while (n > 0) emit(sink, text[--n]);
}

/* How %g chooses (C99 7.19.6.1): P significant digits; exponent X after rounding. */
static void emit_general(struct sink *sink, decimal *d, int precision, int alternate, int upper) {
  int significant = precision == 0 ? 1 : precision;
  decimal_round(d, significant);
  int exponent = d->count ? d->point - 1 : 0;
  if (exponent < significant && exponent >= -4) emit_fixed(sink, d, significant - 1 - exponent, alternate, !alternate);
  else emit_exponential(sink, d, significant - 1, alternate, !alternate, upper ? 'E' : 'e');
}

static void emit_float_body(struct sink *sink, decimal *d, const struct spec *spec, int precision) {
  int alternate = spec->flags & FLAG_ALTERNATE;
  switch (spec->conversion) {
    case 'f': case 'F': decimal_round(d, d->point + precision); emit_fixed(sink, d, precision, alternate, 0); break;
    case 'e': case 'E': decimal_round(d, precision + 1); emit_exponential(sink, d, precision, alternate, 0, spec->conversion); break;
    default: emit_general(sink, d, precision, alternate, spec->conversion == 'G'); break;
  }
}

/* msvcrt's digits for an infinity or NaN (its _fltout): "1#IND" is the x87
   default NaN (sign set, only the quiet bit in the fraction). */
static const char *msvcrt_special_digits(double value) {
  union { double d; uint64_t bits; } u = { value };
  uint64_t fraction = u.bits & 0xfffffffffffffull;
  if (!fraction) return "1#INF";
  if (!(fraction & 0x8000000000000ull)) return "1#SNAN";
  return (u.bits >> 63) && fraction == 0x8000000000000ull ? "1#IND" : "1#QNAN";
}

/* The special digits as msvcrt prints them: one digit, then the rest cut to
   the precision (padded with zeros) and rounded by comparing the next
   character with '5', as it rounds digits ('I' >= '5': "1.#J" for %.2f). */
static void emit_msvcrt_special(struct sink *sink, const char *digits, const struct spec *spec, int precision) {
  char conversion = spec->conversion | 0x20;
  int alternate = spec->flags & FLAG_ALTERNATE;
  int fraction = conversion == 'g' ? (precision ? precision : 1) - 1 : precision;
  char kept[64];
  if (fraction > (int)sizeof kept) fraction = sizeof kept;
  int available = 0;
  while (digits[1 + available]) available++;
  for (int i = 0; i < fraction; i++) kept[i] = i < available ? digits[1 + i] : '0';
  if (fraction > 0 && fraction < available && digits[1 + fraction] >= '5') kept[fraction - 1]++;
  if (conversion == 'g' && !alternate) while (fraction > 0 && kept[fraction - 1] == '0') fraction--;
  emit(sink, digits[0]);
  if (fraction > 0 || alternate) emit(sink, '.');
  emit_text(sink, kept, fraction);
  if (conversion == 'e') emit_text(sink, spec->conversion == 'E' ? "E+000" : "e+000", 5);
}

static void format_float(struct sink *out, struct spec *spec, double value) {
  static decimal d;   /* ~830 bytes: kept off the stack; the runtime has one thread */
  decimal_from_double(&d, value);
  char prefix[1];
  int prefix_length = sign_prefix(prefix, d.negative, spec->flags);
  int upper = spec->conversion == 'F' || spec->conversion == 'E' || spec->conversion == 'G';
  if (MSVCRT_FORMAT && d.kind != DECIMAL_FINITE) {
    spec->flags &= ~FLAG_ZERO;
    int precision = spec->precision < 0 ? 6 : spec->precision;
    char body[80];
    struct sink text = { body, sizeof body, 0 };
    emit_msvcrt_special(&text, msvcrt_special_digits(value), spec, precision);
    emit_field(out, spec, prefix, prefix_length, 0, body, text.length < sizeof body ? (int)text.length : (int)sizeof body - 1);
    return;
  }
  if (d.kind != DECIMAL_FINITE) {
    spec->flags &= ~FLAG_ZERO;
    const char *word = d.kind == DECIMAL_NAN ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
    emit_field(out, spec, prefix, prefix_length, 0, word, 3);
    return;
  }
  int precision = spec->precision < 0 ? 6 : spec->precision;
  /* The body can be hundreds of digits: measure it first, then write it in place. */
  decimal copy = d;
  struct sink measure = { NULL, 0, 0 };
  emit_float_body(&measure, &copy, spec, precision);
  int fill = spec->width - prefix_length - (int)measure.length;
  if (fill < 0) fill = 0;
  if (!(spec->flags & (FLAG_LEFT | FLAG_ZERO))) emit_repeated(out, ' ', fill);
  emit_text(out, prefix, prefix_length);
  if (spec->flags & FLAG_ZERO && !(spec->flags & FLAG_LEFT)) emit_repeated(out, '0', fill);
  emit_float_body(out, &d, spec, precision);
  if (spec->flags & FLAG_LEFT) emit_repeated(out, ' ', fill);
}

/* ---- the format string -------------------------------------------------- */

static const char *parse_spec(const char *p, struct spec *spec, va_list *args) {
  spec->flags = 0;
  spec->width = 0;
  spec->precision = -1;
  spec->length = LENGTH_NONE;
  for (;; p++) {
    if (*p == '-') spec->flags |= FLAG_LEFT;
    else if (*p == '+') spec->flags |= FLAG_PLUS;
    else if (*p == ' ') spec->flags |= FLAG_SPACE;
    else if (*p == '#') spec->flags |= FLAG_ALTERNATE;
    else if (*p == '0') spec->flags |= FLAG_ZERO;
    else break;
  }
  if (*p == '*') {
    spec->width = va_arg(*args, int);
    if (spec->width < 0) { spec->flags |= FLAG_LEFT; spec->width = -spec->width; }   /* a negative width is '-' */
    p++;
  } else {
    while (*p >= '0' && *p <= '9') spec->width = spec->width * 10 + (*p++ - '0');
  }
  if (*p == '.') {
    p++;
    spec->precision = 0;
    if (*p == '*') {
      spec->precision = va_arg(*args, int);
      if (spec->precision < 0) spec->precision = -1;   /* a negative precision is none */
      p++;
    } else {
      while (*p >= '0' && *p <= '9') spec->precision = spec->precision * 10 + (*p++ - '0');
    }
  }
  switch (*p) {
    case 'h': spec->length = p[1] == 'h' ? LENGTH_CHAR : LENGTH_SHORT; p += p[1] == 'h' ? 2 : 1; break;
    case 'l': spec->length = p[1] == 'l' ? LENGTH_LONG_LONG : LENGTH_LONG; p += p[1] == 'l' ? 2 : 1; break;
    case 'j': case 'q': spec->length = LENGTH_LONG_LONG; p++; break;
    case 'z': case 't': spec->length = LENGTH_SIZE; p++; break;
    case 'L': spec->length = LENGTH_LONG_DOUBLE; p++; break;
    case 'I':   /* Microsoft: I64, I32, I (pointer-sized) */
      if (p[1] == '6' && p[2] == '4') { spec->length = LENGTH_LONG_LONG; p += 3; }
      else if (p[1] == '3' && p[2] == '2') { spec->length = LENGTH_NONE; p += 3; }
      else { spec->length = LENGTH_SIZE; p++; }
      break;
    default: break;
  }
  if (spec->flags & FLAG_LEFT) spec->flags &= ~FLAG_ZERO;
  if (spec->flags & FLAG_PLUS) spec->flags &= ~FLAG_SPACE;
  spec->conversion = *p;
  return p;
}

static int64_t signed_argument(enum length length, va_list *args) {
  switch (length) {
    case LENGTH_CHAR: return (signed char)va_arg(*args, int);
    case LENGTH_SHORT: return (short)va_arg(*args, int);
    case LENGTH_LONG: return va_arg(*args, long);
    case LENGTH_LONG_LONG: return va_arg(*args, long long);
    case LENGTH_SIZE: return va_arg(*args, ptrdiff_t);
    default: return va_arg(*args, int);
  }
}

static uint64_t unsigned_argument(enum length length, va_list *args) {
  switch (length) {
    case LENGTH_CHAR: return (unsigned char)va_arg(*args, unsigned);
    case LENGTH_SHORT: return (unsigned short)va_arg(*args, unsigned);
    case LENGTH_LONG: return va_arg(*args, unsigned long);
    case LENGTH_LONG_LONG: return va_arg(*args, unsigned long long);
    case LENGTH_SIZE: return va_arg(*args, size_t);
    default: return va_arg(*args, unsigned);
  }
}

static void store_count(enum length length, va_list *args, size_t count) {
  switch (length) {
    case LENGTH_CHAR: *va_arg(*args, signed char *) = (signed char)count; break;
    case LENGTH_SHORT: *va_arg(*args, short *) = (short)count; break;
    case LENGTH_LONG: *va_arg(*args, long *) = (long)count; break;
    case LENGTH_LONG_LONG: *va_arg(*args, long long *) = (long long)count; break;
    case LENGTH_SIZE: *va_arg(*args, size_t *) = count; break;
    default: *va_arg(*args, int *) = (int)count; break;
  }
}

static void format_string(struct sink *out, const struct spec *spec, const char *s) {
  if (!s) s = "(null)";
  size_t n = 0;
  while ((spec->precision < 0 || n < (size_t)spec->precision) && s[n]) n++;   /* never reads past the precision */
  struct spec plain = *spec;
  plain.flags &= ~FLAG_ZERO;
  emit_field(out, &plain, "", 0, 0, s, (int)n);
}

static void format_one(struct sink *out, struct spec *spec, va_list *args) {
  switch (spec->conversion) {
    case 'd': case 'i': {
      int64_t v = signed_argument(spec->length, args);
      format_integer(out, spec, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
      break;
    }
    case 'u': case 'o': case 'x': case 'X': format_integer(out, spec, unsigned_argument(spec->length, args), 0); break;
    case 'p': {
      struct spec pointer = *spec;
      if (MSVCRT_FORMAT) {   /* msvcrt: "%08X" */
        pointer.flags = spec->flags & FLAG_LEFT;
        pointer.precision = 8;
        pointer.conversion = 'X';
        format_integer(out, &pointer, (uintptr_t)va_arg(*args, void *), 0);
        break;
      }
      pointer.flags = (spec->flags & FLAG_LEFT) | FLAG_ALTERNATE;
      pointer.precision = 8;
      uintptr_t v = (uintptr_t)va_arg(*args, void *);
      if (!v) { emit_field(out, &pointer, "0x", 2, 8, "", 0); break; }
      format_integer(out, &pointer, v, 0);
      break;
    }
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
      format_float(out, spec, spec->length == LENGTH_LONG_DOUBLE ? (double)va_arg(*args, long double) : va_arg(*args, double));
      break;
    case 's': format_string(out, spec, va_arg(*args, const char *)); break;
    case 'c': {
      char c = (char)va_arg(*args, int);
      struct spec plain = *spec;
      plain.flags &= ~FLAG_ZERO;
      emit_field(out, &plain, "", 0, 0, &c, 1);
      break;
    }
    case 'n': store_count(spec->length, args, out->length); break;
    case '%': emit(out, '%'); break;
    default: emit(out, '%'); if (spec->conversion) emit(out, spec->conversion); break;   /* unknown: printed as written */
  }
}

/* Formats into `out` (what fits: one byte is kept for a terminator, which this does not write). */
static void format_to(struct sink *out, const char *format, va_list args) {
  va_list ap;
  va_copy(ap, args);
  for (const char *p = format; *p; p++) {
    if (*p != '%') { emit(out, *p); continue; }
    struct spec spec;
    p = parse_spec(p + 1, &spec, &ap);
    format_one(out, &spec, &ap);
    if (!*p) break;
  }
  va_end(ap);
}

int vsnprintf(char *buffer, size_t size, const char *format, va_list args) {
  struct sink out = { buffer, size, 0 };
  format_to(&out, format, args);
  if (size) buffer[out.length < size ? out.length : size - 1] = '\0';
  return (int)out.length;
}

/* Microsoft's: up to `size` characters, terminated only if there is room; -1 when the result did not fit. */
int _vsnprintf(char *buffer, size_t size, const char *format, va_list args) {
  struct sink out = { buffer, size == (size_t)-1 ? size : size + 1, 0 };
  format_to(&out, format, args);
  if (out.length < size) buffer[out.length] = '\0';
  return out.length > size ? -1 : (int)out.length;
}

int _snprintf(char *buffer, size_t size, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = _vsnprintf(buffer, size, format, args);
  va_end(args);
  return n;
}

int snprintf(char *buffer, size_t size, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buffer, size, format, args);
  va_end(args);
  return n;
}

int vsprintf(char *buffer, const char *format, va_list args) { return vsnprintf(buffer, (size_t)-1 >> 1, format, args); }

int sprintf(char *buffer, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsprintf(buffer, format, args);
  va_end(args);
  return n;
}
