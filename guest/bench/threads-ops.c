/* Thread benchmarks (mmscope only: Windows threads):
     threads-ops spin N       two threads each run N iterations of a compute loop while
                              the main thread waits: with a small --quantum the
                              difference to a huge one is the cost of the switches
     threads-ops pingpong N   two threads hand the CPU to each other N times through two
                              auto-reset events (SetEvent + WaitForSingleObject each way)
   Exits 0 when the work was done as asked. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned sink[2];
static LONG rounds;
static HANDLE ping, pong;

static DWORD WINAPI spin(LPVOID parameter) {
  unsigned index = (unsigned)(ULONG_PTR)parameter, x = index + 1;
  for (LONG i = 0; i < rounds; i++) x = x * 1103515245u + 12345u;
  sink[index] = x;
  return 0;
}

static DWORD WINAPI player(LPVOID parameter) {
  HANDLE mine = parameter ? ping : pong, theirs = parameter ? pong : ping;
  for (LONG i = 0; i < rounds; i++) {
    WaitForSingleObject(mine, INFINITE);
    SetEvent(theirs);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  rounds = strtol(argv[2], NULL, 10);
  HANDLE threads[2];
  if (!strcmp(argv[1], "spin")) {
    for (int i = 0; i < 2; i++) threads[i] = CreateThread(NULL, 0, spin, (LPVOID)(ULONG_PTR)i, 0, NULL);
  } else if (!strcmp(argv[1], "pingpong")) {
    ping = CreateEventA(NULL, FALSE, TRUE, NULL);
    pong = CreateEventA(NULL, FALSE, FALSE, NULL);
    for (int i = 0; i < 2; i++) threads[i] = CreateThread(NULL, 0, player, (LPVOID)(ULONG_PTR)i, 0, NULL);
  } else {
    return 2;
  }
  return WaitForMultipleObjects(2, threads, TRUE, INFINITE) == WAIT_OBJECT_0 ? 0 : 1;
}
