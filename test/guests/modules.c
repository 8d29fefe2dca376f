/* LoadLibraryA / FreeLibrary / GetModuleHandleA over image sections.
   The test puts C:\plugin.elf (linked at 0x10000000), C:\data.bin (not an
   ELF) and C:\clash.elf (linked at 0x00400000, where the program is). */
#include <windows.h>
#include <winternl.h>
#include <string.h>
#include "check.h"

/* The first region of the image with this protection. */
static char *region_with(char *base, DWORD protect) {
  MEMORY_BASIC_INFORMATION mbi;
  for (char *p = base; VirtualQuery(p, &mbi, sizeof mbi) && mbi.AllocationBase == base; p += mbi.RegionSize) {
    if (mbi.Protect == protect) return p;
  }
  return NULL;
}

int main(void) {
  char *plugin = (char *)LoadLibraryA("C:\\plugin.elf");
  CHECK_EQ("LoadLibraryA maps the image at its base", plugin, 0x10000000);
  CHECK_EQ("GetModuleHandleA by name", GetModuleHandleA("plugin.elf"), plugin);
  CHECK_EQ("GetModuleHandleA(NULL) is the program", GetModuleHandleA(NULL), 0x400000);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(plugin, &mbi, sizeof mbi);
  CHECK_EQ("MEM_IMAGE", mbi.Type, MEM_IMAGE);
  CHECK_EQ("AllocationBase", mbi.AllocationBase, plugin);
  CHECK_EQ("AllocationProtect", mbi.AllocationProtect, PAGE_EXECUTE_WRITECOPY);
  CHECK_EQ("headers and code: execute/read", mbi.Protect, PAGE_EXECUTE_READ);
  CHECK_TRUE("the ELF header is at the base", !memcmp(plugin, "\x7f" "ELF", 4));
  char *data = region_with(plugin, PAGE_WRITECOPY);
  CHECK_TRUE("a copy-on-write data page", data != NULL);
  data[0] ^= 1;
  VirtualQuery(data, &mbi, sizeof mbi);
  CHECK_EQ("after a write it is the process's own", mbi.Protect, PAGE_READWRITE);

  CHECK_EQ("loading again returns the same module", LoadLibraryA("C:\\plugin.elf"), plugin);
  CHECK_TRUE("FreeLibrary (1 of 2)", FreeLibrary((HMODULE)plugin));
  VirtualQuery(plugin, &mbi, sizeof mbi);
  CHECK_EQ("still mapped", mbi.Type, MEM_IMAGE);
  CHECK_TRUE("FreeLibrary (2 of 2)", FreeLibrary((HMODULE)plugin));
  VirtualQuery(plugin, &mbi, sizeof mbi);
  CHECK_EQ("unmapped", mbi.State, MEM_FREE);
  CHECK_EQ("GetModuleHandleA after", GetModuleHandleA("plugin.elf"), NULL);
  CHECK_EQ("FreeLibrary of nothing", FreeLibrary((HMODULE)plugin), FALSE);

  /* Loaded again: its code page is still resident in the image section (standby), no file read. */
  plugin = (char *)LoadLibraryA("C:\\plugin.elf");
  volatile char first = plugin[0];
  (void)first;
  data = region_with(plugin, PAGE_WRITECOPY);
  CHECK_TRUE("a fresh copy-on-write data page after reloading", data != NULL);

  CHECK_EQ("a missing file", LoadLibraryA("C:\\missing.elf"), NULL);
  CHECK_EQ("a missing file: ERROR_MOD_NOT_FOUND", GetLastError(), ERROR_MOD_NOT_FOUND);
  CHECK_EQ("not an ELF", LoadLibraryA("C:\\data.bin"), NULL);
  CHECK_EQ("not an ELF: ERROR_BAD_EXE_FORMAT", GetLastError(), ERROR_BAD_EXE_FORMAT);
  CHECK_EQ("an image whose base is taken", LoadLibraryA("C:\\clash.elf"), NULL);
  CHECK_EQ("an image whose base is taken: ERROR_INVALID_ADDRESS", GetLastError(), ERROR_INVALID_ADDRESS);
  return CHECK_DONE();
}
