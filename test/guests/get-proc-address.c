/* GetProcAddress on a LoadLibraryA'd module (C:\exports.elf, built from
   test/guests/exports-module.c at 0x10000000, and C:\dllexport.elf, from
   dllexport-module.c at 0x11000000): by name, by ordinal, and what Windows
   answers for a missing export or a module that is not loaded. */
#include <windows.h>
#include <string.h>
#include "check.h"

typedef int (*add_fn)(int, int);
typedef const char *(*greeting_fn)(int);
typedef int (__stdcall *multiply_fn)(int, int);
typedef int (__cdecl *negate_fn)(int);

int main(void) {
  HMODULE module = LoadLibraryA("C:\\exports.elf");
  CHECK_EQ("LoadLibraryA", module, 0x10000000);
  add_fn add = (add_fn)GetProcAddress(module, "add_numbers");
  CHECK_TRUE("an exported function is found", add != NULL);
  CHECK_TRUE("it lies in the module's code", (char *)add > (char *)module && (char *)add < (char *)module + 0x10000);
  if (add) CHECK_EQ("calling it runs the module's code on the module's data", add(1, 2), 43);
  int *counter = (int *)GetProcAddress(module, "module_counter");
  CHECK_TRUE("an exported variable is found", counter != NULL);
  if (counter) { *counter = 0; CHECK_EQ("the variable is the one the code uses", add ? add(1, 2) : 0, 3); }
  greeting_fn greeting = (greeting_fn)GetProcAddress(module, "module_greeting");
  if (greeting) CHECK_TRUE("the module's own C runtime works", !strcmp(greeting(7), "hello 7 from the module"));
  CHECK_EQ("ordinal 1 is the first name in sorted order", GetProcAddress(module, MAKEINTRESOURCEA(1)), add);

  IMAGE_EXPORT_DIRECTORY *exports = NULL;
  const unsigned char *elf = (const unsigned char *)module;
  const ULONG *ph = (const ULONG *)(elf + *(const ULONG *)(elf + 28));
  for (int i = 0; i < *(const USHORT *)(elf + 44); i++, ph += 8) if (ph[0] == 0x6d6d7365) exports = (IMAGE_EXPORT_DIRECTORY *)ph[2];
  CHECK_TRUE("the exports program header points at the directory", exports != NULL);
  if (exports) {
    CHECK_TRUE("its Name is the module's file name (an RVA)", !strcmp((char *)module + exports->Name, "exports.elf"));
    CHECK_EQ("ordinal base", exports->Base, 1);
    CHECK_EQ("AddressOfFunctions holds RVAs", ((ULONG *)((char *)module + exports->AddressOfFunctions))[0], (char *)add - (char *)module);
  }

  char name[260];
  CHECK_EQ("GetModuleFileNameA: the path it was loaded by", GetModuleFileNameA(module, name, sizeof name), 14);
  CHECK_TRUE("  C:\\exports.elf", !strcmp(name, "C:\\exports.elf"));
  SetLastError(0xdeadbeef);
  CHECK_EQ("GetModuleFileNameA into 5 bytes returns 5", GetModuleFileNameA(module, name, 5), 5);
  CHECK_TRUE("  truncated and terminated", !strcmp(name, "C:\\e"));
  CHECK_EQ("  ERROR_INSUFFICIENT_BUFFER", GetLastError(), ERROR_INSUFFICIENT_BUFFER);
  CHECK_TRUE("GetModuleFileNameA(NULL) is the program", GetModuleFileNameA(NULL, name, sizeof name) > 4 && strstr(name, ".elf") != NULL);
  SetLastError(0xdeadbeef);
  CHECK_EQ("GetModuleFileNameA of a module that is not loaded", GetModuleFileNameA((HMODULE)0x20000000, name, sizeof name), 0);
  CHECK_EQ("  ERROR_MOD_NOT_FOUND", GetLastError(), ERROR_MOD_NOT_FOUND);
  SetLastError(0xdeadbeef);
  CHECK_EQ("a missing export", GetProcAddress(module, "no_such_function"), NULL);
  CHECK_EQ("  ERROR_PROC_NOT_FOUND", GetLastError(), ERROR_PROC_NOT_FOUND);
  SetLastError(0xdeadbeef);
  CHECK_EQ("an ordinal past the end", GetProcAddress(module, MAKEINTRESOURCEA(100)), NULL);
  CHECK_EQ("  ERROR_PROC_NOT_FOUND", GetLastError(), ERROR_PROC_NOT_FOUND);
  SetLastError(0xdeadbeef);
  CHECK_EQ("the program exports nothing", GetProcAddress(NULL, "main"), NULL);
  CHECK_EQ("  ERROR_PROC_NOT_FOUND", GetLastError(), ERROR_PROC_NOT_FOUND);
  SetLastError(0xdeadbeef);
  CHECK_EQ("a module that is not loaded", GetProcAddress((HMODULE)0x20000000, "add_numbers"), NULL);
  CHECK_EQ("  ERROR_MOD_NOT_FOUND", GetLastError(), ERROR_MOD_NOT_FOUND);
  /* A module that marks its exports with __declspec(dllexport) exports only those. */
  HMODULE marked = LoadLibraryA("C:\\dllexport.elf");
  CHECK_EQ("LoadLibraryA of the dllexport module", marked, 0x11000000);
  multiply_fn multiply = (multiply_fn)GetProcAddress(marked, "multiply");
  negate_fn negate = (negate_fn)GetProcAddress(marked, "negate");
  int *value = (int *)GetProcAddress(marked, "exported_value");
  CHECK_TRUE("__declspec(dllexport) functions and data are exported", multiply && negate && value);
  if (multiply && negate && value) CHECK_EQ("__stdcall and __cdecl calls through them", multiply(6, *value) + negate(2), 40);
  SetLastError(0xdeadbeef);
  CHECK_EQ("a global function not marked is not exported", GetProcAddress(marked, "internal_helper"), NULL);
  CHECK_EQ("  ERROR_PROC_NOT_FOUND", GetLastError(), ERROR_PROC_NOT_FOUND);
  CHECK_EQ("nor is main", GetProcAddress(marked, "main"), NULL);
  FreeLibrary(marked);
  CHECK_TRUE("FreeLibrary", FreeLibrary(module));
  SetLastError(0xdeadbeef);
  CHECK_EQ("after FreeLibrary the module is gone", GetProcAddress(module, "add_numbers"), NULL);
  CHECK_EQ("  ERROR_MOD_NOT_FOUND", GetLastError(), ERROR_MOD_NOT_FOUND);
  return CHECK_DONE();
}
