/* A PE image's layout as VirtualQuery sees it, section by section: each
   line is "name base allocation-base allocation-protect protect type".
   Built with stock i686-w64-mingw32-gcc -nostdlib: it imports nothing. */
#include "nt-calls.h"

extern char __ImageBase;
int code(void) { return 1; }
const char read_only[64] = "read-only data";
int initialised = 42;
char uninitialised[3 * 4096];

static void report(const char *name, const void *address) {
  nt_memory_info info;
  char line[80], *p = line;
  if (nt_query(address, &info) < 0) { nt_print("query failed\n"); nt_terminate(1); }
  while (*name) *p++ = *name++;
  *p++ = ' '; p = hex(p, (unsigned long)info.BaseAddress);
  *p++ = ' '; p = hex(p, (unsigned long)info.AllocationBase);
  *p++ = ' '; p = hex(p, info.AllocationProtect);
  *p++ = ' '; p = hex(p, info.Protect);
  *p++ = ' '; p = hex(p, info.Type);
  *p++ = '\n'; *p = 0;
  nt_print(line);
}

void start(void) {
  report("headers", &__ImageBase);
  report(".text", (const void *)code);
  report(".rdata", read_only);
  report(".data", &initialised);
  report(".bss", uninitialised + 4096);
  initialised++;                       /* the first write takes a private copy */
  uninitialised[4096] = 1;
  report(".data-written", &initialised);
  report(".bss-written", uninitialised + 4096);
  nt_terminate(initialised);
}
