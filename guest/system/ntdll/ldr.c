/* Process start and exit in ntdll, as Windows' LdrpInitializeProcess and
   RtlExitUserProcess: the process heap, the process parameters (command
   line, image path, standard handles), the loader lists with the program
   and ntdll, the program's imports (failing the process with Windows'
   status and message when a DLL or export is missing), static TLS, the
   DLLs' DllMain(DLL_PROCESS_ATTACH) in initialisation order, the program's
   TLS callbacks, then its entry point; at exit DllMain(DLL_PROCESS_DETACH)
   in reverse order. */
#include <string.h>
#include "list.h"
#include "command-line-quoting.h"
#include "ldr.h"

extern IMAGE_DOS_HEADER __ImageBase;
void mms_create_process_heap(void);

static RTL_USER_PROCESS_PARAMETERS parameters;
static BOOL shutting_down;

/* The command line from argv, quoted as CreateProcess callers build it (the runtime's command-line-quoting.c). */
static void build_command_line(ULONG argc, char **argv) {
  SIZE_T length = mms_quote_command_line((int)argc, argv, NULL, 0);
  char *line = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, length + 1);
  mms_quote_command_line((int)argc, argv, line, length + 1);
  ldrp_make_unicode(&parameters.CommandLine, line);
  HeapFree(GetProcessHeap(), 0, line);
}

#define ProcessCommandLineInformation ((PROCESSINFOCLASS)60)
#define STATUS_INFO_LENGTH_MISMATCH_ ((NTSTATUS)0xC0000004L)

/* The command line the creator passed to CreateProcess, verbatim, as Windows
   keeps it in the process parameters; FALSE for a process started from the
   host's command line, which has none (its line is built from argv). */
static BOOL take_creators_command_line(void) {
  ULONG needed = 0;
  if (NtQueryInformationProcess((HANDLE)-1, ProcessCommandLineInformation, NULL, 0, &needed) != STATUS_INFO_LENGTH_MISMATCH_
      || needed <= sizeof(UNICODE_STRING) + sizeof(WCHAR)) return FALSE;
  UNICODE_STRING *line = HeapAlloc(GetProcessHeap(), 0, needed);
  if (!line || NtQueryInformationProcess((HANDLE)-1, ProcessCommandLineInformation, line, needed, NULL) < 0) return FALSE;
  parameters.CommandLine = *line;
  return TRUE;
}

static void create_process_parameters(ULONG argc, char **argv) {
  parameters.MaximumLength = parameters.Length = sizeof parameters;
  parameters.Flags = 1; /* RTL_USER_PROC_PARAMS_NORMALIZED: the buffers are pointers, not offsets */
  parameters.StandardInput = (HANDLE)3;
  parameters.StandardOutput = (HANDLE)7;
  parameters.StandardError = (HANDLE)11;
  ldrp_make_unicode(&parameters.ImagePathName, argc ? argv[0] : "");
  if (!take_creators_command_line()) build_command_line(argc, argv);
  NtCurrentTeb()->ProcessEnvironmentBlock->ProcessParameters = &parameters;
}

static void initialize_lists(void) {
  ldrp_data.Length = sizeof ldrp_data;
  ldrp_data.Initialized = TRUE;
  InitializeListHead(&ldrp_data.InLoadOrderModuleList);
  InitializeListHead(&ldrp_data.InMemoryOrderModuleList);
  InitializeListHead(&ldrp_data.InInitializationOrderModuleList);
  NtCurrentTeb()->ProcessEnvironmentBlock->Ldr = &ldrp_data;
}

static void __attribute__((noreturn)) fail(NTSTATUS status) {
  NtTerminateProcess((HANDLE)-1, status);
  for (;;) {}
}

void WINAPI RtlExitUserProcess(NTSTATUS status);

void WINAPI LdrpInitialize(ULONG *startup) {
  ULONG argc = startup[0];
  char **argv = (char **)(startup + 1);
  PEB *peb = NtCurrentTeb()->ProcessEnvironmentBlock;
  mms_create_process_heap();
  create_process_parameters(argc, argv);
  initialize_lists();
  const char *program = argc ? argv[0] : "program.exe";
  ldrp_set_program_directory(program);
  module *exe = ldrp_add_module(peb->ImageBaseAddress, program);
  exe->entry.LoadCount = LDRP_PINNED;
  ldrp_allocate_tls(exe);
  module *ntdll = ldrp_add_module(&__ImageBase, "C:\\Windows\\System32\\ntdll.dll");
  ntdll->entry.LoadCount = LDRP_PINNED;
  ntdll->entry.Flags |= LDRP_ENTRY_PROCESSED;
  InsertTailList(&ldrp_data.InInitializationOrderModuleList, &ntdll->entry.InInitializationOrderLinks);
  NTSTATUS status = ldrp_resolve_imports(exe);
  if (status < 0) fail(status);
  status = ldrp_initialize_new_modules();
  if (status < 0) fail(status);
  ldrp_process_initialized = TRUE;
  ldrp_run_tls_callbacks(exe, DLL_PROCESS_ATTACH);
  IMAGE_NT_HEADERS *nt = ldrp_nt_headers(peb->ImageBaseAddress);
  DWORD (*entry)(void) = (DWORD (*)(void))((BYTE *)peb->ImageBaseAddress + nt->OptionalHeader.AddressOfEntryPoint);
  RtlExitUserProcess(entry());
}

/* DllMain(DLL_PROCESS_DETACH) in reverse initialisation order, then the program's TLS callbacks (LdrShutdownProcess). */
void WINAPI LdrShutdownProcess(void) {
  if (shutting_down || !ldrp_process_initialized) return;
  shutting_down = TRUE;
  LIST_ENTRY *head = &ldrp_data.InInitializationOrderModuleList;
  for (LIST_ENTRY *link = head->Blink; link != head; link = link->Blink) {
    module *m = (module *)((BYTE *)link - __builtin_offsetof(LDR_DATA_TABLE_ENTRY, InInitializationOrderLinks));
    if (!(m->entry.Flags & LDRP_PROCESS_ATTACH_CALLED)) continue;
    ldrp_run_tls_callbacks(m, DLL_PROCESS_DETACH);
    ((BOOL (WINAPI *)(HINSTANCE, DWORD, LPVOID))m->entry.EntryPoint)(m->entry.DllBase, DLL_PROCESS_DETACH, (LPVOID)1);
  }
  module *exe = ldrp_module_at(NtCurrentTeb()->ProcessEnvironmentBlock->ImageBaseAddress);
  if (exe) ldrp_run_tls_callbacks(exe, DLL_PROCESS_DETACH);
}

/* ExitProcess's work: the DLLs learn that the process ends, then it does. */
void WINAPI RtlExitUserProcess(NTSTATUS status) {
  LdrShutdownProcess();
  fail(status);
}
