/* An image with SectionAlignment below the page size (linked with
   --section-alignment 0x200 --file-alignment 0x200): Windows maps it "flat",
   the file as is, every page PAGE_EXECUTE_WRITECOPY. No uninitialised data,
   which such an image may not have. Prints nt_report_region lines: the
   whole image is one region. */
#include "nt-calls.h"

extern char __ImageBase;
int code(void) { return 1; }
const char read_only[16] = "read-only";
int initialised = 42;

void start(void) {
  nt_report_region("headers", &__ImageBase);
  nt_report_region(".text", (const void *)code);
  nt_report_region(".rdata", read_only);
  nt_report_region(".data", &initialised);
  nt_terminate(code() + initialised);
}
