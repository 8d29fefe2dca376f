/* VirtualProtect inside image views (this program's own image, and a
   LoadLibraryA'd module: C:\exports.elf from exports-module.c at
   0x10000000), as Windows allows it: a writable protection on an image page
   becomes copy-on-write (PAGE_READWRITE -> PAGE_WRITECOPY, PAGE_EXECUTE_READWRITE
   -> PAGE_EXECUTE_WRITECOPY, WRK MiProtectVirtualMemory), the first write
   takes a private copy (VirtualQuery then says PAGE_(EXECUTE_)READWRITE), the
   old protection comes back, and VirtualQuery splits the region. The
   sequence is mingw-w64's pseudo-relocation code (pseudo-reloc.c
   mark_section_writable / restore_modified_sections): VirtualQuery the
   page, VirtualProtect the whole region PAGE_EXECUTE_READWRITE, write,
   VirtualProtect it back to the old protection. */
#include <windows.h>
#include "check.h"

static const char rodata_text[] = "read-only data of the image";

__attribute__((noinline)) static int answer(void) { return 0x11223344; }

/* Its copy-on-write counterpart: what VirtualQuery reports after VirtualProtect(PAGE_EXECUTE_READWRITE) on an image page. */
static DWORD copy_on_write(DWORD protect) {
  if (protect == PAGE_READONLY || protect == PAGE_READWRITE || protect == PAGE_WRITECOPY) return PAGE_WRITECOPY;
  return PAGE_EXECUTE_WRITECOPY;
}

/* Patches the byte at `target` the way mingw's pseudo-relocation code does, checking each step. */
static void pseudo_relocate(const char *what, unsigned char *target, unsigned char value) {
  char name[128];
  MEMORY_BASIC_INFORMATION before, during, after;
  CHECK_EQ("VirtualQuery", VirtualQuery(target, &before, sizeof before), sizeof before);
  snprintf(name, sizeof name, "%s: an image page", what);
  CHECK_EQ(name, before.Type, MEM_IMAGE);
  snprintf(name, sizeof name, "%s: not writable before", what);
  CHECK_TRUE(name, before.Protect == PAGE_READONLY || before.Protect == PAGE_EXECUTE_READ);
  DWORD old = 0xdeadbeef;
  snprintf(name, sizeof name, "%s: VirtualProtect(region, PAGE_EXECUTE_READWRITE)", what);
  CHECK_TRUE(name, VirtualProtect(before.BaseAddress, before.RegionSize, PAGE_EXECUTE_READWRITE, &old));
  snprintf(name, sizeof name, "%s: the old protection", what);
  CHECK_EQ(name, old, before.Protect);
  VirtualQuery(target, &during, sizeof during);
  snprintf(name, sizeof name, "%s: VirtualQuery says copy-on-write", what);
  CHECK_EQ(name, during.Protect, copy_on_write(PAGE_EXECUTE_READWRITE));
  snprintf(name, sizeof name, "%s: the same region", what);
  CHECK_EQ(name, during.RegionSize, before.RegionSize);

  *target = value;
  VirtualQuery(target, &during, sizeof during);
  snprintf(name, sizeof name, "%s: the written page is a private copy, execute-read-write", what);
  CHECK_EQ(name, during.Protect, PAGE_EXECUTE_READWRITE);
  snprintf(name, sizeof name, "%s: the query stops at the written page", what);
  CHECK_EQ(name, during.RegionSize, 0x1000);
  snprintf(name, sizeof name, "%s: the region's base is the written page", what);
  CHECK_EQ(name, during.BaseAddress, (PVOID)((ULONG_PTR)target & ~0xfffUL));

  DWORD restored = 0xdeadbeef;
  snprintf(name, sizeof name, "%s: VirtualProtect(region, old)", what);
  CHECK_TRUE(name, VirtualProtect(before.BaseAddress, before.RegionSize, old, &restored));
  snprintf(name, sizeof name, "%s: the old protection is the first page's", what);
  CHECK_EQ(name, restored, before.BaseAddress == (PVOID)((ULONG_PTR)target & ~0xfffUL) ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_WRITECOPY);
  VirtualQuery(target, &after, sizeof after);
  snprintf(name, sizeof name, "%s: the protection is back", what);
  CHECK_EQ(name, after.Protect, before.Protect);
  snprintf(name, sizeof name, "%s: the write stays", what);
  CHECK_EQ(name, *target, value);
}

typedef int (*add_fn)(int, int);

int main(void) {
  /* The program's own .text: patch answer()'s immediate. */
  unsigned char *code = (unsigned char *)answer;
  int at = -1;
  for (int i = 0; i < 16 && at < 0; i++) if (code[i] == 0xb8 && code[i + 1] == 0x44) at = i + 1;
  CHECK_TRUE("answer() loads its immediate with mov eax", at >= 0);
  if (at >= 0) {
    pseudo_relocate(".text", code + at, 0x55);
    CHECK_EQ("the patched code runs", answer(), 0x11223355);
  }

  /* The program's read-only data. */
  pseudo_relocate(".rodata", (unsigned char *)rodata_text, 'R');
  CHECK_EQ("the patched data reads back", ((volatile const char *)rodata_text)[0], 'R');

  /* A module loaded with LoadLibraryA. */
  HMODULE module = LoadLibraryA("C:\\exports.elf");
  CHECK_EQ("LoadLibraryA", module, 0x10000000);
  /* PAGE_READWRITE on an image page not yet copied reads back as PAGE_WRITECOPY: the module's header page. */
  MEMORY_BASIC_INFORMATION info;
  DWORD old = 0xdeadbeef, back = 0xdeadbeef;
  VirtualQuery(module, &info, sizeof info);
  DWORD header_protect = info.Protect;
  CHECK_TRUE("the module's header page is not writable", header_protect == PAGE_READONLY || header_protect == PAGE_EXECUTE_READ);
  CHECK_TRUE("VirtualProtect(header, PAGE_READWRITE)", VirtualProtect(module, 1, PAGE_READWRITE, &old));
  CHECK_EQ("  old: the header's protection", old, header_protect);
  VirtualQuery(module, &info, sizeof info);
  CHECK_EQ("  VirtualQuery: PAGE_WRITECOPY", info.Protect, PAGE_WRITECOPY);
  CHECK_EQ("  one page", info.RegionSize, 0x1000);
  CHECK_TRUE("VirtualProtect(header, PAGE_EXECUTE)", VirtualProtect(module, 1, PAGE_EXECUTE, &back));
  CHECK_EQ("  old: PAGE_WRITECOPY", back, PAGE_WRITECOPY);
  CHECK_TRUE("VirtualProtect(header, back)", VirtualProtect(module, 1, header_protect, &back));
  CHECK_EQ("  old: PAGE_EXECUTE", back, PAGE_EXECUTE);
  VirtualQuery(module, &info, sizeof info);
  CHECK_EQ("  VirtualQuery: as before", info.Protect, header_protect);

  add_fn add = (add_fn)GetProcAddress(module, "add_numbers");
  CHECK_TRUE("add_numbers", add != NULL);
  if (add) {
    unsigned char first = *(unsigned char *)add;
    pseudo_relocate("module .text", (unsigned char *)add, first);
    CHECK_EQ("the module's code still runs", add(1, 2) - add(0, 0), 3);
  }
  return CHECK_DONE();
}
