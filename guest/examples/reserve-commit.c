/* The classic experiment: MEM_RESERVE gives a VAD with no commit charge;
   MEM_COMMIT charges commit but leaves the PTEs not present; the first write
   brings a zeroed frame, the PTE becomes valid and the MMU sets Dirty.
   Each step prints the VAD tree and the PTE as the kernel sees them. */
#include <windows.h>
#include <stdio.h>
#include <mmscope.h>

int main(void) {
  SIZE_T size = 64 * 1024;
  char *region = VirtualAlloc(NULL, size, MEM_RESERVE, PAGE_READWRITE);
  printf("1. reserved 64 KiB at %p\n", (void *)region);
  MmsDumpVad();
  MmsDumpPte(region);

  VirtualAlloc(region, 4096, MEM_COMMIT, PAGE_READWRITE);
  printf("2. committed the first page\n");
  MmsDumpVad();
  MmsDumpPte(region);

  region[0] = 'A';
  printf("3. wrote to it\n");
  MmsDumpPte(region);

  MEMORY_BASIC_INFORMATION info;
  VirtualQuery(region, &info, sizeof info);
  printf("VirtualQuery: base %p size 0x%lx state 0x%lx protect 0x%lx type 0x%lx\n",
         info.BaseAddress, info.RegionSize, info.State, info.Protect, info.Type);

  VirtualFree(region, 0, MEM_RELEASE);
  printf("4. released\n");
  MmsDumpVad();
  return 0;
}
