/* Random system calls with random arguments: small numbers, handles,
   pointers into a scratch buffer, into the image, unmapped or kernel
   addresses. Whatever the guest passes, the kernel must answer with a
   status (the test checks that the run ends normally and the invariants
   hold). Services that end the process or replace its registers are left
   out, and so are those that would pull the program's own memory from under
   it (free, protect, unmap): they are fuzzed through bad-pointers.c.
     syscall-fuzz SEED CALLS */
#include <windows.h>
#include <mmscope.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned state;
static unsigned next_random(void) { state = state * 1103515245u + 12345u; return state >> 4; }

static const ULONG services[] = {
  0x11, 0x19, 0x25, 0x32, 0x50, 0x6c, 0x74, 0x7d, 0x97, 0xb2, 0xb7, 0xe0, 0x112, 0x1000, 0x1001, 0x1003,
  0x4242, 0xffff,
};

static char scratch[0x3000] __attribute__((aligned(4096)));

static ULONG random_argument(void) {
  switch (next_random() % 10) {
    case 0: return 0;
    case 1: return next_random() % 16;
    case 2: return 4 * (1 + next_random() % 8);                         /* a handle */
    case 3: return (ULONG)NtCurrentProcess();
    case 4: return (ULONG)(scratch + (next_random() % sizeof scratch & ~3u));
    case 5: return 0x00400000 + (next_random() % 0x4000);               /* the image */
    case 6: return 0x80000000 + next_random() % 0x1000;                 /* kernel space */
    case 7: return next_random() << 4;                                  /* anywhere */
    case 8: return 0x1000 << (next_random() % 20);                      /* a size */
    default: return next_random() & 0x0f00ffff;                          /* flags */
  }
}

int main(int argc, char **argv) {
  state = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
  int calls = argc > 2 ? atoi(argv[2]) : 1000;
  ULONG args[12];
  for (int i = 0; i < calls; i++) {
    for (int j = 0; j < 12; j++) args[j] = random_argument();
    /* Sometimes the argument block itself is scratch memory the other arguments point into. */
    const ULONG *block = next_random() % 8 == 0 ? (const ULONG *)(scratch + 0x1000) : args;
    mmscope_syscall(services[next_random() % (sizeof services / sizeof services[0])], block);
  }
  printf("%d calls made\n", calls);
  return 0;
}
