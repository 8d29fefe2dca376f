/* NT services misused in every way the kernel must survive; each result is
   printed as "name status" for the test to compare. */
#include <stdio.h>
#include <mmscope.h>

#define PAGE 4096
static char fresh_io[2][PAGE] __attribute__((aligned(PAGE)));

static void show(const char *name, NTSTATUS status) { printf("%s %08lx\n", name, (unsigned long)status); }

int main(void) {
  IO_STATUS_BLOCK io;
  static const char text[] = "to stderr\n";
  show("bad-buffer", NtWriteFile(MMSCOPE_STDOUT_HANDLE, 0, 0, 0, &io, (void *)0x7fff0000, 16, 0, 0));
  show("kernel-iosb", NtWriteFile(MMSCOPE_STDOUT_HANDLE, 0, 0, 0, (PIO_STATUS_BLOCK)0x80000000, "x", 1, 0, 0));
  show("null-iosb", NtWriteFile(MMSCOPE_STDOUT_HANDLE, 0, 0, 0, 0, "x", 1, 0, 0));
  show("bad-handle", NtWriteFile((HANDLE)0x1234, 0, 0, 0, &io, "x", 1, 0, 0));
  show("stdin-handle", NtWriteFile(MMSCOPE_STDIN_HANDLE, 0, 0, 0, &io, "x", 1, 0, 0));
  show("unknown-service", mmscope_syscall(0x9999, 0));
  show("bad-edx", mmscope_syscall(0x112, (const ULONG *)0x80000000));
  show("bad-terminate-handle", NtTerminateProcess((HANDLE)0x44, 7));
  /* The I/O status block lies in a page never touched: the kernel faults it in. */
  PIO_STATUS_BLOCK fresh = (PIO_STATUS_BLOCK)fresh_io[1];
  NTSTATUS status = NtWriteFile(MMSCOPE_STDERR_HANDLE, 0, 0, 0, fresh, text, sizeof text - 1, 0, 0);
  show("fresh-iosb", status);
  printf("iosb %08lx %lu\n", (unsigned long)fresh->Status, (unsigned long)fresh->Information);
  return 0;
}
