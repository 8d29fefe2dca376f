/* Write watch on private memory (MEM_WRITE_WATCH, GetWriteWatch,
   ResetWriteWatch), with the results and errors Windows gives in Wine's
   test_write_watch: pages written since the allocation or the last reset,
   in address order, page granularity; a page written and then made
   inaccessible or decommitted still counts. */
#include <windows.h>
#include <ntdll.h>
#include <string.h>
#include "check.h"

#define PAGE 4096
static PVOID results[64];
static ULONG_PTR count;
static ULONG granularity;

/* GetWriteWatch over the whole range into `results`; returns its UINT result. */
static UINT watch(DWORD flags, char *base, SIZE_T size, ULONG_PTR capacity) {
  count = capacity;
  granularity = 0;
  memset(results, 0, sizeof results);
  return GetWriteWatch(flags, base, size, results, &count, &granularity);
}

static void check_error(const char *name, UINT result, DWORD error) {
  char label[96];
  snprintf(label, sizeof label, "%s fails", name);
  CHECK_EQ(label, result, ~0u);
  snprintf(label, sizeof label, "%s: last error", name);
  CHECK_EQ(label, GetLastError(), error);
}

int main(void) {
  SIZE_T size = 16 * PAGE;
  MEMORY_BASIC_INFORMATION info;
  char *base = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE);
  CHECK_TRUE("MEM_RESERVE|MEM_COMMIT|MEM_WRITE_WATCH succeeds", base != NULL);
  CHECK_EQ("VirtualQuery: one committed private region", VirtualQuery(base, &info, sizeof info), sizeof info);
  CHECK_EQ("RegionSize", info.RegionSize, size);
  CHECK_EQ("State", info.State, MEM_COMMIT);
  CHECK_EQ("Protect", info.Protect, PAGE_READWRITE);
  CHECK_EQ("Type", info.Type, MEM_PRIVATE);

  check_error("GetWriteWatch at NULL", watch(0, NULL, size, 64), ERROR_INVALID_PARAMETER);
  check_error("GetWriteWatch on the image", watch(0, (char *)GetModuleHandleA(NULL), size, 64), ERROR_INVALID_PARAMETER);

  CHECK_EQ("nothing written yet", watch(0, base, size, 64), 0);
  CHECK_EQ("no pages", count, 0);
  CHECK_EQ("granularity is the page size", granularity, PAGE);

  base[PAGE + 1] = 0x44;
  CHECK_EQ("one write", watch(0, base, size, 64), 0);
  CHECK_EQ("one page", count, 1);
  CHECK_EQ("page 1", results[0], base + PAGE);
  CHECK_EQ("read and reset", watch(WRITE_WATCH_FLAG_RESET, base, size, 64), 0);
  CHECK_EQ("still page 1", results[0], base + PAGE);
  watch(0, base, size, 64);
  CHECK_EQ("after the reset: none", count, 0);

  base[2 * PAGE + 3] = 0x11;
  base[4 * PAGE + 8] = 0x11;
  watch(0, base, size, 64);
  CHECK_EQ("two writes: two pages", count, 2);
  CHECK_EQ("in address order: page 2", results[0], base + 2 * PAGE);
  CHECK_EQ("then page 4", results[1], base + 4 * PAGE);
  watch(0, base + 3 * PAGE, 2 * PAGE, 64);
  CHECK_EQ("a sub-range sees only its own", count, 1);
  CHECK_EQ("page 4", results[0], base + 4 * PAGE);

  CHECK_EQ("ResetWriteWatch of pages 0-2", ResetWriteWatch(base, 3 * PAGE), 0);
  watch(0, base, size, 64);
  CHECK_EQ("page 4 is left", count, 1);
  CHECK_EQ("page 4 it is", results[0], base + 4 * PAGE);

  *(volatile DWORD *)(base + 2 * PAGE - 2) = 0xdeadbeef;   /* straddles pages 1 and 2 */
  watch(0, base, size, 64);
  CHECK_EQ("a straddling write marks both pages", count, 3);
  CHECK_EQ("page 1", results[0], base + PAGE);
  CHECK_EQ("page 2", results[1], base + 2 * PAGE);
  CHECK_EQ("page 4", results[2], base + 4 * PAGE);

  CHECK_EQ("an array of one, with reset", watch(WRITE_WATCH_FLAG_RESET, base, size, 1), 0);
  CHECK_EQ("reports one page", count, 1);
  CHECK_EQ("the first", results[0], base + PAGE);
  watch(0, base, size, 64);
  CHECK_EQ("and resets only up to it", count, 2);
  CHECK_EQ("page 2 remains", results[0], base + 2 * PAGE);
  CHECK_EQ("page 4 remains", results[1], base + 4 * PAGE);

  DWORD old;
  CHECK_TRUE("VirtualProtect read-only", VirtualProtect(base, 3 * PAGE, PAGE_READONLY, &old));
  CHECK_TRUE("and back", VirtualProtect(base, 3 * PAGE, PAGE_READWRITE, &old));
  watch(0, base, size, 64);
  CHECK_EQ("protection changes leave the watch alone", count, 2);

  /* The kernel writing for a system call is a write too. */
  watch(WRITE_WATCH_FLAG_RESET, base, size, 64);
  CHECK_EQ("NtQueryVirtualMemory into watched memory", VirtualQuery(base, (PMEMORY_BASIC_INFORMATION)(base + 7 * PAGE), sizeof info), sizeof info);
  watch(0, base, size, 64);
  CHECK_EQ("counts the page it wrote", count, 1);
  CHECK_EQ("page 7", results[0], base + 7 * PAGE);

  /* Invalid parameters. */
  count = 0;
  check_error("count 0", GetWriteWatch(0, base, size, results, &count, &granularity), ERROR_INVALID_PARAMETER);
  check_error("no count", GetWriteWatch(0, base, size, results, NULL, &granularity), ERROR_NOACCESS);
  count = 64;
  check_error("no granularity", GetWriteWatch(0, base, size, results, &count, NULL), ERROR_NOACCESS);
  count = 64;
  check_error("no array", GetWriteWatch(0, base, size, NULL, &count, &granularity), ERROR_NOACCESS);
  count = 0;
  check_error("no array, count 0", GetWriteWatch(0, base, size, NULL, &count, &granularity), ERROR_INVALID_PARAMETER);
  check_error("unknown flags", watch(0xdeadbeef, base, size, 64), ERROR_INVALID_PARAMETER);
  check_error("size 0", watch(0, base, 0, 64), ERROR_INVALID_PARAMETER);
  check_error("past the allocation", watch(0, base, size * 2, 64), ERROR_INVALID_PARAMETER);
  check_error("one byte past the allocation", watch(0, base + size - PAGE, PAGE + 1, 64), ERROR_INVALID_PARAMETER);
  check_error("ResetWriteWatch size 0", ResetWriteWatch(base, 0), ERROR_INVALID_PARAMETER);
  check_error("ResetWriteWatch on the image", ResetWriteWatch(GetModuleHandleA(NULL), size), ERROR_INVALID_PARAMETER);
  CHECK_EQ("NtResetWriteWatch, bad process handle", NtResetWriteWatch((HANDLE)0x1234, base, size), STATUS_INVALID_HANDLE);
  CHECK_TRUE("release", VirtualFree(base, 0, MEM_RELEASE));
  check_error("after the release", watch(0, base, size, 64), ERROR_INVALID_PARAMETER);

  /* MEM_WRITE_WATCH needs MEM_RESERVE. */
  base = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_WRITE_WATCH, PAGE_READWRITE);
  CHECK_TRUE("MEM_RESERVE|MEM_WRITE_WATCH succeeds", base != NULL);
  VirtualFree(base, 0, MEM_RELEASE);
  SetLastError(0);
  CHECK_TRUE("MEM_WRITE_WATCH alone fails", VirtualAlloc(NULL, size, MEM_WRITE_WATCH, PAGE_READWRITE) == NULL);
  CHECK_EQ("with ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  PVOID nt_base = NULL; SIZE_T nt_size = size;
  CHECK_EQ("MEM_COMMIT|MEM_WRITE_WATCH: STATUS_INVALID_PARAMETER_5",
           NtAllocateVirtualMemory(NtCurrentProcess(), &nt_base, 0, &nt_size, MEM_COMMIT | MEM_WRITE_WATCH, PAGE_READWRITE),
           STATUS_INVALID_PARAMETER_5);

  /* A written page that loses its valid PTE (no access, then decommitted) still counts. */
  base = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_WRITE_WATCH, PAGE_NOACCESS);
  CHECK_TRUE("commit no-access inside it", VirtualAlloc(base, size, MEM_COMMIT, PAGE_NOACCESS) == base);
  watch(0, base, size, 64);
  CHECK_EQ("the initial protection writes nothing", count, 0);
  CHECK_TRUE("make 6 pages writable", VirtualProtect(base, 6 * PAGE, PAGE_READWRITE, &old) && old == PAGE_NOACCESS);
  base[5 * PAGE + 200] = 3;
  CHECK_TRUE("and no-access again", VirtualProtect(base, 6 * PAGE, PAGE_NOACCESS, &old) && old == PAGE_READWRITE);
  watch(0, base, size, 64);
  CHECK_EQ("the write to a page now without a valid PTE counts", count, 1);
  CHECK_EQ("page 5", results[0], base + 5 * PAGE);
  CHECK_TRUE("decommit it all", VirtualFree(base, size, MEM_DECOMMIT));
  watch(0, base, size, 64);
  CHECK_EQ("a decommitted written page still counts", count, 1);
  CHECK_EQ("page 5 still", results[0], base + 5 * PAGE);
  CHECK_EQ("until reset", ResetWriteWatch(base, size), 0);
  watch(0, base, size, 64);
  CHECK_EQ("then none", count, 0);
  VirtualFree(base, 0, MEM_RELEASE);
  return CHECK_DONE();
}
