/* stdout and stderr: unbuffered, one NtWriteFile per call, so guest output
   and the kernel's trace interleave in the order things happened. */
#include <stdio.h>
#include <string.h>
#include <mmscope.h>

struct mmscope_file { HANDLE handle; };

static struct mmscope_file stdout_file = { MMSCOPE_STDOUT_HANDLE };
static struct mmscope_file stderr_file = { MMSCOPE_STDERR_HANDLE };
FILE *const stdout = &stdout_file;
FILE *const stderr = &stderr_file;

static int write_all(FILE *stream, const char *data, size_t length) {
  IO_STATUS_BLOCK io;
  NTSTATUS status = NtWriteFile(stream->handle, 0, 0, 0, &io, data, length, 0, 0);
  return NT_SUCCESS(status) ? (int)length : EOF;
}

int vfprintf(FILE *stream, const char *format, va_list args) {
  char small[512];
  va_list copy;
  va_copy(copy, args);
  int length = vsnprintf(small, sizeof small, format, copy);
  va_end(copy);
  if (length < (int)sizeof small) return write_all(stream, small, length);
  /* Longer output: format again into a stack buffer of the exact size. */
  char large[length + 1];
  vsnprintf(large, length + 1, format, args);
  return write_all(stream, large, length);
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

int fputs(const char *text, FILE *stream) { return write_all(stream, text, strlen(text)); }

int puts(const char *text) {
  if (fputs(text, stdout) == EOF) return EOF;
  return write_all(stdout, "\n", 1);
}

int putchar(int c) {
  char ch = (char)c;
  return write_all(stdout, &ch, 1) == EOF ? EOF : (unsigned char)c;
}

int fflush(FILE *stream) { (void)stream; return 0; }
