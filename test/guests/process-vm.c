/* Another process's memory, from a guest: CreateProcessA(CREATE_SUSPENDED)
   of a program in the --root sandbox, then VirtualAllocEx, WriteProcessMemory,
   ReadProcessMemory (a partial copy is ERROR_PARTIAL_COPY with the bytes that
   were copied), VirtualQueryEx, VirtualProtectEx, VirtualFreeEx, a named
   section mapped into the child with MapViewOfFile2, the access each handle
   was opened with (ERROR_ACCESS_DENIED), and TerminateProcess.
   Run as `process-vm.elf parent CHILD.elf`; the child (the same program) is
   never resumed. Expected values are Windows' documented ones. */
#include <windows.h>
#include <ntdll.h>
#include <string.h>
#include "check.h"

static const char MESSAGE[] = "written by the parent";

static DWORD last_error_of(BOOL ok) { return ok ? 0 : GetLastError(); }

static void check_access(DWORD child_id) {
  HANDLE reader = OpenProcess(PROCESS_VM_READ, FALSE, child_id);
  CHECK_TRUE("OpenProcess(PROCESS_VM_READ)", reader != NULL);
  char byte;
  SIZE_T count = 0;
  CHECK_EQ("VirtualAllocEx without PROCESS_VM_OPERATION", VirtualAllocEx(reader, NULL, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE), NULL);
  CHECK_EQ("  ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  MEMORY_BASIC_INFORMATION info;
  CHECK_EQ("VirtualQueryEx without PROCESS_QUERY_INFORMATION", VirtualQueryEx(reader, (LPCVOID)0x400000, &info, sizeof info), 0);
  CHECK_EQ("  ERROR_ACCESS_DENIED", GetLastError(), ERROR_ACCESS_DENIED);
  CHECK_EQ("WriteProcessMemory without PROCESS_VM_WRITE", last_error_of(WriteProcessMemory(reader, (LPVOID)0x400000, "x", 1, &count)), ERROR_ACCESS_DENIED);
  CHECK_EQ("TerminateProcess without PROCESS_TERMINATE", last_error_of(TerminateProcess(reader, 1)), ERROR_ACCESS_DENIED);
  DWORD code;
  CHECK_EQ("GetExitCodeProcess without PROCESS_QUERY_LIMITED_INFORMATION", last_error_of(GetExitCodeProcess(reader, &code)), ERROR_ACCESS_DENIED);
  CHECK_TRUE("ReadProcessMemory with PROCESS_VM_READ", ReadProcessMemory(reader, (LPCVOID)0x400000, &byte, 1, &count) && count == 1);
  CloseHandle(reader);

  HANDLE query = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, child_id);
  CHECK_TRUE("GetExitCodeProcess with PROCESS_QUERY_LIMITED_INFORMATION", GetExitCodeProcess(query, &code) && code == STILL_ACTIVE);
  CHECK_EQ("ReadProcessMemory without PROCESS_VM_READ", last_error_of(ReadProcessMemory(query, (LPCVOID)0x400000, &byte, 1, &count)), ERROR_ACCESS_DENIED);
  CloseHandle(query);

  CHECK_EQ("OpenProcess of an id no process has", OpenProcess(PROCESS_ALL_ACCESS, FALSE, 0xfff0), NULL);
  CHECK_EQ("  ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x1000, NULL);
  CHECK_EQ("VirtualAllocEx on a section handle", VirtualAllocEx(section, NULL, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE), NULL);
  CHECK_EQ("  ERROR_INVALID_HANDLE (STATUS_OBJECT_TYPE_MISMATCH)", GetLastError(), ERROR_INVALID_HANDLE);
  CloseHandle(section);
}

static void check_memory(HANDLE child) {
  /* Two 64 KiB halves: the first committed, the second only reserved. */
  char *remote = VirtualAllocEx(child, NULL, 0x20000, MEM_RESERVE, PAGE_READWRITE);
  CHECK_TRUE("VirtualAllocEx(MEM_RESERVE) in the child", remote != NULL);
  CHECK_EQ("VirtualAllocEx(MEM_COMMIT) of the first half", VirtualAllocEx(child, remote, 0x10000, MEM_COMMIT, PAGE_READWRITE), remote);
  MEMORY_BASIC_INFORMATION info;
  CHECK_EQ("VirtualQueryEx", VirtualQueryEx(child, remote, &info, sizeof info), sizeof info);
  CHECK_EQ("  BaseAddress", info.BaseAddress, remote);
  CHECK_EQ("  RegionSize", info.RegionSize, 0x10000);
  CHECK_EQ("  State", info.State, MEM_COMMIT);
  CHECK_EQ("  Protect", info.Protect, PAGE_READWRITE);
  CHECK_EQ("  Type", info.Type, MEM_PRIVATE);

  SIZE_T count = 0;
  CHECK_TRUE("WriteProcessMemory", WriteProcessMemory(child, remote + 0x100, MESSAGE, sizeof MESSAGE, &count));
  CHECK_EQ("  bytes written", count, sizeof MESSAGE);
  char back[sizeof MESSAGE] = { 0 };
  CHECK_TRUE("ReadProcessMemory", ReadProcessMemory(child, remote + 0x100, back, sizeof back, &count));
  CHECK_EQ("  bytes read", count, sizeof MESSAGE);
  CHECK_EQ("  the same bytes", memcmp(back, MESSAGE, sizeof MESSAGE), 0);

  char across[16];
  count = 99;
  CHECK_EQ("ReadProcessMemory across the end of the committed half fails", ReadProcessMemory(child, remote + 0x10000 - 8, across, sizeof across, &count), FALSE);
  CHECK_EQ("  ERROR_PARTIAL_COPY", GetLastError(), ERROR_PARTIAL_COPY);
  CHECK_EQ("  with the 8 bytes it could copy", count, 8);
  SIZE_T raw = 99;
  CHECK_EQ("NtReadVirtualMemory there", NtReadVirtualMemory(child, remote + 0x10000 - 8, across, sizeof across, &raw), STATUS_PARTIAL_COPY);
  CHECK_EQ("  NumberOfBytesRead", raw, 8);
  CHECK_EQ("NtReadVirtualMemory of 0 bytes does not look at the handle", NtReadVirtualMemory((HANDLE)0x1234, remote, across, 0, &raw), STATUS_SUCCESS);
  CHECK_EQ("NtReadVirtualMemory into kernel space", NtReadVirtualMemory(child, remote, (PVOID)0x80000000, 4, &raw), (NTSTATUS)STATUS_ACCESS_VIOLATION);

  DWORD old = 0;
  CHECK_TRUE("VirtualProtectEx(PAGE_READONLY)", VirtualProtectEx(child, remote, 0x1000, PAGE_READONLY, &old));
  CHECK_EQ("  old protection", old, PAGE_READWRITE);
  CHECK_EQ("WriteProcessMemory to a read-only page fails", last_error_of(WriteProcessMemory(child, remote, "x", 1, &count)), ERROR_NOACCESS);
  CHECK_TRUE("  and leaves it read-only", VirtualQueryEx(child, remote, &info, sizeof info) && info.Protect == PAGE_READONLY);
  raw = 99;
  CHECK_EQ("NtWriteVirtualMemory to it: STATUS_PARTIAL_COPY", NtWriteVirtualMemory(child, remote, "x", 1, &raw), STATUS_PARTIAL_COPY);
  CHECK_EQ("  nothing written", raw, 0);

  CHECK_TRUE("VirtualFreeEx(MEM_RELEASE)", VirtualFreeEx(child, remote, 0, MEM_RELEASE));
  CHECK_TRUE("  VirtualQueryEx says MEM_FREE", VirtualQueryEx(child, remote, &info, sizeof info) && info.State == MEM_FREE);
}

/* A named section mapped into the child too: one frame, seen from both processes. */
static char *check_shared_section(HANDLE child, char **remote_view) {
  HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0x10000, "mms-process-vm");
  char *mine = MapViewOfFile(mapping, FILE_MAP_WRITE, 0, 0, 0);
  *remote_view = MapViewOfFile2(mapping, child, 0, NULL, 0, 0, PAGE_READWRITE);
  CHECK_TRUE("MapViewOfFile2 into the child", *remote_view != NULL);
  SIZE_T count = 0;
  CHECK_TRUE("WriteProcessMemory into the child's view", WriteProcessMemory(child, *remote_view + 16, MESSAGE, sizeof MESSAGE, &count));
  CHECK_EQ("  the parent's view of the same section sees it", memcmp(mine + 16, MESSAGE, sizeof MESSAGE), 0);
  CloseHandle(mapping);
  return mine;
}

int main(int argc, char **argv) {
  if (argc < 3 || strcmp(argv[1], "parent") != 0) return 7; /* the child: never resumed */
  STARTUPINFOA startup = { sizeof startup };
  PROCESS_INFORMATION child;
  CHECK_TRUE("CreateProcessA(CREATE_SUSPENDED)", CreateProcessA(argv[2], "child.elf idle \"two words\"", NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &startup, &child));
  CHECK_TRUE("  a process id of its own, a multiple of 4", child.dwProcessId != GetCurrentProcessId() && child.dwProcessId % 4 == 0);
  CHECK_TRUE("  a thread id of its own", child.dwThreadId != GetCurrentThreadId() && child.dwThreadId != child.dwProcessId);
  CHECK_EQ("GetProcessId", GetProcessId(child.hProcess), child.dwProcessId);
  DWORD code = 0;
  CHECK_TRUE("GetExitCodeProcess", GetExitCodeProcess(child.hProcess, &code));
  CHECK_EQ("  STILL_ACTIVE", code, STILL_ACTIVE);

  check_memory(child.hProcess);
  check_access(child.dwProcessId);
  char *remote_view;
  char *mine = check_shared_section(child.hProcess, &remote_view);

  CHECK_TRUE("TerminateProcess", TerminateProcess(child.hProcess, 42));
  CHECK_TRUE("GetExitCodeProcess after it", GetExitCodeProcess(child.hProcess, &code));
  CHECK_EQ("  the exit code given", code, 42);
  CHECK_EQ("TerminateProcess again", last_error_of(TerminateProcess(child.hProcess, 1)), ERROR_ACCESS_DENIED);
  char byte;
  SIZE_T count;
  CHECK_EQ("ReadProcessMemory of an ended process", last_error_of(ReadProcessMemory(child.hProcess, remote_view, &byte, 1, &count)), ERROR_ACCESS_DENIED);
  CHECK_EQ("the parent's view outlives the child's", memcmp(mine + 16, MESSAGE, sizeof MESSAGE), 0);
  CHECK_EQ("TerminateProcess(NULL)", last_error_of(TerminateProcess(NULL, 1)), ERROR_INVALID_HANDLE);

  CHECK_TRUE("CloseHandle(hProcess)", CloseHandle(child.hProcess));
  CHECK_TRUE("CloseHandle(hThread)", CloseHandle(child.hThread));
  CHECK_EQ("OpenProcess once every handle is closed", OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, child.dwProcessId), NULL);
  CHECK_EQ("  ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  PROCESS_INFORMATION missing;
  CHECK_EQ("CreateProcessA of a file that does not exist", last_error_of(CreateProcessA("missing.elf", NULL, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &missing)), ERROR_FILE_NOT_FOUND);
  return CHECK_DONE();
}
