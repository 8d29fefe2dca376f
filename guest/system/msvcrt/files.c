/* File-name functions of msvcrt that the kernel cannot carry out yet: it
   has no service that deletes or renames a file, so remove and rename fail
   honestly (-1, errno ENOSYS) instead of pretending. */
#include <errno.h>

int remove(const char *path) { (void)path; errno = ENOSYS; return -1; }
int rename(const char *from, const char *to) { (void)from; (void)to; errno = ENOSYS; return -1; }
int _unlink(const char *path) { return remove(path); }
