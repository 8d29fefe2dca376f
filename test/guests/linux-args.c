/* A static Linux i386 program with no SDK: its own _start and int 0x80
   wrappers. Prints its arguments and a checksum, exits with argc + 10.
   Runs unchanged under qemu-i386. */
static int sys3(int number, int a, int b, int c) {
  int result;
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a), "c"(b), "d"(c) : "memory");
  return result;
}

static unsigned length(const char *s) { unsigned n = 0; while (s[n]) n++; return n; }
static void write_text(const char *s) { sys3(4, 1, (int)s, (int)length(s)); }

static void write_number(unsigned value) {
  char text[12];
  int n = sizeof text;
  text[--n] = 0;
  do { text[--n] = (char)('0' + value % 10); value /= 10; } while (value);
  write_text(text + n);
}

static unsigned table[4096];

__attribute__((noreturn, used)) void start_c(int *stack) {
  int argc = stack[0];
  char **argv = (char **)(stack + 1);
  for (int i = 1; i < argc; i++) { write_text(argv[i]); write_text("\n"); }
  unsigned sum = 0;
  for (unsigned i = 0; i < 4096; i++) table[i] = i * 2654435761u;
  for (unsigned i = 0; i < 4096; i += 7) sum += table[i] >> 7;
  write_text("checksum ");
  write_number(sum);
  write_text("\n");
  write_text(sys3(999, 0, 0, 0) == -38 ? "ENOSYS ok\n" : "ENOSYS wrong\n");
  write_text(sys3(4, 1, 0x7fff0000, 4) == -14 ? "EFAULT ok\n" : "EFAULT wrong\n");
  sys3(252, argc + 10, 0, 0);
  for (;;) {}
}

__asm__(".globl _start\n_start:\n  mov %esp, %eax\n  and $-16, %esp\n  sub $12, %esp\n  push %eax\n  call start_c\n");
