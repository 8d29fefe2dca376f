/* A PE image's layout as VirtualQuery sees it, section by section: each
   line is "name base allocation-base allocation-protect protect type".
   Built with stock i686-w64-mingw32-gcc -nostdlib: it imports nothing. */
#include "nt-calls.h"

extern char __ImageBase;
int code(void) { return 1; }
const char read_only[64] = "read-only data";
int initialised = 42;
char uninitialised[3 * 4096];

void start(void) {
  nt_report_region("headers", &__ImageBase);
  nt_report_region(".text", (const void *)code);
  nt_report_region(".rdata", read_only);
  nt_report_region(".data", &initialised);
  nt_report_region(".bss", uninitialised + 4096);
  initialised++;                       /* the first write takes a private copy */
  uninitialised[4096] = 1;
  nt_report_region(".data-written", &initialised);
  nt_report_region(".bss-written", uninitialised + 4096);
  nt_terminate(initialised);
}
