/* The seed's warning, as an experiment: take a VAD out of the tree while
   its pages stay mapped. The memory manager now believes the range is free,
   so the next VirtualAlloc gets it again, and the "fresh, zeroed" memory it
   returns still holds the old pages' data. Needs --allow-experiments;
   without it the kernel refuses with STATUS_PRIVILEGE_NOT_HELD. */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <mmscope.h>

int main(void) {
  char *secret = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  strcpy(secret, "the old allocation's secret");
  printf("allocated %p and wrote: %s\n", (void *)secret, secret);
  NTSTATUS status = MmsExperimentRemoveVad(secret);
  printf("MmsExperimentRemoveVad: 0x%08lx\n", (unsigned long)status);
  if (status != 0) return 1;
  MmsDumpVad();
  char *fresh = VirtualAlloc(secret, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  printf("VirtualAlloc at the same address: %p\n", (void *)fresh);
  printf("new memory should be zero; it reads: \"%s\"\n", fresh);
  return fresh && fresh[0] != 0 ? 2 : 0;
}
