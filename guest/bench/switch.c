/* The address-space switch benchmark's guest (tools/bench.mjs): `switch.elf
   PARENT_PAGES CHILD_PAGES` creates a suspended child (this program again),
   makes PARENT_PAGES pages of its own resident and CHILD_PAGES pages of the
   child's (WriteProcessMemory), then waits forever; the benchmark then
   switches between the two address spaces from outside. */
#include <windows.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc < 3) return 0;
  DWORD parent_pages = strtoul(argv[1], NULL, 10), child_pages = strtoul(argv[2], NULL, 10);
  STARTUPINFOA startup = { sizeof startup };
  PROCESS_INFORMATION child;
  if (!CreateProcessA("switch.elf", "switch.elf", NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &startup, &child)) return 1;
  char *mine = VirtualAlloc(NULL, parent_pages * 4096 + 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  for (DWORD i = 0; i < parent_pages; i++) mine[i * 4096] = 1;
  char *theirs = VirtualAllocEx(child.hProcess, NULL, child_pages * 4096 + 4096, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  char one = 1;
  for (DWORD i = 0; i < child_pages; i++) WriteProcessMemory(child.hProcess, theirs + i * 4096, &one, 1, NULL);
  Sleep(INFINITE);
  return 2;
}
