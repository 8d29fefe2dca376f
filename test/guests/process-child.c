/* Child processes that run: CreateProcessA of a program in the --root
   sandbox (this one), started suspended and resumed, or started at once;
   waits on process and thread handles (with timeouts) and their exit codes;
   a named section and named events shared with the child.
   Run as `process-child.elf parent CHILD.elf`. The child's modes:
     share     opens the named section, writes MESSAGE into it, sets the
               event "written", waits for "done", exits with 7;
     last      its main thread ends with ExitThread(5) while a second thread
               still runs; that one returns 9, and the process ends with the
               last thread's code, 9 (PspExitThread);
     exit N    exits with N at once;
     crash     writes through a null pointer: an unhandled access violation
               ends it with STATUS_ACCESS_VIOLATION (0xC0000005);
     block     waits forever on an event of its own, until its parent
               terminates it with TerminateProcess(0x55);
     hold      creates the named mutex "mms-child-mutex" owned, sets the
               event "mms-child-holds", sleeps 5 ms and calls ExitProcess(6):
               the process ends under its thread, which still owns the mutex
               (abandoned then: WAIT_ABANDONED 0x80 for the next owner);
     late      sleeps 5 ms, prints a line and exits with 4 (its parent,
               `process-child.elf orphans CHILD.elf`, has ended by then).
   `process-child.elf deadlock CHILD.elf` waits for a "block" child: no
   thread of either process can ever run again.
   Expected values are Windows' documented ones (WAIT_OBJECT_0 0,
   WAIT_TIMEOUT 258, STILL_ACTIVE 259) and the literals the child returns. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define SECTION_NAME "mms-process-child"
static const char MESSAGE[] = "written by the child";

static int share_child(void) {
  HANDLE mapping = OpenFileMappingA(FILE_MAP_WRITE, FALSE, SECTION_NAME);
  HANDLE written = OpenEventA(EVENT_MODIFY_STATE, FALSE, "mms-child-written");
  HANDLE done = OpenEventA(SYNCHRONIZE, FALSE, "mms-child-done");
  if (!mapping || !written || !done) return 100;
  char *view = MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
  if (!view) return 101;
  memcpy(view, MESSAGE, sizeof MESSAGE);
  SetEvent(written);
  if (WaitForSingleObject(done, INFINITE) != WAIT_OBJECT_0) return 102;
  return 7;
}

static DWORD WINAPI last_thread(LPVOID unused) {
  (void)unused;
  Sleep(1);
  return 9;
}

static int last_child(void) {
  HANDLE thread = CreateThread(NULL, 0, last_thread, NULL, 0, NULL);
  if (!thread) return 103;
  CloseHandle(thread);
  ExitThread(5);
}

/* CreateProcessA of `image` with `command_line`; the PROCESS_INFORMATION, or hProcess NULL. */
static PROCESS_INFORMATION start(const char *image, const char *command_line, DWORD flags) {
  STARTUPINFOA startup = { sizeof startup };
  PROCESS_INFORMATION child = { 0 };
  char line[64];
  strcpy(line, command_line);
  if (!CreateProcessA(image, line, NULL, NULL, FALSE, flags, NULL, NULL, &startup, &child)) child.hProcess = NULL;
  return child;
}

static void check_shared_section(const char *image) {
  HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, SECTION_NAME);
  char *view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0);
  HANDLE written = CreateEventA(NULL, TRUE, FALSE, "mms-child-written");
  HANDLE done = CreateEventA(NULL, TRUE, FALSE, "mms-child-done");
  CHECK_TRUE("a named section and two named events", mapping && view && written && done);

  PROCESS_INFORMATION child = start(image, "child.elf share", CREATE_SUSPENDED);
  CHECK_TRUE("CreateProcessA(CREATE_SUSPENDED)", child.hProcess != NULL);
  CHECK_EQ("WaitForSingleObject(process, 0) while it is suspended", WaitForSingleObject(child.hProcess, 0), WAIT_TIMEOUT);
  CHECK_EQ("WaitForSingleObject(thread, 10 ms) while it is suspended", WaitForSingleObject(child.hThread, 10), WAIT_TIMEOUT);
  CHECK_EQ("nothing written before it runs", view[0], 0);
  CHECK_EQ("ResumeThread: the previous suspend count", ResumeThread(child.hThread), 1);
  CHECK_EQ("WaitForSingleObject(written)", WaitForSingleObject(written, INFINITE), WAIT_OBJECT_0);
  CHECK_EQ("the parent reads what the child wrote through the section", memcmp(view, MESSAGE, sizeof MESSAGE), 0);
  DWORD code = 0;
  CHECK_TRUE("GetExitCodeProcess while it waits", GetExitCodeProcess(child.hProcess, &code));
  CHECK_EQ("  STILL_ACTIVE", code, STILL_ACTIVE);
  CHECK_EQ("WaitForSingleObject(process, 0) while it waits", WaitForSingleObject(child.hProcess, 0), WAIT_TIMEOUT);
  SetEvent(done);
  CHECK_EQ("WaitForSingleObject(process, INFINITE)", WaitForSingleObject(child.hProcess, INFINITE), WAIT_OBJECT_0);
  CHECK_TRUE("GetExitCodeProcess after the wait", GetExitCodeProcess(child.hProcess, &code));
  CHECK_EQ("  the code its main returned", code, 7);
  CHECK_TRUE("GetExitCodeThread of its initial thread", GetExitCodeThread(child.hThread, &code));
  CHECK_EQ("  the same code", code, 7);
  HANDLE both[2] = { child.hProcess, child.hThread };
  CHECK_EQ("WaitForMultipleObjects(process and thread, WaitAll, 0) once it ended", WaitForMultipleObjects(2, both, TRUE, 0), WAIT_OBJECT_0);
  CHECK_EQ("the section outlives the child's view and handle", memcmp(view, MESSAGE, sizeof MESSAGE), 0);
  CloseHandle(child.hProcess);
  CloseHandle(child.hThread);
  UnmapViewOfFile(view);
  CloseHandle(mapping);
  CloseHandle(written);
  CloseHandle(done);
}

static void check_exit_codes(const char *image) {
  PROCESS_INFORMATION last = start(image, "child.elf last", 0);
  PROCESS_INFORMATION quick = start(image, "child.elf exit 3", 0);
  CHECK_TRUE("two children started at once", last.hProcess && quick.hProcess);
  HANDLE processes[2] = { last.hProcess, quick.hProcess };
  DWORD first = WaitForMultipleObjects(2, processes, FALSE, INFINITE);
  CHECK_TRUE("WaitForMultipleObjects(WaitAny): one of them", first == WAIT_OBJECT_0 || first == WAIT_OBJECT_0 + 1);
  CHECK_EQ("WaitForMultipleObjects(WaitAll)", WaitForMultipleObjects(2, processes, TRUE, INFINITE), WAIT_OBJECT_0);
  DWORD code = 0;
  CHECK_TRUE("GetExitCodeProcess(exit 3)", GetExitCodeProcess(quick.hProcess, &code));
  CHECK_EQ("  3", code, 3);
  CHECK_TRUE("GetExitCodeProcess(last)", GetExitCodeProcess(last.hProcess, &code));
  CHECK_EQ("  the last thread's code, 9", code, 9);
  CHECK_TRUE("GetExitCodeThread of its initial thread", GetExitCodeThread(last.hThread, &code));
  CHECK_EQ("  the ExitThread code, 5", code, 5);
  for (int i = 0; i < 2; i++) CloseHandle(processes[i]);
  CloseHandle(last.hThread);
  CloseHandle(quick.hThread);

  PROCESS_INFORMATION crash = start(image, "child.elf crash", 0);
  CHECK_EQ("WaitForSingleObject(a child that crashes)", WaitForSingleObject(crash.hProcess, INFINITE), WAIT_OBJECT_0);
  CHECK_TRUE("GetExitCodeProcess", GetExitCodeProcess(crash.hProcess, &code));
  CHECK_EQ("  STATUS_ACCESS_VIOLATION", code, 0xC0000005);
  CloseHandle(crash.hProcess);
  CloseHandle(crash.hThread);

  PROCESS_INFORMATION block = start(image, "child.elf block", 0);
  CHECK_EQ("WaitForSingleObject(a blocked child, 20 ms)", WaitForSingleObject(block.hProcess, 20), WAIT_TIMEOUT);
  CHECK_TRUE("TerminateProcess of the blocked child", TerminateProcess(block.hProcess, 0x55));
  CHECK_EQ("WaitForSingleObject(its thread)", WaitForSingleObject(block.hThread, INFINITE), WAIT_OBJECT_0);
  CHECK_TRUE("GetExitCodeThread", GetExitCodeThread(block.hThread, &code));
  CHECK_EQ("  the TerminateProcess code", code, 0x55);
  CloseHandle(block.hProcess);
  CloseHandle(block.hThread);
}

/* Waits on a child's thread handle already pending when the whole process
   ends (an unhandled exception, ExitProcess): the thread ends with the
   process (PspExitProcess), so the wait is satisfied, and a mutex the thread
   owned is abandoned (KeRundownThread). */
static void check_thread_waits_at_process_end(const char *image) {
  DWORD code = 0;
  PROCESS_INFORMATION crash = start(image, "child.elf crash", 0);
  CHECK_EQ("WaitForSingleObject(the thread of a child that crashes, 1 s)", WaitForSingleObject(crash.hThread, 1000), WAIT_OBJECT_0);
  CHECK_TRUE("GetExitCodeThread", GetExitCodeThread(crash.hThread, &code));
  CHECK_EQ("  STATUS_ACCESS_VIOLATION", code, 0xC0000005);
  CloseHandle(crash.hProcess);
  CloseHandle(crash.hThread);

  HANDLE holds = CreateEventA(NULL, FALSE, FALSE, "mms-child-holds");
  PROCESS_INFORMATION hold = start(image, "child.elf hold", 0);
  CHECK_EQ("WaitForSingleObject(the child holds its mutex)", WaitForSingleObject(holds, INFINITE), WAIT_OBJECT_0);
  HANDLE mutex = OpenMutexA(SYNCHRONIZE, FALSE, "mms-child-mutex");
  CHECK_TRUE("OpenMutexA of the child's mutex", mutex != NULL);
  CHECK_EQ("WaitForSingleObject(the thread of a child in ExitProcess, 1 s)", WaitForSingleObject(hold.hThread, 1000), WAIT_OBJECT_0);
  CHECK_TRUE("GetExitCodeThread", GetExitCodeThread(hold.hThread, &code));
  CHECK_EQ("  the ExitProcess code, 6", code, 6);
  CHECK_EQ("WaitForSingleObject(the mutex its thread owned, 0)", WaitForSingleObject(mutex, 0), WAIT_ABANDONED);
  CloseHandle(mutex);
  CloseHandle(holds);
  CloseHandle(hold.hProcess);
  CloseHandle(hold.hThread);
}

/* The parent ends first: one child goes on running, one stays suspended. */
static int orphans(const char *image) {
  PROCESS_INFORMATION late = start(image, "child.elf late", 0);
  PROCESS_INFORMATION stuck = start(image, "child.elf exit 1", CREATE_SUSPENDED);
  if (!late.hProcess || !stuck.hProcess) return 1;
  printf("parent ends\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "late") == 0) {
    Sleep(5);
    printf("child ran after its parent\n");
    return 4;
  }
  if (argc >= 3 && strcmp(argv[1], "orphans") == 0) return orphans(argv[2]);
  if (argc >= 3 && strcmp(argv[1], "deadlock") == 0) {
    /* Waits for a child that waits for nothing anyone can signal. */
    PROCESS_INFORMATION block = start(argv[2], "child.elf block", 0);
    return block.hProcess && WaitForSingleObject(block.hProcess, INFINITE) == WAIT_OBJECT_0 ? 0 : 1;
  }
  if (argc >= 2 && strcmp(argv[1], "share") == 0) return share_child();
  if (argc >= 2 && strcmp(argv[1], "last") == 0) return last_child();
  if (argc >= 3 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "crash") == 0) return *(volatile int *)0;
  if (argc >= 2 && strcmp(argv[1], "hold") == 0) {
    HANDLE mutex = CreateMutexA(NULL, TRUE, "mms-child-mutex");
    HANDLE holds = OpenEventA(EVENT_MODIFY_STATE, FALSE, "mms-child-holds");
    if (!mutex || !holds) return 104;
    SetEvent(holds);
    Sleep(5);
    ExitProcess(6);
  }
  if (argc >= 2 && strcmp(argv[1], "block") == 0) {
    WaitForSingleObject(CreateEventA(NULL, TRUE, FALSE, NULL), INFINITE);
    return 98;
  }
  if (argc < 3 || strcmp(argv[1], "parent") != 0) return 99;
  check_shared_section(argv[2]);
  check_exit_codes(argv[2]);
  check_thread_waits_at_process_end(argv[2]);
  return CHECK_DONE();
}
