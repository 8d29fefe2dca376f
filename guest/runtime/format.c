/* vsnprintf: the formatting core of the printf family. */
#include <stdio.h>
#include <stdint.h>

struct sink { char *buffer; size_t size; size_t length; };

static void emit(struct sink *out, char c) {
  if (out->length + 1 < out->size) out->buffer[out->length] = c;
  out->length++;
}

static void emit_padded(struct sink *out, const char *text, size_t length, int width, int left, char pad) {
  int fill = width > (int)length ? width - (int)length : 0;
  if (!left) while (fill-- > 0) emit(out, pad);
  for (size_t i = 0; i < length; i++) emit(out, text[i]);
  if (left) while (fill-- > 0) emit(out, ' ');
}

static void emit_number(struct sink *out, unsigned long long value, int negative, unsigned base,
                        int upper, int width, int left, char pad) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char text[24];
  int n = 0;
  do { text[sizeof text - 1 - n++] = digits[value % base]; value /= base; } while (value);
  if (negative) {
    if (pad == '0') { emit(out, '-'); width--; }
    else text[sizeof text - 1 - n++] = '-';
  }
  emit_padded(out, text + sizeof text - n, n, width, left, pad);
}

int vsnprintf(char *buffer, size_t size, const char *format, va_list args) {
  struct sink out = { buffer, size, 0 };
  for (const char *p = format; *p; p++) {
    if (*p != '%') { emit(&out, *p); continue; }
    int left = 0, width = 0, longs = 0;
    char pad = ' ';
    for (;; p++) {
      if (p[1] == '-') left = 1;
      else if (p[1] == '0') pad = '0';
      else break;
    }
    while (p[1] >= '0' && p[1] <= '9') width = width * 10 + (*++p - '0');
    while (p[1] == 'l') { longs++; p++; }
    if (left) pad = ' ';
    char conversion = *++p;
    switch (conversion) {
      case 'd': case 'i': {
        long long v = longs >= 2 ? va_arg(args, long long) : va_arg(args, long);
        emit_number(&out, v < 0 ? -(unsigned long long)v : (unsigned long long)v, v < 0, 10, 0, width, left, pad);
        break;
      }
      case 'u': case 'x': case 'X': {
        unsigned long long v = longs >= 2 ? va_arg(args, unsigned long long) : va_arg(args, unsigned long);
        emit_number(&out, v, 0, conversion == 'u' ? 10 : 16, conversion == 'X', width, left, pad);
        break;
      }
      case 'p':
        emit(&out, '0'); emit(&out, 'x');
        emit_number(&out, (uintptr_t)va_arg(args, void *), 0, 16, 0, 8, 0, '0');
        break;
      case 's': {
        const char *s = va_arg(args, const char *);
        if (!s) s = "(null)";
        size_t n = 0;
        while (s[n]) n++;
        emit_padded(&out, s, n, width, left, ' ');
        break;
      }
      case 'c': { char c = (char)va_arg(args, int); emit_padded(&out, &c, 1, width, left, ' '); break; }
      case '%': emit(&out, '%'); break;
      case '\0': p--; break;
      default: emit(&out, '%'); emit(&out, conversion); break;
    }
  }
  if (size) buffer[out.length < size ? out.length : size - 1] = '\0';
  return (int)out.length;
}

int snprintf(char *buffer, size_t size, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buffer, size, format, args);
  va_end(args);
  return n;
}

int sprintf(char *buffer, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buffer, (size_t)-1 >> 1, format, args);
  va_end(args);
  return n;
}
