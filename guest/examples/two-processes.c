/* Two processes exchange data through one named section. The parent creates
   the page-file-backed section "demo-exchange" and starts this program again
   as its child (CreateProcessA, from the --root directory); the child opens
   the section by name, writes a line into it and signals; the parent reads
   it and writes its answer into the same page, which the child reads.
   Each process prints its own PTE for its view: two page tables, one frame.
   Run: mmscope run --root DIR --trace faults DIR/two-processes.elf */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <mmscope.h>

static void open_shared(HANDLE *section, char **view, HANDLE *ready, HANDLE *answered) {
  *section = OpenFileMappingA(FILE_MAP_WRITE, FALSE, "demo-exchange");
  *view = MapViewOfFile(*section, FILE_MAP_WRITE, 0, 0, 0);
  *ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, "demo-ready");
  *answered = OpenEventA(SYNCHRONIZE, FALSE, "demo-answered");
}

static int child(void) {
  HANDLE section, ready, answered;
  char *view;
  open_shared(&section, &view, &ready, &answered);
  if (!view || !ready || !answered) return 1;
  sprintf(view, "hello from process %lu", GetCurrentProcessId());
  printf("child  %lu wrote at %p\n", GetCurrentProcessId(), (void *)view);
  MmsDumpPte(view);
  SetEvent(ready);
  WaitForSingleObject(answered, INFINITE);
  printf("child  %lu reads \"%s\"\n", GetCurrentProcessId(), view + 64);
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) return child();
  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, "demo-exchange");
  char *view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  HANDLE ready = CreateEventA(NULL, FALSE, FALSE, "demo-ready");
  HANDLE answered = CreateEventA(NULL, FALSE, FALSE, "demo-answered");
  STARTUPINFOA startup = { .cb = sizeof startup };
  PROCESS_INFORMATION child_process;
  char command_line[] = "two-processes.elf child";
  if (!CreateProcessA("two-processes.elf", command_line, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &child_process)) {
    printf("CreateProcessA failed: error %lu (run with --root set to this program's directory)\n", GetLastError());
    return 1;
  }
  WaitForSingleObject(ready, INFINITE);
  printf("parent %lu reads \"%s\" at %p\n", GetCurrentProcessId(), view, (void *)view);
  MmsDumpPte(view);
  strcpy(view + 64, "hello back from the parent");
  SetEvent(answered);
  WaitForSingleObject(child_process.hProcess, INFINITE);
  DWORD code;
  GetExitCodeProcess(child_process.hProcess, &code);
  printf("child %lu exited with %lu\n", child_process.dwProcessId, code);
  return 0;
}
