/* Windows programs as child processes, from a guest that is itself an ELF
   (the SDK) or a PE (stock mingw-w64): the same source builds as both.
     probe CHILD     CreateProcessA(CREATE_SUSPENDED) of CHILD, then walks the
                     child's address space with VirtualQueryEx and reads each
                     image's headers with ReadProcessMemory: a process that
                     has not run holds its program and ntdll only (the
                     loader in ntdll maps the rest when the thread starts).
                     Prints "image BASE SIZE" per image view and "header
                     BASE IMAGEBASE SIZEOFIMAGE" from its PE header.
     bad NAME...     CreateProcessA of each NAME fails: "bad NAME ERROR".
     run CHILD ARGS  CreateProcessA("CHILD ARGS"), waits for it, prints
                     "child-exit N" from GetExitCodeProcess.
     child CODE      prints a line and returns CODE.
     cmdline ...     prints GetCommandLineA() and argv[0], returns argc.
     fault           takes an access violation its vectored handler skips,
                     returns 41 (exceptions go to the child's own dispatcher).
   Expected values in the guest are Windows' documented ones (MEM_IMAGE,
   STILL_ACTIVE, the IMAGE_DOS_HEADER and IMAGE_NT_HEADERS layout); the
   test compares the printed bases with the files' own headers. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static PROCESS_INFORMATION create(const char *command_line, DWORD flags, BOOL *ok) {
  STARTUPINFOA startup;
  PROCESS_INFORMATION information;
  memset(&startup, 0, sizeof startup);
  memset(&information, 0, sizeof information);
  startup.cb = sizeof startup;
  char line[512];
  strncpy(line, command_line, sizeof line - 1);
  line[sizeof line - 1] = 0;
  *ok = CreateProcessA(NULL, line, NULL, NULL, FALSE, flags, NULL, NULL, &startup, &information);
  return information;
}

/* One image view's headers, read from the other process: the DOS header's e_lfanew, the PE signature, ImageBase and SizeOfImage (an ELF program's view says "elf"). */
static void read_image_header(HANDLE process, DWORD base) {
  IMAGE_DOS_HEADER dos;
  SIZE_T count = 0;
  CHECK_TRUE("ReadProcessMemory of the DOS header", ReadProcessMemory(process, (LPCVOID)base, &dos, sizeof dos, &count));
  CHECK_EQ("  all of it", count, sizeof dos);
  if (memcmp(&dos, "\177ELF", 4) == 0) {
    printf("header %08lx elf\n", (unsigned long)base);
    return;
  }
  CHECK_EQ("  e_magic MZ", dos.e_magic, IMAGE_DOS_SIGNATURE);
  IMAGE_NT_HEADERS32 nt;
  CHECK_TRUE("ReadProcessMemory of the NT headers", ReadProcessMemory(process, (LPCVOID)(base + dos.e_lfanew), &nt, sizeof nt, &count));
  CHECK_EQ("  Signature PE", nt.Signature, IMAGE_NT_SIGNATURE);
  printf("header %08lx %08lx %08lx\n", (unsigned long)base, (unsigned long)nt.OptionalHeader.ImageBase, (unsigned long)nt.OptionalHeader.SizeOfImage);
}

static int probe(const char *child) {
  char line[300];
  snprintf(line, sizeof line, "%s child 5", child);
  BOOL ok;
  PROCESS_INFORMATION information = create(line, CREATE_SUSPENDED, &ok);
  CHECK_TRUE("CreateProcessA(CREATE_SUSPENDED)", ok);
  CHECK_TRUE("  a process id", information.dwProcessId != 0);
  CHECK_TRUE("  a thread id", information.dwThreadId != 0 && information.dwThreadId != information.dwProcessId);
  DWORD code = 0;
  CHECK_TRUE("GetExitCodeProcess", GetExitCodeProcess(information.hProcess, &code));
  CHECK_EQ("  STILL_ACTIVE", code, STILL_ACTIVE);
  /* The walk a tool such as VMMap makes: region by region up to the end of user space. */
  MEMORY_BASIC_INFORMATION info;
  DWORD address = 0, images = 0, regions = 0;
  while (address < 0x7FFF0000 && VirtualQueryEx(information.hProcess, (LPCVOID)address, &info, sizeof info) == sizeof info) {
    regions++;
    if (info.Type == MEM_IMAGE && info.BaseAddress == info.AllocationBase) {
      DWORD size = 0;
      MEMORY_BASIC_INFORMATION part;
      for (DWORD at = (DWORD)info.AllocationBase; VirtualQueryEx(information.hProcess, (LPCVOID)at, &part, sizeof part) == sizeof part
           && part.AllocationBase == info.AllocationBase; at += part.RegionSize) size += part.RegionSize;
      printf("image %08lx %08lx\n", (unsigned long)(DWORD)info.AllocationBase, (unsigned long)size);
      CHECK_EQ("  AllocationProtect PAGE_EXECUTE_WRITECOPY", info.AllocationProtect, PAGE_EXECUTE_WRITECOPY);
      read_image_header(information.hProcess, (DWORD)info.AllocationBase);
      images++;
    }
    address = (DWORD)info.BaseAddress + info.RegionSize;
  }
  printf("images %lu\n", (unsigned long)images);
  CHECK_TRUE("VirtualQueryEx walked the child", regions > images);
  CHECK_TRUE("TerminateProcess", TerminateProcess(information.hProcess, 3));
  CHECK_TRUE("GetExitCodeProcess after TerminateProcess", GetExitCodeProcess(information.hProcess, &code));
  CHECK_EQ("  the code given", code, 3);
  CloseHandle(information.hThread);
  CloseHandle(information.hProcess);
  return CHECK_DONE();
}

static int bad(int count, char **names) {
  for (int i = 0; i < count; i++) {
    BOOL ok;
    PROCESS_INFORMATION information = create(names[i], 0, &ok);
    printf("bad %s %lu\n", names[i], ok ? 0ul : (unsigned long)GetLastError());
    if (ok) { TerminateProcess(information.hProcess, 1); CloseHandle(information.hProcess); CloseHandle(information.hThread); }
  }
  return 0;
}

static int run(const char *child, const char *arguments) {
  char line[300];
  snprintf(line, sizeof line, "%s %s", child, arguments);
  BOOL ok;
  PROCESS_INFORMATION information = create(line, 0, &ok);
  CHECK_TRUE("CreateProcessA", ok);
  CHECK_EQ("WaitForSingleObject(process)", WaitForSingleObject(information.hProcess, INFINITE), WAIT_OBJECT_0);
  DWORD exit_code = 0;
  CHECK_TRUE("GetExitCodeProcess", GetExitCodeProcess(information.hProcess, &exit_code));
  printf("child-exit %lu\n", (unsigned long)exit_code);
  CloseHandle(information.hThread);
  CloseHandle(information.hProcess);
  return CHECK_DONE();
}

/* An access violation the child's own vectored handler skips: `movl $1, 0` is 10 bytes (C7 05, the address, the value). */
static int handled;
static LONG CALLBACK skip_write(EXCEPTION_POINTERS *pointers) {
  if (pointers->ExceptionRecord->ExceptionCode != EXCEPTION_ACCESS_VIOLATION) return EXCEPTION_CONTINUE_SEARCH;
  handled++;
  pointers->ContextRecord->Eip += 10;
  return EXCEPTION_CONTINUE_EXECUTION;
}

static int fault_and_recover(void) {
  AddVectoredExceptionHandler(1, skip_write);
  __asm__ volatile ("movl $1, 0" ::: "memory");
  printf("child handled %d access violation\n", handled);
  return 40 + handled;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "probe") == 0) return probe(argv[2]);
  if (argc >= 2 && strcmp(argv[1], "bad") == 0) return bad(argc - 2, argv + 2);
  if (argc >= 4 && strcmp(argv[1], "run") == 0) return run(argv[2], argv[3]);
  if (argc >= 2 && strcmp(argv[1], "fault") == 0) return fault_and_recover();
  if (argc >= 2 && strcmp(argv[1], "cmdline") == 0) {
    printf("cmdline [%s] argv[0] [%s]\n", GetCommandLineA(), argv[0]);
    return argc;
  }
  if (argc >= 3 && strcmp(argv[1], "child") == 0) {
    printf("child %s: pid %lu, %d arguments\n", argv[0], (unsigned long)GetCurrentProcessId(), argc);
    return atoi(argv[2]);
  }
  printf("usage: probe CHILD | bad NAME... | run CHILD CODE | child CODE\n");
  return 2;
}
