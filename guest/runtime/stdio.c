/* Streams with msvcrt's FILE (struct _iobuf) in msvcrt's table _iob: reads
   go through a buffer (_ptr/_cnt, as mingw's _fgetc_nolock expects), writes
   are unbuffered, so each printf is one write and console output
   interleaves with the kernel's trace in the order things happened.
   Files are opened with CreateFileA and reached through the descriptors of
   low-io.c. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "crt-internal.h"

#define _IOREAD  0x0001
#define _IOWRT   0x0002
#define _IOMYBUF 0x0008
#define _IOEOF   0x0010
#define _IOERR   0x0020
#define _IORW    0x0080
#define READ_BUFFER_BYTES 4096

FILE _iob[_IOB_ENTRIES] = {
  { 0, 0, 0, _IOREAD, 0, 0, 0, 0 },
  { 0, 0, 0, _IOWRT, 1, 0, 0, 0 },
  { 0, 0, 0, _IOWRT, 2, 0, 0, 0 },
};

FILE *__iob_func(void) { return _iob; }

/* The bytes read ahead and not yet consumed are given back to the file before anything moves its position. */
static void drop_read_buffer(FILE *stream) {
  if (stream->_cnt > 0) {
    long unread = stream->_cnt;
    if (mms_descriptor_is_text(stream->_file)) for (int i = 0; i < stream->_cnt; i++) unread += stream->_ptr[i] == '\n';
    _lseek(stream->_file, -unread, SEEK_CUR);
  }
  stream->_cnt = 0;
  stream->_ptr = stream->_base;
}

static int write_stream(FILE *stream, const void *data, size_t length) {
  if (!(stream->_flag & (_IOWRT | _IORW))) { stream->_flag |= _IOERR; errno = EBADF; return EOF; }
  drop_read_buffer(stream);
  if (length == 0) return 0;
  if (_write(stream->_file, data, (unsigned)length) != (int)length) { stream->_flag |= _IOERR; return EOF; }
  return (int)length;
}

int _filbuf(FILE *stream) {
  if (!(stream->_flag & (_IOREAD | _IORW)) || (stream->_flag & _IOEOF)) {
    if (!(stream->_flag & (_IOREAD | _IORW))) { stream->_flag |= _IOERR; errno = EBADF; }
    return EOF;
  }
  if (!stream->_base) {
    stream->_base = malloc(READ_BUFFER_BYTES);
    if (!stream->_base) { stream->_flag |= _IOERR; errno = ENOMEM; return EOF; }
    stream->_bufsiz = READ_BUFFER_BYTES;
    stream->_flag |= _IOMYBUF;
  }
  int got = _read(stream->_file, stream->_base, (unsigned)stream->_bufsiz);
  if (got <= 0) {
    stream->_flag |= got == 0 ? _IOEOF : _IOERR;
    stream->_cnt = 0;
    return EOF;
  }
  stream->_ptr = stream->_base + 1;
  stream->_cnt = got - 1;
  return (unsigned char)stream->_base[0];
}

int _flsbuf(int c, FILE *stream) {
  unsigned char byte = (unsigned char)c;
  stream->_cnt = 0;
  return write_stream(stream, &byte, 1) == EOF ? EOF : byte;
}

int fgetc(FILE *stream) {
  if (stream->_cnt > 0) { stream->_cnt--; return (unsigned char)*stream->_ptr++; }
  stream->_cnt = 0;
  return _filbuf(stream);
}
int getc(FILE *stream) { return fgetc(stream); }
int getchar(void) { return fgetc(stdin); }

/* One character back into the read buffer (at least one is always possible after a read). */
int ungetc(int c, FILE *stream) {
  if (c == EOF) return EOF;
  if (stream->_base && stream->_ptr > stream->_base) {
    *--stream->_ptr = (char)c;
    stream->_cnt++;
    stream->_flag &= ~_IOEOF;
    return (unsigned char)c;
  }
  return EOF;
}

int fputc(int c, FILE *stream) { return _flsbuf(c, stream); }
int putc(int c, FILE *stream) { return fputc(c, stream); }
int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *text, FILE *stream) { return write_stream(stream, text, strlen(text)) == EOF ? EOF : 0; }

int puts(const char *text) {
  if (fputs(text, stdout) == EOF) return EOF;
  return write_stream(stdout, "\n", 1) == EOF ? EOF : 0;
}

char *fgets(char *buffer, int size, FILE *stream) {
  if (size <= 0) return NULL;
  int used = 0;
  while (used + 1 < size) {
    int c = fgetc(stream);
    if (c == EOF) break;
    buffer[used++] = (char)c;
    if (c == '\n') break;
  }
  if (used == 0) return NULL;
  buffer[used] = '\0';
  return buffer;
}

size_t fread(void *buffer, size_t size, size_t count, FILE *stream) {
  size_t wanted = size * count, done = 0;
  if (size == 0 || count == 0) return 0;
  char *out = buffer;
  while (done < wanted) {
    if (stream->_cnt > 0) {
      size_t take = (size_t)stream->_cnt < wanted - done ? (size_t)stream->_cnt : wanted - done;
      memcpy(out + done, stream->_ptr, take);
      stream->_ptr += take;
      stream->_cnt -= (int)take;
      done += take;
      continue;
    }
    int c = _filbuf(stream);
    if (c == EOF) break;
    out[done++] = (char)c;
  }
  return done / size;
}

size_t fwrite(const void *buffer, size_t size, size_t count, FILE *stream) {
  if (size == 0 || count == 0) return 0;
  return write_stream(stream, buffer, size * count) == EOF ? 0 : count;
}

int vfprintf(FILE *stream, const char *format, va_list args) {
  char small[512];
  va_list copy;
  va_copy(copy, args);
  int length = vsnprintf(small, sizeof small, format, copy);
  va_end(copy);
  if (length < (int)sizeof small) return write_stream(stream, small, length) == EOF ? -1 : length;
  /* Longer output: format again into a heap buffer of the exact size. */
  char *large = malloc((size_t)length + 1);
  if (!large) { errno = ENOMEM; return -1; }
  vsnprintf(large, (size_t)length + 1, format, args);
  int result = write_stream(stream, large, length) == EOF ? -1 : length;
  free(large);
  return result;
}

int fprintf(FILE *stream, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vfprintf(stream, format, args);
  va_end(args);
  return n;
}

int vprintf(const char *format, va_list args) { return vfprintf(stdout, format, args); }

int printf(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vfprintf(stdout, format, args);
  va_end(args);
  return n;
}

/* Writes are unbuffered: flushing gives back read-ahead, as msvcrt's fflush on a read stream leaves the position where the caller is. */
int fflush(FILE *stream) {
  if (!stream) return 0;
  if (stream->_flag & _IORW) drop_read_buffer(stream);
  return 0;
}

static FILE *free_stream(void) {
  for (int i = 3; i < _IOB_ENTRIES; i++) if (!(_iob[i]._flag & (_IOREAD | _IOWRT | _IORW))) return &_iob[i];
  errno = EMFILE;
  return NULL;
}

/* fopen's mode as CreateFileA's access and disposition, and the stream's flags. */
static int parse_mode(const char *mode, DWORD *access, DWORD *disposition, int *flags, int *open_flags) {
  switch (mode[0]) {
    case 'r': *access = GENERIC_READ; *disposition = OPEN_EXISTING; *flags = _IOREAD; *open_flags = 0; break;
    case 'w': *access = GENERIC_WRITE; *disposition = CREATE_ALWAYS; *flags = _IOWRT; *open_flags = 0; break;
    case 'a': *access = GENERIC_WRITE; *disposition = OPEN_ALWAYS; *flags = _IOWRT; *open_flags = _O_APPEND; break;
    default: return 0;
  }
  for (const char *p = mode + 1; *p; p++) {
    switch (*p) {
      case '+': *access = GENERIC_READ | GENERIC_WRITE; *flags = _IORW; break;
      case 'b': *open_flags |= _O_BINARY; break;
      case 't': *open_flags &= ~_O_BINARY; break;
      default: break;   /* msvcrt's c, n, S, R, T, D and ccs= are accepted and change nothing here */
    }
  }
  return 1;
}

FILE *fopen(const char *path, const char *mode) {
  DWORD access, disposition;
  int flags, open_flags;
  if (!path || !mode || !parse_mode(mode, &access, &disposition, &flags, &open_flags)) { errno = EINVAL; return NULL; }
  FILE *stream = free_stream();
  if (!stream) return NULL;
  HANDLE file = CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, disposition, FILE_ATTRIBUTE_NORMAL, NULL);
  if (file == INVALID_HANDLE_VALUE) { mms_set_errno_from_last_error(); return NULL; }
  int fd = _open_osfhandle((intptr_t)file, open_flags);
  if (fd < 0) { CloseHandle(file); return NULL; }
  memset(stream, 0, sizeof *stream);
  stream->_file = fd;
  stream->_flag = flags;
  return stream;
}

int fclose(FILE *stream) {
  if (!(stream->_flag & (_IOREAD | _IOWRT | _IORW))) { errno = EINVAL; return EOF; }
  int result = (stream->_flag & _IOERR) ? EOF : 0;
  if (stream->_flag & _IOMYBUF) free(stream->_base);
  if (_close(stream->_file) != 0) result = EOF;
  memset(stream, 0, sizeof *stream);
  return result;
}

void mms_close_all_streams(void) {
  for (int i = 3; i < _IOB_ENTRIES; i++) if (_iob[i]._flag & (_IOREAD | _IOWRT | _IORW)) fclose(&_iob[i]);
}

int fseek(FILE *stream, long offset, int origin) {
  if (origin == SEEK_CUR) { offset += ftell(stream); origin = SEEK_SET; }
  drop_read_buffer(stream);
  stream->_flag &= ~_IOEOF;
  return _lseek(stream->_file, offset, origin) == -1 ? -1 : 0;
}

/* The descriptor's position less what is read ahead (in text mode each buffered "\n" was two bytes, as msvcrt counts it). */
long ftell(FILE *stream) {
  long position = _lseek(stream->_file, 0, SEEK_CUR);
  if (position == -1 || stream->_cnt <= 0) return position;
  position -= stream->_cnt;
  if (mms_descriptor_is_text(stream->_file)) for (int i = 0; i < stream->_cnt; i++) position -= stream->_ptr[i] == '\n';
  return position;
}

void rewind(FILE *stream) {
  fseek(stream, 0, SEEK_SET);
  stream->_flag &= ~_IOERR;
}

int fgetpos(FILE *stream, fpos_t *position) {
  long at = ftell(stream);
  if (at == -1) return -1;
  *position = at;
  return 0;
}

int fsetpos(FILE *stream, const fpos_t *position) { return fseek(stream, (long)*position, SEEK_SET); }

int feof(FILE *stream) { return (stream->_flag & _IOEOF) != 0; }
int ferror(FILE *stream) { return (stream->_flag & _IOERR) != 0; }
void clearerr(FILE *stream) { stream->_flag &= ~(_IOEOF | _IOERR); }
int _fileno(FILE *stream) { return stream->_file; }

/* Writes are unbuffered whatever is asked; the modes are checked as msvcrt checks them. */
int setvbuf(FILE *stream, char *buffer, int mode, size_t size) {
  (void)stream; (void)buffer; (void)size;
  if (mode != _IOFBF && mode != _IOLBF && mode != _IONBF) { errno = EINVAL; return -1; }
  return 0;
}

void setbuf(FILE *stream, char *buffer) { setvbuf(stream, buffer, buffer ? _IOFBF : _IONBF, BUFSIZ); }

void perror(const char *text) {
  if (text && *text) fprintf(stderr, "%s: %s\n", text, strerror(errno));
  else fprintf(stderr, "%s\n", strerror(errno));
}
