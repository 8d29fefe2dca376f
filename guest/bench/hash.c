/* Compute-bound benchmark: an integer hash loop, static Linux i386 ABI with
   its own _start so the same ELF runs under mmscope and qemu-i386. */
static int sys3(int number, int a, int b, int c) {
  int result;
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a), "c"(b), "d"(c) : "memory");
  return result;
}

static unsigned parse(const char *s) { unsigned n = 0; while (*s >= '0' && *s <= '9') n = n * 10 + (unsigned)(*s++ - '0'); return n; }

__attribute__((noreturn, used)) void start_c(int *stack) {
  unsigned iterations = stack[0] > 1 ? parse(((char **)(stack + 1))[1]) : 200000000u;
  unsigned h = 2166136261u;
  for (unsigned i = 0; i < iterations; i++) {
    h ^= i;
    h *= 16777619u;
    h ^= h >> 13;
  }
  char text[11];
  for (int i = 7; i >= 0; i--) text[7 - i] = "0123456789abcdef"[(h >> (i * 4)) & 15];
  text[8] = '\n';
  sys3(4, 1, (int)text, 9);
  sys3(252, 0, 0, 0);
  for (;;) {}
}

__asm__(".globl _start\n_start:\n  mov %esp, %eax\n  and $-16, %esp\n  sub $12, %esp\n  push %eax\n  call start_c\n");
