/* Stops the CPU when the host sends SIGINT, SIGTERM or SIGHUP while a guest
   runs. Node runs its signal handlers from its event loop, and the loop is
   busy inside uc_emu_start for as long as the guest runs: so the handler is
   this C function. It records the signal, where the kernel polls it at every
   trap, and asks Unicorn to stop (uc_emu_stop only sets flags, as Unicorn's
   own timer thread does from another thread). A second signal ends the
   process at once, with the shell's 128 + signal status.

   Built by src/cpu/native-build.ts with the host's gcc, linked against
   Debian's libunicorn.so.2 (the same library koffi loaded). */
#include <signal.h>
#include <string.h>
#include <unistd.h>

typedef struct uc_struct uc_engine;
int uc_emu_stop(uc_engine *uc);

static uc_engine *volatile engine;
static volatile sig_atomic_t received;

static void on_signal(int sig) {
  if (received) {
    static const char text[] = "mmscope: a second signal: ending at once\n";
    ssize_t ignored = write(2, text, sizeof text - 1);
    (void)ignored;
    _exit(128 + sig);
  }
  received = sig;
  uc_engine *uc = engine;
  if (uc) uc_emu_stop(uc);
}

/* Installs the handler for SIGINT, SIGTERM and SIGHUP; 0 on success. */
int mms_signals_install(void) {
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    if (sigaction(signals[i], &action, NULL) != 0) return -1;
  }
  return 0;
}

/* The engine a signal stops (NULL: none). */
void mms_signals_watch(uc_engine *uc) { engine = uc; }

/* Where the first signal's number is kept (0 until one arrives). */
volatile sig_atomic_t *mms_signals_received(void) { return &received; }
