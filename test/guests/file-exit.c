/* Writes to a mapped file and ends without flushing or unmapping: the dirty
   pages must reach the file however the process ends (the lazy writer's
   promise). The file C:\exit.bin (3 pages) is prepared by the test; the
   guest writes one byte to pages 0 and 2, leaves page 1 alone, then ends:
     file-exit return     main returns 7 (ExitProcess)
     file-exit terminate  NtTerminateProcess(NtCurrentProcess(), 8)
     file-exit crash      an unhandled access violation
     file-exit spin       loops until the run's instruction budget stops it
     file-exit wait       Sleep(INFINITE): nothing can wake the only thread */
#include <windows.h>
#include <ntdll.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "return";
  HANDLE file = CreateFileA("C:\\exit.bin", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
  HANDLE section = CreateFileMappingA(file, NULL, PAGE_READWRITE, 0, 0, NULL);
  unsigned char *view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  if (!view) { printf("cannot map: error %lu\n", GetLastError()); return 1; }
  view[5] = 0xa5;
  view[2 * 4096 + 4095] = 0x5a;
  printf("wrote, ending by %s\n", how);
  if (!strcmp(how, "terminate")) NtTerminateProcess(NtCurrentProcess(), 8);
  if (!strcmp(how, "crash")) *(volatile int *)0x10 = 1;
  if (!strcmp(how, "spin")) for (volatile int i = 0;; i++) {}
  if (!strcmp(how, "wait")) Sleep(INFINITE);
  return 7;
}
