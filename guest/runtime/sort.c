/* qsort, bsearch (C99 7.20.5), and rand/srand with the Microsoft C
   runtime's generator, so a seeded program draws the numbers it draws on
   Windows. */
#include <stdlib.h>

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size) {
  while (size--) { unsigned char t = *a; *a++ = *b; *b++ = t; }
}

/* Moves element `root` down the max-heap of `count` elements. */
static void sift_down(unsigned char *base, size_t root, size_t count, size_t size, int (*compare)(const void *, const void *)) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= count) return;
    if (child + 1 < count && compare(base + child * size, base + (child + 1) * size) < 0) child++;
    if (compare(base + root * size, base + child * size) >= 0) return;
    swap_bytes(base + root * size, base + child * size, size);
    root = child;
  }
}

/* Heapsort: O(n log n) whatever the input, no recursion, no extra memory. */
void qsort(void *elements, size_t count, size_t size, int (*compare)(const void *, const void *)) {
  unsigned char *base = elements;
  if (count < 2 || size == 0) return;
  for (size_t i = count / 2; i-- > 0;) sift_down(base, i, count, size, compare);
  for (size_t end = count - 1; end > 0; end--) {
    swap_bytes(base, base + end * size, size);
    sift_down(base, 0, end, size, compare);
  }
}

void *bsearch(const void *key, const void *elements, size_t count, size_t size, int (*compare)(const void *, const void *)) {
  const unsigned char *base = elements;
  while (count > 0) {
    const unsigned char *middle = base + (count / 2) * size;
    int order = compare(key, middle);
    if (order == 0) return (void *)middle;
    if (order > 0) { base = middle + size; count -= count / 2 + 1; }
    else count /= 2;
  }
  return NULL;
}

/* The Microsoft C runtime's linear congruential generator (RAND_MAX 0x7FFF). */
static unsigned long rand_state = 1;

void srand(unsigned seed) { rand_state = seed; }

int rand(void) {
  rand_state = rand_state * 214013UL + 2531011UL;
  return (int)((rand_state >> 16) & RAND_MAX);
}

int abs(int value) { return value < 0 ? -value : value; }
long labs(long value) { return value < 0 ? -value : value; }
long long llabs(long long value) { return value < 0 ? -value : value; }
