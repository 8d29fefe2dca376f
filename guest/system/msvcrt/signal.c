/* signal and raise as msvcrt has them: a handler per signal number; raise
   calls it (reset to SIG_DFL first, as msvcrt does), and the default
   action of SIGINT, SIGABRT, SIGTERM... is to end the process with status 3.
   mingw's exception filter asks signal() for the SIGSEGV/SIGILL/SIGFPE
   handlers when an exception reaches it. */
#include <stdlib.h>
#include <errno.h>

#define NSIG 23
#define SIGINT 2
#define SIGILL 4
#define SIGFPE 8
#define SIGSEGV 11
#define SIGTERM 15
#define SIGBREAK 21
#define SIGABRT 22
#define SIGABRT_COMPAT 6

typedef void (*signal_handler)(int);
#define SIG_DFL ((signal_handler)0)
#define SIG_IGN ((signal_handler)1)
#define SIG_ERR ((signal_handler)-1)

static signal_handler handlers[NSIG + 1];

static int known(int number) {
  switch (number) {
    case SIGINT: case SIGILL: case SIGFPE: case SIGSEGV: case SIGTERM: case SIGBREAK: case SIGABRT: case SIGABRT_COMPAT: return 1;
    default: return 0;
  }
}

signal_handler signal(int number, signal_handler handler) {
  if (!known(number)) { errno = EINVAL; return SIG_ERR; }
  if (number == SIGABRT_COMPAT) number = SIGABRT;
  signal_handler previous = handlers[number];
  handlers[number] = handler;
  return previous;
}

int raise(int number) {
  if (!known(number)) return -1;
  if (number == SIGABRT_COMPAT) number = SIGABRT;
  signal_handler handler = handlers[number];
  if (handler == SIG_IGN) return 0;
  if (handler == SIG_DFL) _exit(3);
  handlers[number] = SIG_DFL;
  handler(number);
  return 0;
}
