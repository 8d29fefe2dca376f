/* The printf family, writing to the console through NtWriteFile
   (guest/runtime/format.c): conversions d i u o x X c s p n % f F e E g G;
   flags - + space # 0; width and precision as numbers or '*'; length
   modifiers hh h l ll j z t L, and Microsoft's I64 I32 I. */
#ifndef MMSCOPE_STDIO_H
#define MMSCOPE_STDIO_H

#include <stdarg.h>
#include <stddef.h>

typedef struct mmscope_file FILE;
extern FILE *const stdout;
extern FILE *const stderr;

#define EOF (-1)

int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *stream, const char *format, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char *buffer, const char *format, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buffer, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
int vprintf(const char *format, va_list args);
int vfprintf(FILE *stream, const char *format, va_list args);
int vsnprintf(char *buffer, size_t size, const char *format, va_list args);
int vsprintf(char *buffer, const char *format, va_list args);
int puts(const char *text);
int fputs(const char *text, FILE *stream);
int putchar(int c);
int fflush(FILE *stream);

#endif
