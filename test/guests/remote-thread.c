/* CreateRemoteThread into a suspended child: the parent allocates memory
   in the child (VirtualAllocEx), writes a routine and its data there
   (WriteProcessMemory), reads them back (ReadProcessMemory), looks at the
   region (VirtualQueryEx), and starts threads of the child on it; each
   thread's TEB and stack are the child's, and its exit code is the
   routine's result. A second routine is the program's own function (the
   same address in the child, which runs the same image): it adds to a
   global the child's main returns once the parent resumes it. Access
   rights are checked as Windows checks them: PROCESS_CREATE_THREAD.
   Run as `remote-thread.elf parent CHILD.elf`. Expected values are
   first-principles arithmetic on the routine's input and Windows'
   documented errors. */
#include <windows.h>
#include <ntdll.h>
#include <string.h>
#include "check.h"

/* What the injected routine leaves in its data block (its argument). */
typedef struct {
  DWORD input;        /* written by the parent */
  DWORD output;       /* input + 0x11110000 */
  DWORD process_id;   /* TEB.ClientId.UniqueProcess (fs:[0x20]) */
  DWORD thread_id;    /* TEB.ClientId.UniqueThread (fs:[0x24]) */
  DWORD stack;        /* ESP in the routine */
} REMOTE_DATA;

/* DWORD WINAPI routine(REMOTE_DATA *data): position-independent machine code. */
static const unsigned char ROUTINE[] = {
  0x8b, 0x4c, 0x24, 0x04,                    /* mov ecx, [esp+4]        */
  0x8b, 0x01,                                /* mov eax, [ecx]          */
  0x05, 0x00, 0x00, 0x11, 0x11,              /* add eax, 0x11110000     */
  0x89, 0x41, 0x04,                          /* mov [ecx+4], eax        */
  0x64, 0x8b, 0x15, 0x20, 0x00, 0x00, 0x00,  /* mov edx, fs:[0x20]      */
  0x89, 0x51, 0x08,                          /* mov [ecx+8], edx        */
  0x64, 0x8b, 0x15, 0x24, 0x00, 0x00, 0x00,  /* mov edx, fs:[0x24]      */
  0x89, 0x51, 0x0c,                          /* mov [ecx+12], edx       */
  0x89, 0x61, 0x10,                          /* mov [ecx+16], esp       */
  0xc2, 0x04, 0x00,                          /* ret 4                   */
};
#define DATA_OFFSET 0x100

/* Added to by remote threads in the child before its main runs; main returns it. */
static volatile LONG child_counter;

static DWORD WINAPI add_to_counter(LPVOID amount) {
  return (DWORD)InterlockedExchangeAdd(&child_counter, (LONG)(ULONG_PTR)amount) + (DWORD)(ULONG_PTR)amount;
}

static DWORD last_error_of(HANDLE handle) { return handle ? 0 : GetLastError(); }

static void read_data(HANDLE child, char *remote, REMOTE_DATA *data) {
  SIZE_T count = 0;
  memset(data, 0, sizeof *data);
  CHECK_TRUE("  ReadProcessMemory of the data block", ReadProcessMemory(child, remote + DATA_OFFSET, data, sizeof *data, &count) && count == sizeof *data);
}

/* Writes the routine and an input, runs it in the child, checks what it did there. */
static void check_routine(HANDLE child, DWORD child_id, char *remote) {
  SIZE_T count = 0;
  CHECK_TRUE("WriteProcessMemory of the routine", WriteProcessMemory(child, remote, ROUTINE, sizeof ROUTINE, &count) && count == sizeof ROUTINE);
  REMOTE_DATA input = { .input = 0x1234 };
  CHECK_TRUE("WriteProcessMemory of its input", WriteProcessMemory(child, remote + DATA_OFFSET, &input, sizeof input, &count));
  unsigned char back[sizeof ROUTINE];
  CHECK_TRUE("ReadProcessMemory of the routine", ReadProcessMemory(child, remote, back, sizeof back, &count) && count == sizeof back);
  CHECK_EQ("  the same bytes", memcmp(back, ROUTINE, sizeof ROUTINE), 0);

  DWORD thread_id = 0;
  HANDLE thread = CreateRemoteThread(child, NULL, 0, (LPTHREAD_START_ROUTINE)remote, remote + DATA_OFFSET, 0, &thread_id);
  CHECK_TRUE("CreateRemoteThread", thread != NULL);
  CHECK_TRUE("  a thread id of its own", thread_id != 0 && thread_id != GetCurrentThreadId() && thread_id != child_id);
  CHECK_EQ("  GetThreadId", GetThreadId(thread), thread_id);
  CHECK_EQ("WaitForSingleObject on it", WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
  DWORD code = 0;
  CHECK_TRUE("GetExitCodeThread", GetExitCodeThread(thread, &code));
  CHECK_EQ("  the routine's result: 0x1234 + 0x11110000", code, 0x11111234);
  REMOTE_DATA data;
  read_data(child, remote, &data);
  CHECK_EQ("  it wrote its result in the child", data.output, 0x11111234);
  CHECK_EQ("  its TEB names the child", data.process_id, child_id);
  CHECK_EQ("  and the thread", data.thread_id, thread_id);
  MEMORY_BASIC_INFORMATION info;
  CHECK_TRUE("  its stack was in the child, and is free now that it ended",
             VirtualQueryEx(child, (LPCVOID)(ULONG_PTR)data.stack, &info, sizeof info) && info.State == MEM_FREE);
  CloseHandle(thread);

  /* Created suspended: nothing happens until ResumeThread. */
  input.input = 0x42;
  WriteProcessMemory(child, remote + DATA_OFFSET, &input, sizeof input, &count);
  thread = CreateRemoteThreadEx(child, NULL, 0, (LPTHREAD_START_ROUTINE)remote, remote + DATA_OFFSET, CREATE_SUSPENDED, NULL, NULL);
  CHECK_TRUE("CreateRemoteThreadEx(CREATE_SUSPENDED)", thread != NULL);
  CHECK_EQ("  WaitForSingleObject(0) times out", WaitForSingleObject(thread, 0), WAIT_TIMEOUT);
  read_data(child, remote, &data);
  CHECK_EQ("  it has not run", data.output, 0);
  CHECK_EQ("  ResumeThread: previous count 1", ResumeThread(thread), 1);
  CHECK_EQ("  then it runs", WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
  CHECK_TRUE("  GetExitCodeThread", GetExitCodeThread(thread, &code) && code == 0x11110042);
  CloseHandle(thread);

  /* Ended from here before it ran: its TEB (the child's second, 0x7FFDD000 as Windows XP places it) goes from the child. */
  thread = CreateRemoteThread(child, NULL, 0, (LPTHREAD_START_ROUTINE)remote, remote + DATA_OFFSET, CREATE_SUSPENDED, NULL);
  MEMORY_BASIC_INFORMATION teb;
  CHECK_TRUE("a suspended remote thread's TEB is committed in the child",
             VirtualQueryEx(child, (LPCVOID)0x7ffdd000, &teb, sizeof teb) && teb.State == MEM_COMMIT);
  CHECK_TRUE("TerminateThread on it", TerminateThread(thread, 5));
  CHECK_TRUE("  GetExitCodeThread: 5", GetExitCodeThread(thread, &code) && code == 5);
  CHECK_TRUE("  its TEB is released in the child", VirtualQueryEx(child, (LPCVOID)0x7ffdd000, &teb, sizeof teb) && teb.State == MEM_FREE);
  CloseHandle(thread);
}

static void check_rights(DWORD child_id, char *remote) {
  HANDLE no_create = OpenProcess(PROCESS_ALL_ACCESS & ~PROCESS_CREATE_THREAD, FALSE, child_id);
  CHECK_EQ("CreateRemoteThread without PROCESS_CREATE_THREAD",
           last_error_of(CreateRemoteThread(no_create, NULL, 0, (LPTHREAD_START_ROUTINE)remote, remote + DATA_OFFSET, 0, NULL)), ERROR_ACCESS_DENIED);
  CloseHandle(no_create);

  /* The kernel asks for PROCESS_CREATE_THREAD alone (PspCreateThread's ObReferenceObjectByHandle). */
  HANDLE create_only = OpenProcess(PROCESS_CREATE_THREAD, FALSE, child_id);
  HANDLE thread = NULL;
  CHECK_EQ("NtCreateThreadEx with PROCESS_CREATE_THREAD only",
           NtCreateThreadEx(&thread, THREAD_ALL_ACCESS, NULL, create_only, (PVOID)add_to_counter, (PVOID)30, 0, 0, 0, 0, NULL), STATUS_SUCCESS);
  CHECK_EQ("  WaitForSingleObject", WaitForSingleObject(thread, INFINITE), WAIT_OBJECT_0);
  DWORD code = 0;
  CHECK_TRUE("  the program's own function ran in the child: 0 + 30", GetExitCodeThread(thread, &code) && code == 30);
  CloseHandle(thread);
  CloseHandle(create_only);

  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, NULL);
  CHECK_EQ("CreateRemoteThread on a section handle",
           last_error_of(CreateRemoteThread(section, NULL, 0, add_to_counter, NULL, 0, NULL)), ERROR_INVALID_HANDLE);
  CloseHandle(section);
  CHECK_EQ("CreateRemoteThread(NULL)", last_error_of(CreateRemoteThread(NULL, NULL, 0, add_to_counter, NULL, 0, NULL)), ERROR_INVALID_HANDLE);
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "parent") != 0) return (int)child_counter; /* the child, once resumed */
  STARTUPINFOA startup = { .cb = sizeof startup };
  PROCESS_INFORMATION child;
  CHECK_TRUE("CreateProcessA(CREATE_SUSPENDED)", CreateProcessA(argv[2], "remote-thread.elf child", NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &startup, &child));

  char *remote = VirtualAllocEx(child.hProcess, NULL, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
  CHECK_TRUE("VirtualAllocEx(PAGE_EXECUTE_READWRITE) in the child", remote != NULL);
  MEMORY_BASIC_INFORMATION info;
  CHECK_EQ("VirtualQueryEx", VirtualQueryEx(child.hProcess, remote, &info, sizeof info), sizeof info);
  CHECK_EQ("  State", info.State, MEM_COMMIT);
  CHECK_EQ("  Protect", info.Protect, PAGE_EXECUTE_READWRITE);
  CHECK_EQ("  Type", info.Type, MEM_PRIVATE);

  check_routine(child.hProcess, child.dwProcessId, remote);
  check_rights(child.dwProcessId, remote);

  HANDLE thread = CreateRemoteThread(child.hProcess, NULL, 0, add_to_counter, (LPVOID)12, 0, NULL);
  WaitForSingleObject(thread, INFINITE);
  DWORD code = 0;
  CHECK_TRUE("a second remote thread sees the first one's addition: 30 + 12", GetExitCodeThread(thread, &code) && code == 42);
  CloseHandle(thread);

  CHECK_TRUE("GetExitCodeProcess: the child's own thread is still suspended", GetExitCodeProcess(child.hProcess, &code) && code == STILL_ACTIVE);
  CHECK_EQ("ResumeThread(the child's initial thread)", ResumeThread(child.hThread), 1);
  CHECK_EQ("WaitForSingleObject(the child)", WaitForSingleObject(child.hProcess, INFINITE), WAIT_OBJECT_0);
  CHECK_TRUE("GetExitCodeProcess: main returned the counter the remote threads made", GetExitCodeProcess(child.hProcess, &code) && code == 42);
  CHECK_EQ("CreateRemoteThread into an ended process",
           last_error_of(CreateRemoteThread(child.hProcess, NULL, 0, add_to_counter, NULL, 0, NULL)), ERROR_ACCESS_DENIED);
  CloseHandle(child.hThread);
  CloseHandle(child.hProcess);
  return CHECK_DONE();
}
