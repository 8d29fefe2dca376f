/* The loader's user-mode half, as ntdll's: the PEB's loader lists
   (PEB_LDR_DATA, one LDR_DATA_TABLE_ENTRY per module) and LoadLibraryA /
   FreeLibrary / GetModuleHandleA, which map images with NtCreateSection
   (SEC_IMAGE) and NtMapViewOfSection. The kernel knows modules only as
   image VADs; the lists are the guest's own memory, which it can edit. */
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

/* SizeOfImage from the image's own headers (mapped at its base, as a PE's
   are): the end of its last PT_LOAD segment, rounded up to a page. */
static ULONG image_size(PVOID base) {
  const unsigned char *elf = base;
  ULONG phoff = *(const ULONG *)(elf + 28), end = 0;
  USHORT phnum = *(const USHORT *)(elf + 44);
  for (USHORT i = 0; i < phnum; i++) {
    const ULONG *ph = (const ULONG *)(elf + phoff + i * 32);
    if (ph[0] == 1 && ph[2] + ph[5] > end) end = ph[2] + ph[5]; /* p_type PT_LOAD, p_vaddr + p_memsz */
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

BOOL WINAPI FreeLibrary(HMODULE module) {
  LIST_ENTRY *head = &loader_data.InLoadOrderModuleList;
  for (LIST_ENTRY *link = head->Flink; link != head; link = link->Flink) {
    LDR_DATA_TABLE_ENTRY *entry = (LDR_DATA_TABLE_ENTRY *)link;
    if (entry->DllBase != module) continue;
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
  SetLastError(ERROR_MOD_NOT_FOUND);
  return FALSE;
}
