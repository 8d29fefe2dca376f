/* The Microsoft C runtime's error texts (_sys_errlist), indexed by errno. */
#include <string.h>
#include <errno.h>

static const char *const messages[] = {
  "No error", "Operation not permitted", "No such file or directory", "No such process",
  "Interrupted function call", "Input/output error", "No such device or address", "Arg list too long",
  "Exec format error", "Bad file descriptor", "No child processes", "Resource temporarily unavailable",
  "Not enough space", "Permission denied", "Bad address", "Unknown error", "Resource device", "File exists",
  "Improper link", "No such device", "Not a directory", "Is a directory", "Invalid argument",
  "Too many open files in system", "Too many open files", "Inappropriate I/O control operation",
  "Unknown error", "File too large", "No space left on device", "Invalid seek", "Read-only file system",
  "Too many links", "Broken pipe", "Domain error", "Result too large", "Unknown error",
  "Resource deadlock avoided", "Unknown error", "Filename too long", "No locks available",
  "Function not implemented", "Directory not empty", "Illegal byte sequence",
};

#define MESSAGE_COUNT (int)(sizeof messages / sizeof messages[0])

char *strerror(int error) {
  return (char *)(error >= 0 && error < MESSAGE_COUNT ? messages[error] : "Unknown error");
}
