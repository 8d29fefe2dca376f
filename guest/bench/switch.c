/* The address-space switch benchmark's guest (tools/bench.mjs): `switch.elf
   PARENT_PAGES CHILD_PAGES` creates a suspended child (this program again),
   makes PARENT_PAGES pages of its own resident and CHILD_PAGES pages of the
   child's (WriteProcessMemory), then waits forever; the benchmark then
   switches between the two address spaces from outside.
   `switch.elf pingpong N` starts the child `switch.elf player N` and the two
   processes hand the CPU to each other N times through two named auto-reset
   events (SetEvent + WaitForSingleObject each way): every hand-off is a
   context switch to a thread of the other process. Exits 0 when done. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>

/* N rounds of: wait for my event, set theirs. */
static int play(HANDLE mine, HANDLE theirs, long rounds) {
  if (!mine || !theirs) return 3;
  for (long i = 0; i < rounds; i++) {
    WaitForSingleObject(mine, INFINITE);
    SetEvent(theirs);
  }
  return 0;
}

static int pingpong(const char *rounds) {
  HANDLE ping = CreateEventA(NULL, FALSE, TRUE, "mms-bench-ping");
  HANDLE pong = CreateEventA(NULL, FALSE, FALSE, "mms-bench-pong");
  char command_line[64] = "switch.elf player ";
  strncat(command_line, rounds, 20);
  STARTUPINFOA startup = { .cb = sizeof startup };
  PROCESS_INFORMATION child;
  if (!CreateProcessA("switch.elf", command_line, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &child)) return 1;
  int status = play(ping, pong, strtol(rounds, NULL, 10));
  DWORD code = 1;
  WaitForSingleObject(child.hProcess, INFINITE);
  GetExitCodeProcess(child.hProcess, &code);
  return status || code;
}

int main(int argc, char **argv) {
  if (argc < 3) return 0;
  if (!strcmp(argv[1], "pingpong")) return pingpong(argv[2]);
  if (!strcmp(argv[1], "player")) {
    return play(OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, "mms-bench-pong"), OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, "mms-bench-ping"), strtol(argv[2], NULL, 10));
  }
  DWORD parent_pages = strtoul(argv[1], NULL, 10), child_pages = strtoul(argv[2], NULL, 10);
  STARTUPINFOA startup = { .cb = sizeof startup };
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
