/* malloc and friends on the process heap, as the MSVC runtime's are on its heap. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>

void *malloc(size_t size) { return HeapAlloc(GetProcessHeap(), 0, size); }

void *calloc(size_t count, size_t size) {
  if (size && count > (size_t)-1 / size) return NULL;
  return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, count * size);
}

void *realloc(void *block, size_t size) {
  if (!block) return malloc(size);
  if (size == 0) { free(block); return NULL; }
  return HeapReAlloc(GetProcessHeap(), 0, block, size);
}

void free(void *block) {
  if (block) HeapFree(GetProcessHeap(), 0, block);
}

char *_strdup(const char *s) {
  size_t bytes = strlen(s) + 1;
  char *copy = malloc(bytes);
  return copy ? memcpy(copy, s, bytes) : NULL;
}

char *strdup(const char *s) { return _strdup(s); }
