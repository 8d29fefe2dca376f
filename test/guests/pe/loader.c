/* The loader from a program's side, built with stock mingw-w64 against its
   kernel32 import library and nothing else (-nostdlib; output through
   nt-calls.h): LoadLibraryA of DLLs in the program's directory, two of them
   with the same preferred base (the second is relocated), GetProcAddress by
   name and ordinal and of data, DllMain's calls, FreeLibrary's reference
   counts, GetModuleHandle, GetModuleFileName, a missing DLL and export.
   Prints "name value" lines the test compares with Windows' results. */
#include <windows.h>
#include "nt-calls.h"

static void show(const char *name, unsigned long value) {
  char line[96], *p = line;
  while (*name) *p++ = *name++;
  *p++ = ' ';
  p = hex(p, value);
  *p++ = '\n';
  *p = 0;
  nt_print(line);
}

typedef int (*binary)(int, int);
typedef void *(*address_of)(void);

void start(void) {
  HMODULE helper = LoadLibraryA("helper.dll");
  show("helper", (unsigned long)helper);
  HMODULE twin = LoadLibraryA("twin");                     /* ".dll" implied; same preferred base */
  show("twin", (unsigned long)twin);
  /* The same base again, but without relocations: it cannot move (STATUS_CONFLICTING_ADDRESSES). */
  show("fixed", (unsigned long)LoadLibraryA("fixed.dll"));
  show("fixed-error", GetLastError());
  binary add = (binary)GetProcAddress(helper, "add");
  show("add", add ? (unsigned long)add(40, 2) : 0);
  binary by_ordinal = (binary)GetProcAddress(helper, MAKEINTRESOURCEA(1));
  show("ordinal-1-is-add", by_ordinal == add);
  const long *attaches = (const long *)GetProcAddress(helper, "attach_count");
  show("helper-attaches", attaches ? (unsigned long)*attaches : 0xffffffff);
  address_of data_a = (address_of)GetProcAddress(helper, "data_address");
  address_of data_b = (address_of)GetProcAddress(twin, "data_address");
  /* The relocated copy's code refers to its own data (fixed up by .reloc), the same offset from its base. */
  show("data-offset-helper", (unsigned long)data_a() - (unsigned long)helper);
  show("data-offset-twin", (unsigned long)data_b() - (unsigned long)twin);
  nt_memory_info info;
  nt_query((const void *)data_b, &info);
  show("twin-code-protect", info.Protect);
  show("twin-code-type", info.Type);
  show("twin-allocation-base", (unsigned long)info.AllocationBase);
  show("again", (unsigned long)LoadLibraryA("HELPER.DLL"));  /* loaded: the same module, one more reference */
  show("handle", (unsigned long)GetModuleHandleA("helper"));
  char name[64];
  DWORD length = GetModuleFileNameA(helper, name, sizeof name);
  name[length < sizeof name ? length : 0] = 0;
  nt_print("file "); nt_print(name); nt_print("\n");
  show("short-buffer", GetModuleFileNameA(helper, name, 4));
  show("short-buffer-error", GetLastError());
  show("short-buffer-text", *(unsigned long *)name);
  show("free-1", FreeLibrary(helper));
  show("still-loaded", (unsigned long)GetModuleHandleA("helper.dll"));
  show("free-2", FreeLibrary(helper));
  show("unloaded", (unsigned long)GetModuleHandleA("helper.dll"));
  show("unloaded-error", GetLastError());
  show("missing-dll", (unsigned long)LoadLibraryA("nosuch.dll"));
  show("missing-dll-error", GetLastError());
  show("missing-export", (unsigned long)GetProcAddress(twin, "nosuch"));
  show("missing-export-error", GetLastError());
  show("program", (unsigned long)GetModuleHandleA(NULL));
  ExitProcess(7);
}
