/* The seed's opening question, as an experiment: memory that cannot be
   accessed simply has no physical page behind it, so could one attach a page
   there by hand and use it? MmsExperimentMapFrame writes a valid PTE for a
   zeroed frame with no VAD and no commit charge. The page works; the VAD tree
   (VirtualQuery, !vad) never hears of it. Then the memory manager meets the
   page it does not know about (argv[1]):
     exit        (default) the process ends with the frames still mapped
     reserve     VirtualAlloc(MEM_RESERVE) over it: the page stays valid inside a reservation
     commit      VirtualAlloc(MEM_RESERVE|MEM_COMMIT) over it: the "fresh" page holds the old data
     reserve-then-commit  reserve, then commit: commit is charged for one page too few
     free        VirtualFree on it: nothing is allocated there, the page stays
     release     commit over it, then VirtualFree(MEM_RELEASE): the frame is freed with the VAD
     again       map the same page a second time: a bug check
   Needs --allow-experiments; without it the kernel refuses with STATUS_PRIVILEGE_NOT_HELD. */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <mmscope.h>

/* volatile: gcc must not treat a dereference of the null page as undefined behaviour. */
static char *volatile null_page = 0;

static void query(const char *what, const void *address) {
  MEMORY_BASIC_INFORMATION info;
  if (VirtualQuery(address, &info, sizeof info) == 0) {
    printf("VirtualQuery(%s %p) failed: error %lu\n", what, address, (unsigned long)GetLastError());
    return;
  }
  const char *state = info.State == MEM_FREE ? "MEM_FREE" : info.State == MEM_RESERVE ? "MEM_RESERVE" : "MEM_COMMIT";
  printf("VirtualQuery(%s %p): %s, region 0x%lx bytes\n", what, address, state, (unsigned long)info.RegionSize);
}

static NTSTATUS map(const char *what, const void *address) {
  NTSTATUS status = MmsExperimentMapFrame(address);
  printf("MmsExperimentMapFrame(%s %p): 0x%08lx\n", what, address, (unsigned long)status);
  return status;
}

/* A 64 KiB range no VAD covers: reserved once to find it, then released. */
static char *free_range(void) {
  char *p = VirtualAlloc(NULL, 0x10000, MEM_RESERVE, PAGE_READWRITE);
  VirtualFree(p, 0, MEM_RELEASE);
  return p;
}

static int what_happens_next(const char *step, char *stray) {
  if (strcmp(step, "reserve") == 0) {
    char *r = VirtualAlloc(stray, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    printf("VirtualAlloc(MEM_RESERVE) over it: %p; the page still reads \"%s\"\n", (void *)r, stray);
    query("reserved", stray);
    query("next page", stray + 0x1000);
  } else if (strcmp(step, "commit") == 0) {
    char *c = VirtualAlloc(stray, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    printf("VirtualAlloc(MEM_RESERVE|MEM_COMMIT) over it: %p\n", (void *)c);
    printf("new memory should be zero; it reads: \"%s\"\n", c);
  } else if (strcmp(step, "reserve-then-commit") == 0) {
    VirtualAlloc(stray, 0x10000, MEM_RESERVE, PAGE_READWRITE);
    char *c = VirtualAlloc(stray, 0x10000, MEM_COMMIT, PAGE_READWRITE);
    printf("reserved, then committed 16 pages at %p; it reads: \"%s\"\n", (void *)c, c);
    MmsDumpVad();
  } else if (strcmp(step, "free") == 0) {
    BOOL freed = VirtualFree(stray, 0, MEM_RELEASE);
    printf("VirtualFree(MEM_RELEASE): %s, error %lu; the page still reads \"%s\"\n",
           freed ? "TRUE" : "FALSE", (unsigned long)GetLastError(), stray);
  } else if (strcmp(step, "release") == 0) {
    char *c = VirtualAlloc(stray, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    BOOL freed = VirtualFree(c, 0, MEM_RELEASE);
    printf("committed over it, then VirtualFree(MEM_RELEASE): %s\n", freed ? "TRUE" : "FALSE");
    MmsDumpPte(stray);
  } else if (strcmp(step, "again") == 0) {
    map("the same page again", stray);
    printf("not reached: the second mapping stops the machine\n");
  } else if (strcmp(step, "exit") != 0) {
    printf("unknown step \"%s\"\n", step);
    return 3;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (map("the null page", null_page) != 0) return 1;
  strcpy(null_page + 0x10, "written through a NULL-page pointer");
  printf("the null page holds: \"%s\"\n", null_page + 0x10);
  query("the null page", null_page);
  MmsDumpPte(null_page);

  char *no_access = (char *)0x7fff0000;
  map("the no-access area", no_access);
  no_access[0] = 42;
  printf("the no-access area holds: %d\n", no_access[0]);
  query("the no-access area", no_access);

  map("kernel space", (void *)0x80000000);
  map("the stack", &argc);

  char *stray = free_range();
  map("a free address", stray);
  strcpy(stray, "the stray page's data");
  query("the stray page", stray);
  return what_happens_next(argc > 1 ? argv[1] : "exit", stray);
}
