/* GetLastError after the heap functions, as Windows 10 leaves it: the
   values Wine's dlls/kernel32/tests/heap.c (test_HeapCreate) records on
   Windows. Each call is made with the last error set to 0xdeadbeef first. */
#include <windows.h>
#include "check.h"

#define UNTOUCHED 0xdeadbeef

static BYTE buffer[512];

int main(void) {
  HANDLE heap = HeapCreate(0, 0, 0);
  BYTE *not_a_block = (BYTE *)((ULONG_PTR)buffer & ~63) + 64;   /* zeroed memory: no busy header */
  void *unreadable = (void *)0xdeadbe00;

  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapFree(NULL, 0, NULL) succeeds", HeapFree(NULL, 0, NULL));
  CHECK_TRUE("HeapFree(heap, 0, NULL) succeeds", HeapFree(heap, 0, NULL));
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);

  SetLastError(UNTOUCHED);
  CHECK_EQ("HeapReAlloc(NULL block) fails", HeapReAlloc(heap, 0, NULL, 1), NULL);
  CHECK_EQ("  with NO_ERROR", GetLastError(), NO_ERROR);

  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapValidate of the whole heap", HeapValidate(heap, 0, NULL));
  CHECK_EQ("  leaves the last error", GetLastError(), UNTOUCHED);

  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapValidate of an unreadable pointer fails", !HeapValidate(heap, 0, unreadable));
  CHECK_EQ("  with ERROR_NOACCESS", GetLastError(), ERROR_NOACCESS);
  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapValidate of memory that is no block fails", !HeapValidate(heap, 0, not_a_block));
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);

  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapFree of an unreadable pointer fails", !HeapFree(heap, 0, unreadable));
  CHECK_EQ("  with ERROR_NOACCESS", GetLastError(), ERROR_NOACCESS);
  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapFree of memory that is no block fails", !HeapFree(heap, 0, not_a_block));
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);

  SetLastError(UNTOUCHED);
  CHECK_EQ("HeapReAlloc of an unreadable pointer fails", HeapReAlloc(heap, 0, unreadable, 1), NULL);
  CHECK_EQ("  with ERROR_NOACCESS", GetLastError(), ERROR_NOACCESS);
  SetLastError(UNTOUCHED);
  CHECK_EQ("HeapReAlloc of memory that is no block fails", HeapReAlloc(heap, 0, not_a_block, 1), NULL);
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);

  BYTE *block = HeapAlloc(heap, 0, 0);
  CHECK_EQ("HeapSize of a 0-byte block", HeapSize(heap, 0, block), 0);
  CHECK_EQ("HeapReAlloc to ~0 - 7 fails", HeapReAlloc(heap, 0, block, ~(SIZE_T)0 - 7), NULL);
  CHECK_EQ("HeapReAlloc to ~0 fails", HeapReAlloc(heap, 0, block, ~(SIZE_T)0), NULL);
  CHECK_TRUE("the block is still valid", HeapValidate(heap, 0, block));
  CHECK_TRUE("HeapFree", HeapFree(heap, 0, block));
  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapValidate of a freed block fails", !HeapValidate(heap, 0, block));
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);
  SetLastError(UNTOUCHED);
  CHECK_TRUE("HeapFree of a freed block fails", !HeapFree(heap, 0, block));
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);
  SetLastError(UNTOUCHED);
  CHECK_EQ("HeapSize of a freed block is (SIZE_T)-1", HeapSize(heap, 0, block), (SIZE_T)-1);
  CHECK_EQ("  and leaves the last error", GetLastError(), UNTOUCHED);
  CHECK_EQ("HeapAlloc(~0) fails", HeapAlloc(heap, 0, ~(SIZE_T)0), NULL);

  /* A block hemmed in by a busy neighbour cannot grow where it is. */
  BYTE *small = HeapAlloc(heap, 0, 32), *neighbour = HeapAlloc(heap, 0, 32);
  SetLastError(UNTOUCHED);
  CHECK_EQ("HeapReAlloc HEAP_REALLOC_IN_PLACE_ONLY that cannot grow fails", HeapReAlloc(heap, HEAP_REALLOC_IN_PLACE_ONLY, small, 4096), NULL);
  CHECK_EQ("  with ERROR_NOT_ENOUGH_MEMORY", GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
  HeapFree(heap, 0, neighbour);
  HeapFree(heap, 0, small);
  HeapDestroy(heap);

  /* A fixed-size heap cannot take a block larger than itself. */
  HANDLE fixed = HeapCreate(0, 0x10000, 0x10000);
  SetLastError(UNTOUCHED);
  CHECK_EQ("HeapAlloc beyond a fixed heap fails", HeapAlloc(fixed, 0, 0x20000), NULL);
  CHECK_EQ("  with ERROR_NOT_ENOUGH_MEMORY", GetLastError(), ERROR_NOT_ENOUGH_MEMORY);
  HeapDestroy(fixed);
  return CHECK_DONE();
}
