/* Two processes with different memory at the same address, for the
   debugger's views of "the current process": the parent commits a page at
   0x30000000 with PARENT_TEXT and one at 0x40000000 (the child has none
   there), starts itself as the child and waits for it; the child commits a
   page at 0x30000000 with CHILD_TEXT and one at 0x50000000 (the parent has
   none there) with CHILD_TEXT too, loads 0x50000000 into ESI and executes
   int3 (STATUS_BREAKPOINT: a debugger stops there, in the child, with ESI
   pointing at the child's page). With no handler the breakpoint ends the
   child with 0x80000003, which the parent prints.
   The child also prints its thread id and TEB address (NT_TIB.Self).
   Run as `debug-child.elf parent CHILD.elf`. */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static const char PARENT_TEXT[] = "parent page";
static const char CHILD_TEXT[] = "child page";

static char *commit_at(unsigned long address) {
  return VirtualAlloc((void *)address, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
}

static int child(void) {
  char *shared_address = commit_at(0x30000000);
  char *own = commit_at(0x50000000);
  if (!shared_address || !own) return 100;
  strcpy(shared_address, CHILD_TEXT);
  strcpy(own, CHILD_TEXT);
  unsigned long teb;
  __asm__ volatile("mov %%fs:0x18, %0" : "=r"(teb)); /* NT_TIB.Self */
  printf("child %lu: %p %s, %p %s\n", GetCurrentProcessId(), (void *)shared_address, shared_address, (void *)own, own);
  printf("child thread %lu teb %08lx\n", GetCurrentThreadId(), teb);
  __asm__ volatile("mov %0, %%esi\n\tint3" : : "r"(own) : "esi", "memory");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "child") == 0) return child();
  if (argc < 3 || strcmp(argv[1], "parent") != 0) return 99;
  char *shared_address = commit_at(0x30000000);
  char *own = commit_at(0x40000000);
  if (!shared_address || !own) return 101;
  strcpy(shared_address, PARENT_TEXT);
  strcpy(own, PARENT_TEXT);
  printf("parent %lu: %p %s, %p %s\n", GetCurrentProcessId(), (void *)shared_address, shared_address, (void *)own, own);
  STARTUPINFOA startup = { sizeof startup };
  PROCESS_INFORMATION info = { 0 };
  char line[] = "child.elf child";
  if (!CreateProcessA(argv[2], line, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &info)) return 102;
  DWORD code = 0;
  WaitForSingleObject(info.hProcess, INFINITE);
  GetExitCodeProcess(info.hProcess, &code);
  printf("child exit code %08lx\n", code);
  return 0;
}
