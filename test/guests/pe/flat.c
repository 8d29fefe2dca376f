/* An image with SectionAlignment below the page size (linked with
   --section-alignment 0x200 --file-alignment 0x200): Windows maps it "flat",
   the file as is, every page PAGE_EXECUTE_WRITECOPY. No uninitialised data,
   which such an image may not have. Prints "name protect type" lines. */
#include "nt-calls.h"

extern char __ImageBase;
int code(void) { return 1; }
const char read_only[16] = "read-only";
int initialised = 42;

static void report(const char *name, const void *address) {
  nt_memory_info info;
  char line[48], *p = line;
  if (nt_query(address, &info) < 0) nt_terminate(1);
  while (*name) *p++ = *name++;
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
  nt_terminate(code() + initialised);
}
