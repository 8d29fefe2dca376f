/* The loader's modules: the PEB's three lists (PEB_LDR_DATA, one
   LDR_DATA_TABLE_ENTRY per module), loading a DLL (search, NtOpenFile,
   NtCreateSection(SEC_IMAGE), NtMapViewOfSection, relocation when the view
   is not at the preferred base), binding imports by name (hint first), by
   ordinal and through forwarders, static TLS and TLS callbacks, DllMain in
   initialisation order (dependencies first), reference counts and
   unloading. Windows Internals 7th ed. ch. 3 "Image loader". */
#include <string.h>
#include "list.h"
#include "ldr.h"

#define MAX_PENDING 256
#define TLS_SLOTS 64
#define SYNCHRONIZE_ACCESS 0x00100000
#define FILE_SHARE_DELETE_ACCESS 0x4
#define OBJ_CASE_INSENSITIVE_NAME 0x40

PEB_LDR_DATA ldrp_data;
BOOL ldrp_process_initialized;
static char program_directory[MAX_PATH_CHARS];
/* Modules whose imports are bound but whose initialisers have not run, in dependency order. */
static module *pending[MAX_PENDING];
static ULONG pending_count;
static PVOID *tls_slots;
static ULONG tls_count;

typedef BOOL (WINAPI *dll_entry)(HINSTANCE, DWORD, LPVOID);

static const char *base_name(const char *path) {
  const char *base = path;
  for (const char *p = path; *p; p++) if (*p == '\\' || *p == '/') base = p + 1;
  return base;
}

void ldrp_set_program_directory(const char *program) {
  const char *base = base_name(program);
  if (base == program || (ULONG)(base - program) >= sizeof program_directory) return;
  memcpy(program_directory, program, base - program - 1);
  program_directory[base - program - 1] = 0;
}

module *ldrp_add_module(PVOID base, const char *full_path) {
  module *m = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof *m);
  IMAGE_NT_HEADERS *nt = ldrp_nt_headers(base);
  m->entry.DllBase = base;
  m->entry.SizeOfImage = nt->OptionalHeader.SizeOfImage;
  m->entry.EntryPoint = nt->OptionalHeader.AddressOfEntryPoint ? (BYTE *)base + nt->OptionalHeader.AddressOfEntryPoint : NULL;
  m->entry.LoadCount = 1;
  if (nt->FileHeader.Characteristics & IMAGE_FILE_DLL) m->entry.Flags |= LDRP_IMAGE_DLL;
  ldrp_make_unicode(&m->entry.FullDllName, full_path);
  ldrp_make_unicode(&m->entry.BaseDllName, base_name(full_path));
  InsertTailList(&ldrp_data.InLoadOrderModuleList, &m->entry.InLoadOrderLinks);
  InsertTailList(&ldrp_data.InMemoryOrderModuleList, &m->entry.InMemoryOrderLinks);
  InitializeListHead(&m->entry.InInitializationOrderLinks);
  return m;
}

/* By base name ("KERNEL32.dll", ".dll" implied) or full path, case-insensitively. */
module *ldrp_find_module(const char *name) {
  char with_extension[MAX_PATH_CHARS];
  ldrp_ascii_copy(with_extension, base_name(name), sizeof with_extension - 4);
  if (!strchr(with_extension, '.')) strcat(with_extension, ".dll");
  LIST_ENTRY *head = &ldrp_data.InLoadOrderModuleList;
  for (LIST_ENTRY *link = head->Flink; link != head; link = link->Flink) {
    module *m = (module *)link;
    if (ldrp_same_name(&m->entry.BaseDllName, with_extension) || ldrp_same_name(&m->entry.FullDllName, name)) return m;
  }
  return NULL;
}

module *ldrp_module_at(PVOID base) {
  LIST_ENTRY *head = &ldrp_data.InLoadOrderModuleList;
  for (LIST_ENTRY *link = head->Flink; link != head; link = link->Flink) {
    if (((module *)link)->entry.DllBase == base) return (module *)link;
  }
  return NULL;
}

/* Opens and maps `path` as an image; STATUS_IMAGE_NOT_AT_BASE when the view went elsewhere. */
static NTSTATUS map_image(const char *path, PVOID *base) {
  WCHAR buffer[MAX_PATH_CHARS + 8] = { '\\', '?', '?', '\\' };
  ULONG length = 4;
  for (const char *p = path; *p && length < MAX_PATH_CHARS + 4; p++) buffer[length++] = (unsigned char)*p;
  UNICODE_STRING name = { (USHORT)(length * 2), (USHORT)(length * 2), buffer };
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE_NAME, NULL, NULL);
  IO_STATUS_BLOCK io;
  HANDLE file, section;
  NTSTATUS status = NtOpenFile(&file, GENERIC_READ | SYNCHRONIZE_ACCESS, &attributes, &io, FILE_SHARE_READ | FILE_SHARE_DELETE_ACCESS,
                               FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE);
  if (status < 0) return status;
  status = NtCreateSection(&section, 0xF001F, NULL, NULL, PAGE_EXECUTE_WRITECOPY, SEC_IMAGE, file);
  NtClose(file);
  if (status < 0) return status;
  SIZE_T size = 0;
  *base = NULL;
  status = NtMapViewOfSection(section, (HANDLE)-1, base, 0, 0, NULL, &size, ViewShare, 0, PAGE_EXECUTE_WRITECOPY);
  NtClose(section);
  return status;
}

static BOOL missing(NTSTATUS status) {
  return status == STATUS_OBJECT_NAME_NOT_FOUND || status == STATUS_OBJECT_PATH_NOT_FOUND || status == STATUS_OBJECT_NAME_INVALID;
}

/* The search order: a name with a path as given; else the program's directory, then System32. */
static NTSTATUS search_and_map(const char *name, char *path, PVOID *base) {
  const char *directories[2] = { program_directory, "C:\\Windows\\System32" };
  if (strchr(name, '\\') || strchr(name, '/')) {
    ldrp_ascii_copy(path, name, MAX_PATH_CHARS);
    NTSTATUS status = map_image(path, base);
    return missing(status) ? STATUS_DLL_NOT_FOUND : status;
  }
  for (int i = 0; i < 2; i++) {
    if (!directories[i][0] || strlen(directories[i]) + strlen(name) + 2 > MAX_PATH_CHARS) continue;
    strcpy(path, directories[i]);
    strcat(path, "\\");
    strcat(path, name);
    NTSTATUS status = map_image(path, base);
    if (!missing(status)) return status;
  }
  return STATUS_DLL_NOT_FOUND;
}

void ldrp_allocate_tls(module *m) {
  IMAGE_TLS_DIRECTORY *tls = ldrp_directory(m->entry.DllBase, IMAGE_DIRECTORY_ENTRY_TLS, NULL);
  if (!tls) return;
  if (!tls_slots) {
    tls_slots = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, TLS_SLOTS * sizeof(PVOID));
    NtCurrentTeb()->ThreadLocalStoragePointer = tls_slots;
  }
  if (tls_count == TLS_SLOTS) return;
  ULONG initialised = tls->EndAddressOfRawData - tls->StartAddressOfRawData;
  BYTE *block = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, initialised + tls->SizeOfZeroFill + 1);
  memcpy(block, (void *)tls->StartAddressOfRawData, initialised);
  tls_slots[tls_count] = block;
  if (tls->AddressOfIndex) *(ULONG *)tls->AddressOfIndex = tls_count;
  m->entry.TlsIndex = (USHORT)tls_count++;
}

void ldrp_run_tls_callbacks(module *m, DWORD reason) {
  IMAGE_TLS_DIRECTORY *tls = ldrp_directory(m->entry.DllBase, IMAGE_DIRECTORY_ENTRY_TLS, NULL);
  if (!tls || !tls->AddressOfCallBacks) return;
  for (PIMAGE_TLS_CALLBACK *callback = (PIMAGE_TLS_CALLBACK *)tls->AddressOfCallBacks; *callback; callback++) (*callback)(m->entry.DllBase, reason, NULL);
}

/* Why a DLL the process needs at start could not be loaded, as Windows' error box says it. */
static void report_unloadable(NTSTATUS status, const char *file_name, const char *importer) {
  if (status == STATUS_DLL_NOT_FOUND) {
    ldrp_report("The code execution cannot proceed because ", file_name, " was not found; imported by ", importer ? importer : "the program");
    return;
  }
  char code[11] = "0x";
  for (int i = 0; i < 8; i++) code[2 + i] = "0123456789abcdef"[((ULONG)status >> (28 - 4 * i)) & 15];
  code[10] = 0;
  ldrp_report("The application was unable to start correctly (", code, "): it could not load ", file_name);
}

NTSTATUS ldrp_load(const char *name, const char *importer, module **loaded) {
  module *m = ldrp_find_module(name);
  if (m) {
    if (m->entry.LoadCount != LDRP_PINNED) m->entry.LoadCount++;
    *loaded = m;
    return STATUS_SUCCESS;
  }
  char file_name[MAX_PATH_CHARS], path[MAX_PATH_CHARS];
  ldrp_ascii_copy(file_name, name, sizeof file_name - 4);
  if (!strchr(base_name(file_name), '.')) strcat(file_name, ".dll");
  PVOID base;
  NTSTATUS status = search_and_map(file_name, path, &base);
  if (status < 0) {
    if (!ldrp_process_initialized) report_unloadable(status, file_name, importer);
    return status;
  }
  if (status == STATUS_IMAGE_NOT_AT_BASE) {
    status = ldrp_relocate(base);
    if (status < 0) { NtUnmapViewOfSection((HANDLE)-1, base); return status; }
  }
  m = ldrp_add_module(base, path);
  if (!ldrp_process_initialized) m->entry.LoadCount = LDRP_PINNED;
  ldrp_allocate_tls(m);
  status = ldrp_resolve_imports(m);
  if (status < 0) {
    if (m->entry.LoadCount == LDRP_PINNED) m->entry.LoadCount = 1;
    ldrp_unload(m);
    return status;
  }
  if (pending_count < MAX_PENDING) pending[pending_count++] = m;
  *loaded = m;
  return STATUS_SUCCESS;
}

static void name_of(module *m, char *out, ULONG size) {
  ULONG i = 0;
  for (; i < m->entry.BaseDllName.Length / 2 && i + 1 < size; i++) out[i] = (char)m->entry.BaseDllName.Buffer[i];
  out[i] = 0;
}

static void report_missing_export(NTSTATUS status, const char *function, WORD ordinal, const char *dll) {
  if (ldrp_process_initialized) return;
  char number[8];
  if (status == STATUS_ORDINAL_NOT_FOUND || !function) {
    int i = 7;
    number[i] = 0;
    do { number[--i] = '0' + ordinal % 10; ordinal /= 10; } while (ordinal && i > 0);
    ldrp_report("The ordinal ", number + i, " could not be located in the dynamic link library ", dll);
  } else {
    ldrp_report("The procedure entry point ", function, " could not be located in the dynamic link library ", dll);
  }
}

/* Binds one descriptor's import address table, made writable for the time it takes. */
static NTSTATUS bind_descriptor(module *m, const IMAGE_IMPORT_DESCRIPTOR *d, module *target, const char *dll) {
  BYTE *image = m->entry.DllBase;
  const DWORD *lookup = (const DWORD *)(image + (d->u.OriginalFirstThunk ? d->u.OriginalFirstThunk : d->FirstThunk));
  DWORD *iat = (DWORD *)(image + d->FirstThunk);
  ULONG count = 0;
  while (lookup[count]) count++;
  PVOID region = iat;
  SIZE_T size = count * sizeof(DWORD);
  ULONG old = 0;
  if (count) NtProtectVirtualMemory((HANDLE)-1, &region, &size, PAGE_READWRITE, &old);
  NTSTATUS status = STATUS_SUCCESS;
  for (ULONG i = 0; i < count && status >= 0; i++) {
    PVOID address = NULL;
    if (lookup[i] & IMAGE_ORDINAL_FLAG32) {
      status = ldrp_find_export(target, NULL, (WORD)lookup[i], TRUE, &address, 0);
      if (status < 0) report_missing_export(STATUS_ORDINAL_NOT_FOUND, NULL, (WORD)lookup[i], dll);
    } else {
      const IMAGE_IMPORT_BY_NAME *by_name = (const IMAGE_IMPORT_BY_NAME *)(image + lookup[i]);
      status = ldrp_find_export(target, by_name->Name, by_name->Hint, FALSE, &address, 0);
      if (status < 0) report_missing_export(status, by_name->Name, 0, dll);
    }
    if (status >= 0) iat[i] = (DWORD)address;
  }
  region = iat;
  size = count * sizeof(DWORD);
  if (count) NtProtectVirtualMemory((HANDLE)-1, &region, &size, old, &old);
  return status;
}

NTSTATUS ldrp_resolve_imports(module *m) {
  BYTE *image = m->entry.DllBase;
  const IMAGE_IMPORT_DESCRIPTOR *first = ldrp_directory(image, IMAGE_DIRECTORY_ENTRY_IMPORT, NULL);
  if (!first) return STATUS_SUCCESS;
  ULONG count = 0;
  while (first[count].Name) count++;
  m->imports = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, (count + 1) * sizeof *m->imports);
  char importer[MAX_PATH_CHARS];
  name_of(m, importer, sizeof importer);
  for (const IMAGE_IMPORT_DESCRIPTOR *d = first; d->Name; d++) {
    const char *dll = (const char *)image + d->Name;
    module *target;
    NTSTATUS status = ldrp_load(dll, importer, &target);
    if (status < 0) return status;
    m->imports[m->import_count++] = target;
    status = bind_descriptor(m, d, target, dll);
    if (status < 0) return status;
  }
  return STATUS_SUCCESS;
}

/* TLS callbacks and DllMain(DLL_PROCESS_ATTACH) for every module loaded since the last call, dependencies first. */
NTSTATUS ldrp_initialize_new_modules(void) {
  for (ULONG i = 0; i < pending_count; i++) {
    module *m = pending[i];
    InsertTailList(&ldrp_data.InInitializationOrderModuleList, &m->entry.InInitializationOrderLinks);
    m->entry.Flags |= LDRP_ENTRY_PROCESSED;
    ldrp_run_tls_callbacks(m, DLL_PROCESS_ATTACH);
    if (!m->entry.EntryPoint) continue;
    m->entry.Flags |= LDRP_PROCESS_ATTACH_CALLED;
    /* lpReserved is non-NULL for the DLLs loaded with the process, NULL for LoadLibrary's (DllMain's documentation). */
    BOOL ok = ((dll_entry)m->entry.EntryPoint)(m->entry.DllBase, DLL_PROCESS_ATTACH, ldrp_process_initialized ? NULL : (LPVOID)1);
    if (!ok) {
      char name[MAX_PATH_CHARS];
      name_of(m, name, sizeof name);
      if (!ldrp_process_initialized) ldrp_report("The application was unable to start correctly: DllMain of ", name, " returned FALSE (STATUS_DLL_INIT_FAILED)", NULL);
      pending_count = 0;
      return STATUS_DLL_INIT_FAILED;
    }
  }
  pending_count = 0;
  return STATUS_SUCCESS;
}

/** Forgets modules loaded by a LoadLibrary that failed (they are unloaded through its references). */
void ldrp_discard_pending(ULONG keep) { if (keep < pending_count) pending_count = keep; }
ULONG ldrp_pending_count(void) { return pending_count; }

void ldrp_unload(module *m) {
  if (m->entry.LoadCount == LDRP_PINNED || --m->entry.LoadCount > 0) return;
  if (m->entry.Flags & LDRP_PROCESS_ATTACH_CALLED) {
    ldrp_run_tls_callbacks(m, DLL_PROCESS_DETACH);
    ((dll_entry)m->entry.EntryPoint)(m->entry.DllBase, DLL_PROCESS_DETACH, NULL);
  }
  RemoveEntryList(&m->entry.InLoadOrderLinks);
  RemoveEntryList(&m->entry.InMemoryOrderLinks);
  RemoveEntryList(&m->entry.InInitializationOrderLinks);
  for (ULONG i = 0; i < m->import_count; i++) ldrp_unload(m->imports[i]);
  NtUnmapViewOfSection((HANDLE)-1, m->entry.DllBase);
  HeapFree(GetProcessHeap(), 0, m->entry.FullDllName.Buffer);
  HeapFree(GetProcessHeap(), 0, m->entry.BaseDllName.Buffer);
  HeapFree(GetProcessHeap(), 0, m->imports);
  HeapFree(GetProcessHeap(), 0, m);
}
