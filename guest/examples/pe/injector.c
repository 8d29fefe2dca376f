/* The seed's injection story: this process starts victim.exe, allocates
   memory in it (VirtualAllocEx), writes a DLL's name there
   (WriteProcessMemory) and starts a thread in it on LoadLibraryA
   (CreateRemoteThread) — kernel32, and so LoadLibraryA, is at the same
   address in every process. The victim loads hidden-dll.dll, whose DllMain
   unlinks it from the victim's PEB.Ldr lists (hidden-dll.c); the thread's
   exit code is the module's base in the victim. The victim's loader lists
   no longer show it; the kernel's walk of the victim's VAD tree does: run
   with --modules (every process's), or --vad --pid N (one process's !vad).
   Builds with stock mingw-w64 or mmscope build --pe; --root must hold
   victim.exe and hidden-dll.dll. */
#include <windows.h>
#include <stdio.h>

static const char DLL_NAME[] = "hidden-dll.dll";

int main(void) {
  HANDLE ready = CreateEventA(NULL, TRUE, FALSE, "mmscope-victim-ready");
  HANDLE done = CreateEventA(NULL, TRUE, FALSE, "mmscope-injection-done");
  STARTUPINFOA startup = { .cb = sizeof startup };
  PROCESS_INFORMATION victim;
  if (!ready || !done || !CreateProcessA("victim.exe", NULL, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &victim)) {
    printf("injector: cannot start victim.exe: error %lu\n", GetLastError());
    return 1;
  }
  WaitForSingleObject(ready, INFINITE);

  char *remote = VirtualAllocEx(victim.hProcess, NULL, sizeof DLL_NAME, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
  SIZE_T written = 0;
  if (!remote || !WriteProcessMemory(victim.hProcess, remote, DLL_NAME, sizeof DLL_NAME, &written)) {
    printf("injector: cannot write into process %lu: error %lu\n", victim.dwProcessId, GetLastError());
    return 1;
  }
  printf("injector: wrote \"%s\" at %p in process %lu\n", DLL_NAME, (void *)remote, victim.dwProcessId);
  LPTHREAD_START_ROUTINE load_library = (LPTHREAD_START_ROUTINE)(void *)GetProcAddress(GetModuleHandleA("kernel32.dll"), "LoadLibraryA");
  DWORD thread_id = 0;
  HANDLE thread = CreateRemoteThread(victim.hProcess, NULL, 0, load_library, remote, 0, &thread_id);
  if (!thread) {
    printf("injector: CreateRemoteThread failed: error %lu\n", GetLastError());
    return 1;
  }
  WaitForSingleObject(thread, INFINITE);
  DWORD base = 0;
  GetExitCodeThread(thread, &base);
  printf("injector: thread %lu ran LoadLibraryA(%p) in process %lu: it returned %08lx\n", thread_id, (void *)remote, victim.dwProcessId, base);
  MEMORY_BASIC_INFORMATION info;
  if (VirtualQueryEx(victim.hProcess, (LPCVOID)(ULONG_PTR)base, &info, sizeof info) == sizeof info) {
    printf("injector: VirtualQueryEx(%08lx) in process %lu: %s, allocation base %p\n", base, victim.dwProcessId,
           info.Type == MEM_IMAGE ? "MEM_IMAGE" : "not an image", info.AllocationBase);
  }
  VirtualFreeEx(victim.hProcess, remote, 0, MEM_RELEASE);
  CloseHandle(thread);
  SetEvent(done);
  WaitForSingleObject(victim.hProcess, INFINITE);
  DWORD status = 0;
  GetExitCodeProcess(victim.hProcess, &status);
  printf("injector: victim.exe exited with %lu\n", status);
  return 0;
}
