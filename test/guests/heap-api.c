/* The heap API against its Windows contract: sizes, alignment, zeroing,
   reallocation, private heaps, large blocks, growth and shrinking of the
   committed memory, validation, and the errors for misuse (checks off). */
#include <windows.h>
#include <winternl.h>
#include <string.h>
#include <stdlib.h>
#include "check.h"

static DWORD seen_code;

static LONG WINAPI record_code(PEXCEPTION_POINTERS info) {
  seen_code = info->ExceptionRecord->ExceptionCode;
  return EXCEPTION_CONTINUE_EXECUTION;
}

static SIZE_T committed_at(void *base) {
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(base, &mbi, sizeof mbi);
  return mbi.State == MEM_COMMIT ? mbi.RegionSize : 0;
}

static int all_bytes(const unsigned char *p, SIZE_T n, unsigned char value) {
  for (SIZE_T i = 0; i < n; i++) if (p[i] != value) return 0;
  return 1;
}

int main(void) {
  HANDLE heap = GetProcessHeap();
  CHECK_TRUE("process heap exists", heap != NULL);
  CHECK_EQ("recorded in the PEB", NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap, heap);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(heap, &mbi, sizeof mbi);
  CHECK_EQ("the heap is private memory", mbi.Type, MEM_PRIVATE);
  CHECK_EQ("at the base of its reservation", mbi.AllocationBase, heap);

  /* Sizes and alignment. */
  char *a = HeapAlloc(heap, 0, 13);
  CHECK_TRUE("HeapAlloc", a != NULL);
  CHECK_EQ("8-byte aligned", (ULONG_PTR)a % 8, 0);
  CHECK_EQ("HeapSize is what was asked", HeapSize(heap, 0, a), 13);
  char *zero = HeapAlloc(heap, 0, 0);
  CHECK_TRUE("a zero-byte block is a block", zero != NULL && zero != a);
  CHECK_EQ("of size 0", HeapSize(heap, 0, zero), 0);

  /* HEAP_ZERO_MEMORY on reused memory. */
  memset(a, 0xaa, 13);
  HeapFree(heap, 0, a);
  unsigned char *z = HeapAlloc(heap, HEAP_ZERO_MEMORY, 13);
  CHECK_EQ("HEAP_ZERO_MEMORY reuses the freed block", z, a);
  CHECK_TRUE("and zeroes it", all_bytes(z, 13, 0));

  /* HeapReAlloc keeps the contents, in place or moved. */
  char *r = HeapAlloc(heap, 0, 100);
  for (int i = 0; i < 100; i++) r[i] = (char)i;
  char *blocker = HeapAlloc(heap, 0, 16);
  char *grown = HeapReAlloc(heap, 0, r, 5000);
  int same = 1;
  for (int i = 0; i < 100; i++) same &= grown[i] == (char)i;
  CHECK_TRUE("grown: contents kept", same);
  CHECK_EQ("grown: size", HeapSize(heap, 0, grown), 5000);
  CHECK_TRUE("grown: moved past the block after it", grown != r);
  char *shrunk = HeapReAlloc(heap, 0, grown, 50);
  CHECK_EQ("shrunk in place", shrunk, grown);
  same = 1;
  for (int i = 0; i < 50; i++) same &= shrunk[i] == (char)i;
  CHECK_TRUE("shrunk: contents kept", same);
  char *zeroed = HeapReAlloc(heap, HEAP_ZERO_MEMORY, shrunk, 3000);
  CHECK_TRUE("HEAP_ZERO_MEMORY zeroes the new part", all_bytes((unsigned char *)zeroed + 50, 2950, 0) && zeroed[49] == 49);
  char *pinned = HeapAlloc(heap, 0, 64);
  HeapAlloc(heap, 0, 64); /* keeps pinned from growing in place */
  CHECK_EQ("HEAP_REALLOC_IN_PLACE_ONLY fails when it cannot grow", HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, pinned, 4096), NULL);
  CHECK_EQ("and the block is untouched", HeapSize(heap, 0, pinned), 64);
  HeapFree(heap, 0, blocker);

  /* A large block gets a reservation of its own and gives it back. */
  char *big = HeapAlloc(heap, 0, 1 << 20);
  VirtualQuery(big, &mbi, sizeof mbi);
  CHECK_TRUE("large block: its own allocation", mbi.AllocationBase != heap && (char *)mbi.AllocationBase + 0x1000 > big);
  CHECK_EQ("large block: committed", mbi.State, MEM_COMMIT);
  CHECK_EQ("large block: HeapSize", HeapSize(heap, 0, big), 1 << 20);
  big[(1 << 20) - 1] = 1;
  void *big_base = mbi.AllocationBase;
  CHECK_TRUE("large block: freed", HeapFree(heap, 0, big));
  VirtualQuery(big_base, &mbi, sizeof mbi);
  CHECK_EQ("large block: released", mbi.State, MEM_FREE);

  /* A private heap grows its commit as it fills, gives back a free tail, and goes away whole. */
  HANDLE own = HeapCreate(0, 0, 0);
  CHECK_TRUE("HeapCreate", own != NULL);
  SIZE_T before = committed_at(own);
  char *blocks[64];
  for (int i = 0; i < 64; i++) blocks[i] = HeapAlloc(own, 0, 4000);
  SIZE_T during = committed_at(own);
  CHECK_TRUE("commit grew", during >= before + 64 * 4000);
  for (int i = 63; i >= 0; i--) HeapFree(own, 0, blocks[i]);
  CHECK_TRUE("the free tail was decommitted", committed_at(own) < during / 4);
  CHECK_TRUE("HeapValidate: healthy", HeapValidate(own, 0, NULL));
  CHECK_TRUE("HeapDestroy", HeapDestroy(own));
  VirtualQuery(own, &mbi, sizeof mbi);
  CHECK_EQ("destroyed: released", mbi.State, MEM_FREE);
  CHECK_EQ("the process heap cannot be destroyed", HeapDestroy(heap), FALSE);

  /* A fixed-size heap runs out; HEAP_GENERATE_EXCEPTIONS turns that into STATUS_NO_MEMORY. */
  HANDLE fixed = HeapCreate(0, 0, 0x10000);
  int count = 0;
  while (HeapAlloc(fixed, 0, 1000)) count++;
  CHECK_TRUE("fixed heap: some fit, then NULL", count > 30 && count < 70);
  CHECK_EQ("fixed heap: no large blocks", HeapAlloc(fixed, 0, 1 << 20), NULL);
  PVOID handler = AddVectoredExceptionHandler(1, record_code);
  CHECK_EQ("HEAP_GENERATE_EXCEPTIONS: NULL after the handler", HeapAlloc(fixed, HEAP_GENERATE_EXCEPTIONS, 1000), NULL);
  CHECK_EQ("HEAP_GENERATE_EXCEPTIONS: STATUS_NO_MEMORY", seen_code, STATUS_NO_MEMORY);
  RemoveVectoredExceptionHandler(handler);
  HeapDestroy(fixed);

  /* Misuse: the call fails, leaving the last error as it was (heap-last-error.c), and the heap stays usable. */
  char *victim = HeapAlloc(heap, 0, 40);
  CHECK_TRUE("free", HeapFree(heap, 0, victim));
  SetLastError(0);
  CHECK_EQ("double free fails", HeapFree(heap, 0, victim), FALSE);
  CHECK_EQ("double free: the last error is left alone", GetLastError(), 0);
  char local[16];
  CHECK_EQ("a stack pointer is not a heap block", HeapFree(heap, 0, local + 8), FALSE);
  char *foreign = VirtualAlloc(NULL, 4096, MEM_COMMIT, PAGE_READWRITE);
  CHECK_EQ("VirtualAlloc memory is not a heap block", HeapFree(heap, 0, foreign + 8), FALSE);
  char *inner = HeapAlloc(heap, 0, 64);
  CHECK_EQ("the middle of a block is not a block", HeapFree(heap, 0, inner + 16), FALSE);
  CHECK_EQ("HeapSize of a bad pointer", HeapSize(heap, 0, inner + 16), (SIZE_T)-1);
  CHECK_TRUE("HeapFree(NULL) succeeds", HeapFree(heap, 0, NULL));
  CHECK_TRUE("HeapValidate: still healthy", HeapValidate(heap, 0, NULL));
  CHECK_TRUE("HeapValidate: one block", HeapValidate(heap, 0, inner));

  /* A damaged header: the block before it overruns by 8 bytes. */
  char *first = HeapAlloc(heap, 0, 24);
  char *second = HeapAlloc(heap, 0, 24);
  CHECK_EQ("neighbours", second, first + 32);
  memset(first, 0x41, 32);
  CHECK_EQ("HeapValidate sees the damage", HeapValidate(heap, 0, NULL), FALSE);
  CHECK_EQ("HeapValidate of the damaged block", HeapValidate(heap, 0, second), FALSE);
  CHECK_EQ("HeapFree of the damaged block fails", HeapFree(heap, 0, second), FALSE);

  /* The C runtime on the process heap. */
  int *numbers = calloc(100, sizeof *numbers);
  CHECK_TRUE("calloc zeroes", numbers && all_bytes((unsigned char *)numbers, 400, 0));
  numbers[99] = 7;
  numbers = realloc(numbers, 1000 * sizeof *numbers);
  CHECK_EQ("realloc keeps contents", numbers[99], 7);
  CHECK_EQ("calloc overflow", calloc((size_t)-1 / 2, 4), NULL);
  free(numbers);
  CHECK_EQ("realloc(p, 0) frees", realloc(malloc(10), 0), NULL);
  return CHECK_DONE();
}
