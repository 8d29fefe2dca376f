/* Standard I/O with the Microsoft C runtime's FILE (msvcrt's 32-byte
   struct _iobuf, the streams in the array _iob: stdin, stdout, stderr are
   its first three), so the same source serves the SDK's static runtime and
   mmscope's msvcrt.dll, whose callers (mingw-w64's headers) reach _iob
   directly (guest/runtime/stdio.c, low-io.c).
   The printf family (guest/runtime/format.c): conversions d i u o x X c s p
   n % f F e E g G; flags - + space # 0; width and precision as numbers or
   '*'; length modifiers hh h l ll j z t L, and Microsoft's I64 I32 I. */
#ifndef MMSCOPE_STDIO_H
#define MMSCOPE_STDIO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct _iobuf {
  char *_ptr;        /* next byte of the read buffer */
  int _cnt;          /* bytes left in it */
  char *_base;       /* the buffer */
  int _flag;         /* _IOREAD, _IOWRT, _IOEOF, _IOERR, ... */
  int _file;         /* the low-level file descriptor */
  int _charbuf;
  int _bufsiz;
  char *_tmpfname;
};
typedef struct _iobuf FILE;
typedef long long fpos_t;

/* msvcrt's stream table: 20 entries (_IOB_ENTRIES), the first three the
   standard streams. The standard streams are reached through __iob_func(),
   a function msvcrt exports, so a PE program built with the SDK needs no
   data import (mingw's headers use __acrt_iob_func the same way). */
#define _IOB_ENTRIES 20
extern FILE _iob[];
FILE *__iob_func(void);
#define stdin  (__iob_func())
#define stdout (__iob_func() + 1)
#define stderr (__iob_func() + 2)

#define EOF (-1)
#define BUFSIZ 512
#define FOPEN_MAX 20
#define FILENAME_MAX 260
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define _IOFBF 0x0000
#define _IOLBF 0x0040
#define _IONBF 0x0004

int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *stream, const char *format, ...) __attribute__((format(printf, 2, 3)));
int sprintf(char *buffer, const char *format, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buffer, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
int _snprintf(char *buffer, size_t size, const char *format, ...);
int vprintf(const char *format, va_list args);
int vfprintf(FILE *stream, const char *format, va_list args);
int vsnprintf(char *buffer, size_t size, const char *format, va_list args);
int _vsnprintf(char *buffer, size_t size, const char *format, va_list args);
int vsprintf(char *buffer, const char *format, va_list args);
int puts(const char *text);
int fputs(const char *text, FILE *stream);
int putchar(int c);
int fputc(int c, FILE *stream);
int putc(int c, FILE *stream);
int getchar(void);
int fgetc(FILE *stream);
int getc(FILE *stream);
int ungetc(int c, FILE *stream);
char *fgets(char *buffer, int size, FILE *stream);
size_t fread(void *buffer, size_t size, size_t count, FILE *stream);
size_t fwrite(const void *buffer, size_t size, size_t count, FILE *stream);
int fflush(FILE *stream);
/* Modes r w a, r+ w+ a+, with b (binary) or t (text: "\n" is written as "\r\n" and read back as "\n",
   as msvcrt does; the console streams are not translated). */
FILE *fopen(const char *path, const char *mode);
int fclose(FILE *stream);
int fseek(FILE *stream, long offset, int origin);
long ftell(FILE *stream);
void rewind(FILE *stream);
int fgetpos(FILE *stream, fpos_t *position);
int fsetpos(FILE *stream, const fpos_t *position);
int feof(FILE *stream);
int ferror(FILE *stream);
void clearerr(FILE *stream);
int setvbuf(FILE *stream, char *buffer, int mode, size_t size);
void setbuf(FILE *stream, char *buffer);
int _fileno(FILE *stream);
#define fileno _fileno
void perror(const char *text);
/* msvcrt's buffer refill and flush, which mingw's _fgetc_nolock/_fputc_nolock macros call. */
int _filbuf(FILE *stream);
int _flsbuf(int c, FILE *stream);

/* The low-level I/O (msvcrt's io.h): descriptors over kernel handles; 0, 1 and 2 the console. */
int _open_osfhandle(intptr_t handle, int flags);
intptr_t _get_osfhandle(int fd);
int _read(int fd, void *buffer, unsigned int count);
int _write(int fd, const void *buffer, unsigned int count);
long _lseek(int fd, long offset, int origin);
int _close(int fd);
int _setmode(int fd, int mode);
int _isatty(int fd);
#define _O_RDONLY 0x0000
#define _O_WRONLY 0x0001
#define _O_RDWR   0x0002
#define _O_APPEND 0x0008
#define _O_TEXT   0x4000
#define _O_BINARY 0x8000

#endif
