/* The C runtime's low-level I/O, as msvcrt's _open_osfhandle, _read,
   _write, _lseek and _close: small descriptors naming kernel handles, with
   msvcrt's text mode on files ("\n" written as "\r\n", "\r\n" read as "\n").
   Descriptors 0, 1 and 2 are the console handles; the console is the host's
   terminal, so its output is never translated. Errors set errno as
   msvcrt's _dosmaperr does. */
#include <windows.h>
#include <stdio.h>
#include <errno.h>
#include <mmscope.h>
#include "crt-internal.h"

#define MAX_DESCRIPTORS 64
#define FD_OPEN   0x01
#define FD_APPEND 0x20
#define FD_TEXT   0x80

typedef struct { HANDLE handle; int flags; } DESCRIPTOR;

static DESCRIPTOR descriptors[MAX_DESCRIPTORS] = {
  { MMSCOPE_STDIN_HANDLE, FD_OPEN }, { MMSCOPE_STDOUT_HANDLE, FD_OPEN }, { MMSCOPE_STDERR_HANDLE, FD_OPEN },
};

static DESCRIPTOR *descriptor(int fd) {
  if (fd < 0 || fd >= MAX_DESCRIPTORS || !(descriptors[fd].flags & FD_OPEN)) { errno = EBADF; return NULL; }
  return &descriptors[fd];
}

/* msvcrt's _dosmaperr for the errors the file services give. */
void mms_set_errno_from_last_error(void) {
  switch (GetLastError()) {
    case ERROR_FILE_NOT_FOUND: case ERROR_PATH_NOT_FOUND: case ERROR_INVALID_NAME: case ERROR_BAD_PATHNAME: errno = ENOENT; break;
    case ERROR_ACCESS_DENIED: case ERROR_WRITE_PROTECT: errno = EACCES; break;
    case ERROR_INVALID_HANDLE: errno = EBADF; break;
    case ERROR_NOT_ENOUGH_MEMORY: case ERROR_NOT_ENOUGH_QUOTA: errno = ENOMEM; break;
    case ERROR_FILE_EXISTS: case ERROR_ALREADY_EXISTS: errno = EEXIST; break;
    case ERROR_DISK_FULL: errno = ENOSPC; break;
    case ERROR_NEGATIVE_SEEK: errno = EINVAL; break;
    case ERROR_DIRECTORY: errno = EISDIR; break;
    default: errno = EINVAL; break;
  }
}

int _open_osfhandle(intptr_t handle, int flags) {
  for (int fd = 3; fd < MAX_DESCRIPTORS; fd++) {
    if (descriptors[fd].flags & FD_OPEN) continue;
    descriptors[fd].handle = (HANDLE)handle;
    descriptors[fd].flags = FD_OPEN | (flags & _O_APPEND ? FD_APPEND : 0) | (flags & _O_BINARY ? 0 : FD_TEXT);
    return fd;
  }
  errno = EMFILE;
  return -1;
}

intptr_t _get_osfhandle(int fd) {
  DESCRIPTOR *d = descriptor(fd);
  return d ? (intptr_t)d->handle : (intptr_t)INVALID_HANDLE_VALUE;
}

int _isatty(int fd) { return fd >= 0 && fd <= 2 && descriptor(fd) ? 1 : 0; }

/* The previous mode (_O_TEXT or _O_BINARY), as msvcrt returns it. */
int _setmode(int fd, int mode) {
  DESCRIPTOR *d = descriptor(fd);
  if (!d) return -1;
  if (mode != _O_TEXT && mode != _O_BINARY) { errno = EINVAL; return -1; }
  int previous = d->flags & FD_TEXT ? _O_TEXT : _O_BINARY;
  if (fd > 2) d->flags = (d->flags & ~FD_TEXT) | (mode == _O_TEXT ? FD_TEXT : 0);
  return previous;
}

int mms_descriptor_is_text(int fd) {
  DESCRIPTOR *d = descriptor(fd);
  return d && (d->flags & FD_TEXT);
}

long _lseek(int fd, long offset, int origin) {
  DESCRIPTOR *d = descriptor(fd);
  if (!d) return -1;
  if (origin < SEEK_SET || origin > SEEK_END) { errno = EINVAL; return -1; }
  DWORD position = SetFilePointer(d->handle, offset, NULL, (DWORD)origin);
  if (position == INVALID_SET_FILE_POINTER && GetLastError() != NO_ERROR) { mms_set_errno_from_last_error(); return -1; }
  return (long)position;
}

static int write_raw(DESCRIPTOR *d, const char *data, DWORD length) {
  DWORD written;
  if (!WriteFile(d->handle, data, length, &written, NULL)) { mms_set_errno_from_last_error(); return -1; }
  if (written < length) { errno = ENOSPC; return -1; }
  return 0;
}

/* Text mode writes each "\n" as "\r\n"; the result counts the caller's bytes. */
int _write(int fd, const void *buffer, unsigned int count) {
  DESCRIPTOR *d = descriptor(fd);
  if (!d) return -1;
  if (d->flags & FD_APPEND) SetFilePointer(d->handle, 0, NULL, FILE_END);
  const char *data = buffer;
  if (!(d->flags & FD_TEXT)) return write_raw(d, data, count) == 0 ? (int)count : -1;
  char translated[1024];
  unsigned int used = 0;
  for (unsigned int i = 0; i < count; i++) {
    if (used + 2 > sizeof translated) {
      if (write_raw(d, translated, used) != 0) return -1;
      used = 0;
    }
    if (data[i] == '\n') translated[used++] = '\r';
    translated[used++] = data[i];
  }
  if (used && write_raw(d, translated, used) != 0) return -1;
  return (int)count;
}

/* Text mode drops the "\r" of each "\r\n", looking one byte ahead when a read ends in "\r", as msvcrt's _read does. */
int _read(int fd, void *buffer, unsigned int count) {
  DESCRIPTOR *d = descriptor(fd);
  if (!d) return -1;
  DWORD got = 0;
  if (!ReadFile(d->handle, buffer, count, &got, NULL)) { mms_set_errno_from_last_error(); return -1; }
  if (!(d->flags & FD_TEXT) || got == 0) return (int)got;
  char *text = buffer;
  DWORD kept = 0;
  for (DWORD i = 0; i < got; i++) {
    if (text[i] == '\r' && i + 1 < got && text[i + 1] == '\n') continue;
    text[kept++] = text[i];
  }
  if (text[kept - 1] == '\r') {
    char next;
    DWORD one = 0;
    if (ReadFile(d->handle, &next, 1, &one, NULL) && one == 1) {
      if (next == '\n') text[kept - 1] = '\n';
      else SetFilePointer(d->handle, -1, NULL, FILE_CURRENT);
    }
  }
  return (int)kept;
}

int _close(int fd) {
  DESCRIPTOR *d = descriptor(fd);
  if (!d) return -1;
  d->flags = 0;
  if (fd <= 2) return 0;   /* the console handles are the process's, not the descriptor's */
  if (!CloseHandle(d->handle)) { mms_set_errno_from_last_error(); return -1; }
  return 0;
}
