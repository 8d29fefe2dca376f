/* The loader's user-mode half, as ntdll's: the PEB's loader lists
   (PEB_LDR_DATA, one LDR_DATA_TABLE_ENTRY per module) and LoadLibraryA /
   FreeLibrary / GetModuleHandleA, which map images with NtCreateSection
   (SEC_IMAGE) and NtMapViewOfSection, and GetProcAddress, which reads a
   module's export directory in its mapped image. The kernel knows modules
   only as image VADs; the lists are the guest's own memory, which it can
   edit. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>
#include <string.h>
#include "list.h"
#include "kernel32-internal.h"

static PEB_LDR_DATA loader_data;

/* A counted UTF-16 copy of an ASCII name on the process heap. */
static void make_unicode(UNICODE_STRING *out, const char *text) {
  size_t length = strlen(text);
  out->Buffer = HeapAlloc(GetProcessHeap(), 0, (length + 1) * 2);
  for (size_t i = 0; i <= length; i++) out->Buffer[i] = (unsigned char)text[i];
  out->Length = (USHORT)(length * 2);
  out->MaximumLength = (USHORT)((length + 1) * 2);
}

static const char *base_name(const char *path) {
  const char *base = path;
  for (const char *p = path; *p; p++) if (*p == '\\' || *p == '/') base = p + 1;
  return base;
}

#define PT_LOAD 1
#define PT_MMS_EXPORTS 0x6d6d7365   /* src/toolchain/export-directory.ts */

typedef struct { ULONG Type, Offset, VirtualAddress, PhysicalAddress, FileSize, MemorySize, Flags, Align; } PROGRAM_HEADER;

/* The image's program headers, mapped with its ELF header at its base as a PE's headers are. */
static const PROGRAM_HEADER *program_headers(PVOID base, USHORT *count) {
  const unsigned char *elf = base;
  *count = *(const USHORT *)(elf + 44);
  return (const PROGRAM_HEADER *)(elf + *(const ULONG *)(elf + 28));
}

/* SizeOfImage from the image's own headers: the end of its last PT_LOAD segment, rounded up to a page. */
static ULONG image_size(PVOID base) {
  USHORT count;
  const PROGRAM_HEADER *ph = program_headers(base, &count);
  ULONG end = 0;
  for (USHORT i = 0; i < count; i++) {
    if (ph[i].Type == PT_LOAD && ph[i].VirtualAddress + ph[i].MemorySize > end) end = ph[i].VirtualAddress + ph[i].MemorySize;
  }
  return ((end + 0xfff) & ~0xfffu) - (ULONG)base;
}

static LDR_DATA_TABLE_ENTRY *add_module(PVOID base, const char *path) {
  LDR_DATA_TABLE_ENTRY *entry = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *entry);
  entry->DllBase = base;
  entry->SizeOfImage = image_size(base);
  entry->LoadCount = 1;
  make_unicode(&entry->FullDllName, path);
  make_unicode(&entry->BaseDllName, base_name(path));
  InsertTailList(&loader_data.InLoadOrderModuleList, &entry->InLoadOrderLinks);
  InsertTailList(&loader_data.InMemoryOrderModuleList, &entry->InMemoryOrderLinks);
  InsertTailList(&loader_data.InInitializationOrderModuleList, &entry->InInitializationOrderLinks);
  return entry;
}

/* Called by crt0 once the process heap exists: the program is the first module. */
void mms_initialize_loader(const char *program) {
  loader_data.Length = sizeof loader_data;
  loader_data.Initialized = TRUE;
  InitializeListHead(&loader_data.InLoadOrderModuleList);
  InitializeListHead(&loader_data.InMemoryOrderModuleList);
  InitializeListHead(&loader_data.InInitializationOrderModuleList);
  PEB *peb = NtCurrentTeb()->ProcessEnvironmentBlock;
  peb->Ldr = &loader_data;
  add_module(peb->ImageBaseAddress, program);
}

static BOOL same_name(const UNICODE_STRING *name, const char *text) {
  size_t length = strlen(text);
  if (name->Length != length * 2) return FALSE;
  for (size_t i = 0; i < length; i++) {
    WCHAR a = name->Buffer[i], b = (unsigned char)text[i];
    if (a >= 'A' && a <= 'Z') a += 32;
    if (b >= 'A' && b <= 'Z') b += 32;
    if (a != b) return FALSE;
  }
  return TRUE;
}

static LDR_DATA_TABLE_ENTRY *find_module(const char *name) {
  LIST_ENTRY *head = &loader_data.InLoadOrderModuleList;
  for (LIST_ENTRY *link = head->Flink; link != head; link = link->Flink) {
    LDR_DATA_TABLE_ENTRY *entry = (LDR_DATA_TABLE_ENTRY *)link;
    if (same_name(&entry->BaseDllName, base_name(name)) || same_name(&entry->FullDllName, name)) return entry;
  }
  return NULL;
}

HMODULE WINAPI GetModuleHandleA(LPCSTR name) {
  if (!name) return NtCurrentTeb()->ProcessEnvironmentBlock->ImageBaseAddress;
  LDR_DATA_TABLE_ENTRY *entry = find_module(name);
  if (!entry) { SetLastError(ERROR_MOD_NOT_FOUND); return NULL; }
  return entry->DllBase;
}

HMODULE WINAPI LoadLibraryA(LPCSTR path) {
  LDR_DATA_TABLE_ENTRY *loaded = find_module(path);
  if (loaded) { loaded->LoadCount++; return loaded->DllBase; }
  HANDLE file = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  if (file == INVALID_HANDLE_VALUE) { if (GetLastError() == ERROR_FILE_NOT_FOUND) SetLastError(ERROR_MOD_NOT_FOUND); return NULL; }
  HANDLE section;
  NTSTATUS status = NtCreateSection(&section, 0xF001F, NULL, NULL, PAGE_EXECUTE_WRITECOPY, SEC_IMAGE, file);
  CloseHandle(file);
  if (!mms_succeeded(status)) return NULL;
  PVOID base = NULL;
  SIZE_T size = 0;
  status = NtMapViewOfSection(section, NtCurrentProcess(), &base, 0, 0, NULL, &size, ViewShare, 0, PAGE_EXECUTE_WRITECOPY);
  NtClose(section);
  if (!mms_succeeded(status)) return NULL;
  return add_module(base, path)->DllBase;
}

static LDR_DATA_TABLE_ENTRY *module_at(PVOID base) {
  LIST_ENTRY *head = &loader_data.InLoadOrderModuleList;
  for (LIST_ENTRY *link = head->Flink; link != head; link = link->Flink) {
    LDR_DATA_TABLE_ENTRY *entry = (LDR_DATA_TABLE_ENTRY *)link;
    if (entry->DllBase == base) return entry;
  }
  return NULL;
}

BOOL WINAPI FreeLibrary(HMODULE module) {
  LDR_DATA_TABLE_ENTRY *entry = module_at(module);
  if (!entry) { SetLastError(ERROR_MOD_NOT_FOUND); return FALSE; }
  if (--entry->LoadCount > 0) return TRUE;
  RemoveEntryList(&entry->InLoadOrderLinks);
  RemoveEntryList(&entry->InMemoryOrderLinks);
  RemoveEntryList(&entry->InInitializationOrderLinks);
  NTSTATUS status = NtUnmapViewOfSection(NtCurrentProcess(), module);
  HeapFree(GetProcessHeap(), 0, entry->FullDllName.Buffer);
  HeapFree(GetProcessHeap(), 0, entry->BaseDllName.Buffer);
  HeapFree(GetProcessHeap(), 0, entry);
  return mms_succeeded(status);
}

/* The module's export directory (IMAGE_EXPORT_DIRECTORY), which the
   PT_MMS_EXPORTS program header locates as a PE's DataDirectory[EXPORT]
   does; NULL if it exports nothing. */
static const IMAGE_EXPORT_DIRECTORY *export_directory(PVOID base) {
  USHORT count;
  const PROGRAM_HEADER *ph = program_headers(base, &count);
  for (USHORT i = 0; i < count; i++) {
    if (ph[i].Type == PT_MMS_EXPORTS && ph[i].MemorySize >= sizeof(IMAGE_EXPORT_DIRECTORY)) return (const IMAGE_EXPORT_DIRECTORY *)ph[i].VirtualAddress;
  }
  return NULL;
}

/* By name: a binary search of the sorted name table, as ntdll's LdrGetProcedureAddress does;
   by ordinal: a name pointer whose high word is zero (MAKEINTRESOURCE), minus the ordinal base. */
static FARPROC find_export(PVOID base, LPCSTR name) {
  const IMAGE_EXPORT_DIRECTORY *exports = export_directory(base);
  if (!exports) return NULL;
  const char *image = base;
  const ULONG *functions = (const ULONG *)(image + exports->AddressOfFunctions);
  if ((ULONG_PTR)name <= 0xFFFF) {
    ULONG index = (ULONG)(ULONG_PTR)name - exports->Base;
    return index < exports->NumberOfFunctions ? (FARPROC)(image + functions[index]) : NULL;
  }
  const ULONG *names = (const ULONG *)(image + exports->AddressOfNames);
  const USHORT *ordinals = (const USHORT *)(image + exports->AddressOfNameOrdinals);
  ULONG low = 0, high = exports->NumberOfNames;
  while (low < high) {
    ULONG middle = low + (high - low) / 2;
    int order = strcmp(name, image + names[middle]);
    if (order == 0) return (FARPROC)(image + functions[ordinals[middle]]);
    if (order < 0) high = middle; else low = middle + 1;
  }
  return NULL;
}

/* The image a module handle names; NULL is the program itself, as in the functions below. */
static PVOID module_base(HMODULE module) {
  return module ? (PVOID)module : NtCurrentTeb()->ProcessEnvironmentBlock->ImageBaseAddress;
}

/* A module that is not loaded: ERROR_MOD_NOT_FOUND (LdrGetProcedureAddress's
   STATUS_DLL_NOT_FOUND); no such export: ERROR_PROC_NOT_FOUND
   (STATUS_PROCEDURE_NOT_FOUND), the statuses RtlNtStatusToDosError maps. */
FARPROC WINAPI GetProcAddress(HMODULE module, LPCSTR name) {
  PVOID base = module_base(module);
  if (!module_at(base)) { SetLastError(ERROR_MOD_NOT_FOUND); return NULL; }
  FARPROC found = find_export(base, name);
  if (!found) SetLastError(ERROR_PROC_NOT_FOUND);
  return found;
}

/* The module's FullDllName (the path it was loaded by; the program's is its
   argv[0]). A buffer too small gets the name truncated to size - 1
   characters and terminated, the result is `size` and the last error
   ERROR_INSUFFICIENT_BUFFER, as Windows Vista and later do; a module that
   is not loaded is 0 with ERROR_MOD_NOT_FOUND. */
DWORD WINAPI GetModuleFileNameA(HMODULE module, LPSTR buffer, DWORD size) {
  LDR_DATA_TABLE_ENTRY *entry = module_at(module_base(module));
  if (!entry) { SetLastError(ERROR_MOD_NOT_FOUND); return 0; }
  DWORD length = entry->FullDllName.Length / 2;
  if (size == 0) { SetLastError(ERROR_INSUFFICIENT_BUFFER); return 0; }
  DWORD copied = length < size ? length : size - 1;
  for (DWORD i = 0; i < copied; i++) buffer[i] = (char)entry->FullDllName.Buffer[i];
  buffer[copied] = '\0';
  if (length >= size) { SetLastError(ERROR_INSUFFICIENT_BUFFER); return size; }
  return length;
}
