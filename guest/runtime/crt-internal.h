/* What the C runtime's files share inside the runtime (not part of the SDK). */
#ifndef MMSCOPE_RUNTIME_CRT_INTERNAL_H
#define MMSCOPE_RUNTIME_CRT_INTERNAL_H

/* errno from GetLastError(), as msvcrt's _dosmaperr. */
void mms_set_errno_from_last_error(void);
/* Whether a descriptor translates newlines (text mode). */
int mms_descriptor_is_text(int fd);
/* Flushes and closes every stream (exit does this after the atexit functions). */
void mms_close_all_streams(void);
#endif
