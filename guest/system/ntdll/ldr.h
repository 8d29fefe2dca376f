/* ntdll's loader, shared between its files (not part of the SDK). */
#ifndef MMSCOPE_NTDLL_LDR_H
#define MMSCOPE_NTDLL_LDR_H
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>

/* LDR_DATA_TABLE_ENTRY.Flags, as Windows' loader sets them (LDRP_*). */
#define LDRP_IMAGE_DLL              0x00000004
#define LDRP_ENTRY_PROCESSED        0x00004000
#define LDRP_PROCESS_ATTACH_CALLED  0x00080000
/* LoadCount of a module loaded with the process: never unloaded (Windows XP's -1). */
#define LDRP_PINNED                 0xFFFF

#define MAX_PATH_CHARS 260

#ifndef STATUS_IMAGE_NOT_AT_BASE
#define STATUS_IMAGE_NOT_AT_BASE     ((NTSTATUS)0x40000003L)
#define STATUS_DLL_NOT_FOUND         ((NTSTATUS)0xC0000135L)
#define STATUS_ORDINAL_NOT_FOUND     ((NTSTATUS)0xC0000138L)
#define STATUS_ENTRYPOINT_NOT_FOUND  ((NTSTATUS)0xC0000139L)
#define STATUS_DLL_INIT_FAILED       ((NTSTATUS)0xC0000142L)
#endif

/* The loader's own record of a module beside the PEB's entry: what it imports (its references). */
typedef struct module {
  LDR_DATA_TABLE_ENTRY entry;   /* first: the lists link this */
  struct module **imports;
  ULONG import_count;
} module;

extern PEB_LDR_DATA ldrp_data;
/* Set once the process's static imports are resolved: DllMain calls from then on are for dynamic loads. */
extern BOOL ldrp_process_initialized;

/* ldr-image.c: reading a mapped image. */
IMAGE_NT_HEADERS *ldrp_nt_headers(PVOID base);
PVOID ldrp_directory(PVOID base, int index, ULONG *size);
NTSTATUS ldrp_relocate(PVOID base);
/* An export by name (hint tried first) or by ordinal (name NULL); forwarders are followed. */
NTSTATUS ldrp_find_export(module *m, const char *name, WORD ordinal_or_hint, BOOL by_ordinal, PVOID *address, int depth);

/* ldr-modules.c: the lists, loading and unloading. */
module *ldrp_add_module(PVOID base, const char *full_path);
module *ldrp_find_module(const char *name);
module *ldrp_module_at(PVOID base);
NTSTATUS ldrp_load(const char *name, const char *importer, module **loaded);
NTSTATUS ldrp_resolve_imports(module *m);
NTSTATUS ldrp_initialize_new_modules(void);
void ldrp_unload(module *m);
void ldrp_run_tls_callbacks(module *m, DWORD reason);
void ldrp_allocate_tls(module *m);
void ldrp_set_program_directory(const char *program);
void ldrp_discard_pending(ULONG keep);
ULONG ldrp_pending_count(void);

/* ldr-report.c: one line on stderr saying why the process cannot start, as Windows' hard-error box says it. */
void ldrp_report(const char *first, const char *second, const char *third, const char *fourth);
void ldrp_ascii_copy(char *to, const char *from, ULONG size);
void ldrp_make_unicode(UNICODE_STRING *out, const char *text);
int ldrp_same_name(const UNICODE_STRING *name, const char *text);
ULONG ldrp_dos_error(NTSTATUS status);
#endif
