/* A randomized workload of VirtualAlloc / VirtualProtect / VirtualFree /
   VirtualQuery with a model of every region kept in the program: contents
   written are read back, queries agree with the model. The test runs it with
   the kernel's invariants checked after every system service. It prints what
   it did and observed (calls of each kind, pages queried, stamps read back
   and their checksum); the test computes the same line from the seed alone
   (test/helpers/vm-random-model.ts). */
#include <windows.h>
#include <stdlib.h>
#include <stdio.h>

#define SLOTS 24
#define PAGE 4096

struct region { char *base; SIZE_T pages; DWORD protect[16]; BOOL committed[16]; unsigned char stamp[16]; };
static struct region slots[SLOTS];
static unsigned seed;
static int check_failures;
static unsigned allocations, commits, protects, refused, decommits, releases, writes, queried, read_back;
static unsigned long checksum;

static unsigned next(void) { seed = seed * 1103515245u + 12345u; return (seed >> 8) & 0xffffff; }

static const DWORD protections[] = { PAGE_READWRITE, PAGE_READONLY, PAGE_EXECUTE_READWRITE, PAGE_NOACCESS, PAGE_EXECUTE_READ };

static int readable(DWORD p) { return p != PAGE_NOACCESS; }
static int writable(DWORD p) { return p == PAGE_READWRITE || p == PAGE_EXECUTE_READWRITE; }

static void verify(struct region *r, const char *when) {
  for (SIZE_T i = 0; i < r->pages; i++) {
    MEMORY_BASIC_INFORMATION mbi;
    VirtualQuery(r->base + i * PAGE, &mbi, sizeof mbi);
    queried++;
    if (mbi.State != (r->committed[i] ? MEM_COMMIT : MEM_RESERVE) || (r->committed[i] && mbi.Protect != r->protect[i])) {
      printf("FAIL %s: page %lu of %p: state 0x%lx protect 0x%lx\n", when, (unsigned long)i, (void *)r->base, mbi.State, mbi.Protect);
      check_failures++;
    }
    if (!r->committed[i] || !readable(r->protect[i])) continue;
    unsigned char seen = (unsigned char)r->base[i * PAGE + 7];
    read_back++;
    checksum = checksum * 31u + seen;
    if (seen != r->stamp[i]) {
      printf("FAIL %s: contents of page %lu changed\n", when, (unsigned long)i);
      check_failures++;
    }
  }
}

int main(int argc, char **argv) {
  seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
  int steps = argc > 2 ? atoi(argv[2]) : 400;
  for (int step = 0; step < steps; step++) {
    struct region *r = &slots[next() % SLOTS];
    unsigned op = next() % 4;
    if (!r->base) {
      r->pages = 1 + next() % 16;
      DWORD protect = protections[next() % 3];
      int commit = next() % 2;
      r->base = VirtualAlloc(NULL, r->pages * PAGE, MEM_RESERVE | (commit ? MEM_COMMIT : 0), protect);
      allocations++;
      if (!r->base) { printf("FAIL allocate\n"); check_failures++; continue; }
      for (SIZE_T i = 0; i < r->pages; i++) { r->committed[i] = commit; r->protect[i] = protect; r->stamp[i] = 0; }
    } else if (op == 0) {
      SIZE_T first = next() % r->pages, count = 1 + next() % (r->pages - first);
      DWORD protect = protections[next() % 3];
      commits++;
      if (!VirtualAlloc(r->base + first * PAGE, count * PAGE, MEM_COMMIT, protect)) { printf("FAIL commit\n"); check_failures++; }
      for (SIZE_T i = first; i < first + count; i++) {
        if (!r->committed[i]) r->stamp[i] = 0;
        r->committed[i] = TRUE; r->protect[i] = protect;
      }
    } else if (op == 1) {
      SIZE_T first = next() % r->pages, count = 1 + next() % (r->pages - first);
      BOOL all = TRUE;
      for (SIZE_T i = first; i < first + count; i++) all &= r->committed[i];
      DWORD protect = protections[next() % 5], old;
      BOOL ok = VirtualProtect(r->base + first * PAGE, count * PAGE, protect, &old);
      protects++;
      refused += !ok;
      if (ok != all) { printf("FAIL protect result %d expected %d\n", ok, all); check_failures++; }
      if (ok && old != r->protect[first]) { printf("FAIL old protection 0x%lx\n", old); check_failures++; }
      if (ok) for (SIZE_T i = first; i < first + count; i++) r->protect[i] = protect;
    } else if (op == 2) {
      SIZE_T first = next() % r->pages, count = 1 + next() % (r->pages - first);
      decommits++;
      if (!VirtualFree(r->base + first * PAGE, count * PAGE, MEM_DECOMMIT)) { printf("FAIL decommit\n"); check_failures++; }
      for (SIZE_T i = first; i < first + count; i++) r->committed[i] = FALSE;
    } else {
      if (next() % 3 == 0) {
        releases++;
        if (!VirtualFree(r->base, 0, MEM_RELEASE)) { printf("FAIL release\n"); check_failures++; }
        r->base = 0;
        continue;
      }
      for (SIZE_T i = 0; i < r->pages; i++) {
        if (r->committed[i] && writable(r->protect[i])) { r->stamp[i] = (unsigned char)next(); r->base[i * PAGE + 7] = (char)r->stamp[i]; writes++; }
      }
    }
    verify(r, "after step");
  }
  printf("%u allocations, %u commits, %u protects (%u refused), %u decommits, %u releases, %u writes; "
         "%u pages queried, %u read back, checksum %08lx\n",
         allocations, commits, protects, refused, decommits, releases, writes, queried, read_back, checksum);
  printf("%d failed\n", check_failures);
  return check_failures != 0;
}
