/* malloc without the kernel: the process heap reserved 1 MiB at start-up
   and commits more only when it runs out. Run with --trace syscalls: 5,000
   mallocs cost a few NtAllocateVirtualMemory calls, each committing 64 KiB. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <mmscope.h>

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 5000;
  HANDLE heap = GetProcessHeap();
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(heap, &mbi, sizeof mbi);
  printf("process heap at %p: %lu KiB committed\n", heap, mbi.RegionSize / 1024);
  for (int i = 0; i < count; i++) {
    int *block = malloc(32);
    *block = i;
  }
  VirtualQuery(heap, &mbi, sizeof mbi);
  printf("after %d mallocs of 32 bytes: %lu KiB committed\n", count, mbi.RegionSize / 1024);
  MmsDumpVad();
  return 0;
}
