/* Reading a mapped PE image: its headers and data directories, its base
   relocations (applied when NtMapViewOfSection answered
   STATUS_IMAGE_NOT_AT_BASE, as LdrRelocateImage does) and its exports. */
#include <string.h>
#include "ldr.h"

IMAGE_NT_HEADERS *ldrp_nt_headers(PVOID base) {
  return (IMAGE_NT_HEADERS *)((BYTE *)base + ((IMAGE_DOS_HEADER *)base)->e_lfanew);
}

PVOID ldrp_directory(PVOID base, int index, ULONG *size) {
  IMAGE_NT_HEADERS *nt = ldrp_nt_headers(base);
  if ((ULONG)index >= nt->OptionalHeader.NumberOfRvaAndSizes) return NULL;
  IMAGE_DATA_DIRECTORY *d = &nt->OptionalHeader.DataDirectory[index];
  if (!d->VirtualAddress || !d->Size) return NULL;
  if (size) *size = d->Size;
  return (BYTE *)base + d->VirtualAddress;
}

/* Makes [address, address + bytes) writable, as copy-on-write in an image view; returns the old protection. */
static ULONG unprotect(PVOID address, SIZE_T bytes) {
  PVOID base = address;
  SIZE_T size = bytes;
  ULONG old = 0;
  NtProtectVirtualMemory((HANDLE)-1, &base, &size, PAGE_READWRITE, &old);
  return old;
}

static void reprotect(PVOID address, SIZE_T bytes, ULONG protection) {
  PVOID base = address;
  SIZE_T size = bytes;
  ULONG old;
  NtProtectVirtualMemory((HANDLE)-1, &base, &size, protection, &old);
}

/* One page's block of fixups: the page becomes the process's own copy (copy-on-write), then gets its protection back. */
static void relocate_block(BYTE *image, const IMAGE_BASE_RELOCATION *block, ULONG delta) {
  const WORD *fixups = (const WORD *)(block + 1);
  ULONG count = (block->SizeOfBlock - sizeof *block) / sizeof(WORD);
  BYTE *page = image + block->VirtualAddress;
  ULONG old = unprotect(page, 4096);
  for (ULONG i = 0; i < count; i++) {
    if ((fixups[i] >> 12) != IMAGE_REL_BASED_HIGHLOW) continue;
    ULONG offset = fixups[i] & 0xfff;
    DWORD *target = (DWORD *)(page + offset);
    if (offset > 4092) {   /* straddles into the next page: give that page its own turn */
      ULONG next = unprotect(page + 4096, 4);
      *target += delta;
      reprotect(page + 4096, 4, next);
    } else {
      *target += delta;
    }
  }
  reprotect(page, 4096, old);
}

NTSTATUS ldrp_relocate(PVOID base) {
  IMAGE_NT_HEADERS *nt = ldrp_nt_headers(base);
  ULONG size = 0;
  BYTE *blocks = ldrp_directory(base, IMAGE_DIRECTORY_ENTRY_BASERELOC, &size);
  if (!blocks) return STATUS_CONFLICTING_ADDRESSES;   /* a moved image without relocations cannot run */
  ULONG delta = (ULONG)base - nt->OptionalHeader.ImageBase;
  for (BYTE *p = blocks; p + sizeof(IMAGE_BASE_RELOCATION) <= blocks + size;) {
    const IMAGE_BASE_RELOCATION *block = (const IMAGE_BASE_RELOCATION *)p;
    if (block->SizeOfBlock < sizeof *block) break;
    relocate_block(base, block, delta);
    p += block->SizeOfBlock;
  }
  return STATUS_SUCCESS;
}

/* Index into the function table by name: the hint first, then a binary search of the sorted names (LdrpSnapThunk). */
static LONG export_index_by_name(BYTE *image, const IMAGE_EXPORT_DIRECTORY *exports, const char *name, WORD hint) {
  const ULONG *names = (const ULONG *)(image + exports->AddressOfNames);
  const WORD *ordinals = (const WORD *)(image + exports->AddressOfNameOrdinals);
  if (hint < exports->NumberOfNames && strcmp(name, (char *)image + names[hint]) == 0) return ordinals[hint];
  ULONG low = 0, high = exports->NumberOfNames;
  while (low < high) {
    ULONG middle = low + (high - low) / 2;
    int order = strcmp(name, (char *)image + names[middle]);
    if (order == 0) return ordinals[middle];
    if (order < 0) high = middle; else low = middle + 1;
  }
  return -1;
}

/* "DLL.Function" or "DLL.#ordinal": load DLL (as an import of `from`) and look the function up there. */
static NTSTATUS follow_forwarder(module *from, const char *forwarder, PVOID *address, int depth) {
  char dll[MAX_PATH_CHARS];
  const char *dot = strchr(forwarder, '.');
  if (!dot || (ULONG)(dot - forwarder) + 5 > sizeof dll || depth > 8) return STATUS_ENTRYPOINT_NOT_FOUND;
  memcpy(dll, forwarder, dot - forwarder);
  strcpy(dll + (dot - forwarder), ".dll");
  module *target;
  char importer[MAX_PATH_CHARS];
  ldrp_ascii_copy(importer, "", sizeof importer);
  for (USHORT i = 0; i < from->entry.BaseDllName.Length / 2 && i + 1 < sizeof importer; i++) { importer[i] = (char)from->entry.BaseDllName.Buffer[i]; importer[i + 1] = 0; }
  NTSTATUS status = ldrp_load(dll, importer, &target);
  if (status < 0) return status;
  if (dot[1] == '#') {
    WORD ordinal = 0;
    for (const char *p = dot + 2; *p >= '0' && *p <= '9'; p++) ordinal = ordinal * 10 + (*p - '0');
    return ldrp_find_export(target, NULL, ordinal, TRUE, address, depth + 1);
  }
  return ldrp_find_export(target, dot + 1, 0, FALSE, address, depth + 1);
}

NTSTATUS ldrp_find_export(module *m, const char *name, WORD ordinal_or_hint, BOOL by_ordinal, PVOID *address, int depth) {
  BYTE *image = m->entry.DllBase;
  ULONG size = 0;
  const IMAGE_EXPORT_DIRECTORY *exports = ldrp_directory(image, IMAGE_DIRECTORY_ENTRY_EXPORT, &size);
  if (!exports) return STATUS_ENTRYPOINT_NOT_FOUND;
  LONG index = by_ordinal ? (LONG)ordinal_or_hint - (LONG)exports->Base : export_index_by_name(image, exports, name, ordinal_or_hint);
  if (index < 0 || (ULONG)index >= exports->NumberOfFunctions) return by_ordinal ? STATUS_ORDINAL_NOT_FOUND : STATUS_ENTRYPOINT_NOT_FOUND;
  ULONG rva = ((const ULONG *)(image + exports->AddressOfFunctions))[index];
  if (!rva) return STATUS_ENTRYPOINT_NOT_FOUND;
  /* An RVA inside the export directory is a forwarder string, not code. */
  if (rva >= (ULONG)((BYTE *)exports - image) && rva < (ULONG)((BYTE *)exports - image) + size) return follow_forwarder(m, (const char *)image + rva, address, depth);
  *address = image + rva;
  return STATUS_SUCCESS;
}
