/* Trap benchmarks, one static Linux i386 ELF with its own _start, so the same
   file runs under mmscope and qemu-i386:
     traps touch N     write one byte to each of N fresh .bss pages (N <= 49152),
                       then read them back: one demand-zero fault each
     traps scatter N   the same for every other page (N <= 24576): no two
                       pages share a host mapping, so past mmscope's
                       host-mapping cap the working set is trimmed and the
                       reads back are soft faults
     traps getpid N    N Linux getpid calls (int 0x80, EAX = 20)
     traps nt N        N NtClose(0) calls (int 0x2e, STATUS_INVALID_HANDLE):
                       an NT service through its argument copy; mmscope only
   Exits 0 when every call returned what the kernel must return. */
#define PAGE 4096
#define MAX_PAGES 49152
static char area[MAX_PAGES][PAGE] __attribute__((aligned(PAGE)));

static int sys1(int number, int a) {
  int result;
  __asm__ volatile("int $0x80" : "=a"(result) : "a"(number), "b"(a) : "memory");
  return result;
}

static unsigned nt_close(unsigned handle) {
  unsigned args[1] = { handle }, status;
  __asm__ volatile("int $0x2e" : "=a"(status) : "a"(0x19), "d"(args) : "memory");
  return status;
}

static unsigned parse(const char *s) { unsigned n = 0; while (*s >= '0' && *s <= '9') n = n * 10 + (unsigned)(*s++ - '0'); return n; }
static int same(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

static int touch(unsigned pages, unsigned stride) {
  if (pages > MAX_PAGES / stride) pages = MAX_PAGES / stride;
  for (unsigned i = 0; i < pages; i++) area[i * stride][0] = 1;
  unsigned sum = 0;
  for (unsigned i = 0; i < pages; i++) sum += (unsigned)area[i * stride][0];
  return sum == pages ? 0 : 1;
}

static int getpids(unsigned calls) {
  int first = sys1(20, 0), bad = first <= 0;
  for (unsigned i = 1; i < calls; i++) bad |= sys1(20, 0) != first;
  return bad;
}

static int nt_closes(unsigned calls) {
  int bad = 0;
  for (unsigned i = 0; i < calls; i++) bad |= nt_close(0) != 0xC0000008u; /* STATUS_INVALID_HANDLE */
  return bad;
}

__attribute__((noreturn, used)) void start_c(int *stack) {
  char **argv = (char **)(stack + 1);
  int status = 2;
  if (stack[0] > 2) {
    unsigned n = parse(argv[2]);
    if (same(argv[1], "touch")) status = touch(n, 1);
    else if (same(argv[1], "scatter")) status = touch(n, 2);
    else if (same(argv[1], "getpid")) status = getpids(n);
    else if (same(argv[1], "nt")) status = nt_closes(n);
  }
  sys1(252, status);
  for (;;) {}
}

__asm__(".globl _start\n_start:\n  mov %esp, %eax\n  and $-16, %esp\n  sub $12, %esp\n  push %eax\n  call start_c\n");
