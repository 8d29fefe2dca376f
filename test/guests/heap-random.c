/* A randomized malloc/free/realloc workload checked against a model kept in
   the same program: every live block keeps the bytes written to it, no two
   live blocks overlap, and the heap validates. It prints what it observed:
   how many of each call it made, how many bytes it read back and a checksum
   of them, and how many validations ran; the test computes the same figures
   from the seed alone (test/kernel/heap.test.ts), so a guest that stops early
   or reads back other bytes does not pass.
     heap-random SEED OPERATIONS */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 256

static struct { unsigned char *p; size_t size; unsigned char tag; } live[SLOTS];
static unsigned state;
static int failures;
static unsigned mallocs, frees, reallocs, validations;
static unsigned long bytes_checked, checksum;

static unsigned next_random(void) { state = state * 1103515245u + 12345u; return state >> 8; }

static size_t random_size(void) {
  unsigned kind = next_random() % 100;
  if (kind < 70) return next_random() % 128;
  if (kind < 97) return next_random() % 2048;
  return 0x80000 + next_random() % 0x40000; /* above the large-block threshold */
}

/* Every byte of small blocks; the ends and a sample of the middle of large ones (the emulator is not free). */
static size_t next_byte(size_t k, size_t size) {
  return size <= 16384 || k < 4096 || k + 4096 >= size ? k + 1 : k + 509;
}

static void fill(int i) { for (size_t k = 0; k < live[i].size; k = next_byte(k, live[i].size)) live[i].p[k] = (unsigned char)(live[i].tag + k); }

static void expect_intact(int i, size_t length, const char *when) {
  for (size_t k = 0; k < length; k = next_byte(k, live[i].size)) {
    bytes_checked++;
    checksum = checksum * 31u + live[i].p[k];
    if (live[i].p[k] != (unsigned char)(live[i].tag + k)) {
      printf("FAIL %s: slot %d byte %u changed\n", when, i, (unsigned)k);
      failures++;
      return;
    }
  }
}

static void expect_no_overlap(int i) {
  for (int j = 0; j < SLOTS; j++) {
    if (j == i || !live[j].p) continue;
    if (live[i].p < live[j].p + live[j].size && live[j].p < live[i].p + live[i].size) {
      printf("FAIL overlap: slots %d and %d\n", i, j);
      failures++;
    }
  }
}

int main(int argc, char **argv) {
  state = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
  int operations = argc > 2 ? atoi(argv[2]) : 10000;
  for (int n = 1; n <= operations; n++) {
    int i = next_random() % SLOTS;
    unsigned action = next_random() % 3;
    if (!live[i].p) {
      live[i].size = random_size();
      live[i].p = malloc(live[i].size);
      mallocs++;
      live[i].tag = (unsigned char)next_random();
      if (!live[i].p) { printf("FAIL malloc(%u)\n", (unsigned)live[i].size); failures++; continue; }
      fill(i);
      expect_no_overlap(i);
    } else if (action == 0) {
      expect_intact(i, live[i].size, "before free");
      free(live[i].p);
      frees++;
      live[i].p = NULL;
    } else {
      size_t size = random_size();
      unsigned char *moved = realloc(live[i].p, size);
      reallocs++;
      if (!moved && size) { printf("FAIL realloc(%u)\n", (unsigned)size); failures++; continue; }
      live[i].p = moved;
      expect_intact(i, size < live[i].size ? size : live[i].size, "after realloc");
      live[i].size = size;
      if (!moved) continue;
      fill(i);
      expect_no_overlap(i);
    }
    if (n % 1000 == 0) {
      validations++;
      if (!HeapValidate(GetProcessHeap(), 0, NULL)) { printf("FAIL HeapValidate after %d\n", n); failures++; }
    }
  }
  for (int i = 0; i < SLOTS; i++) if (live[i].p) { expect_intact(i, live[i].size, "at the end"); free(live[i].p); frees++; }
  validations++;
  if (!HeapValidate(GetProcessHeap(), 0, NULL)) { printf("FAIL HeapValidate at the end\n"); failures++; }
  printf("%u malloc, %u free, %u realloc, %u validations; %lu bytes read back, checksum %08lx\n",
         mallocs, frees, reallocs, validations, bytes_checked, checksum);
  printf("%d failed\n", failures);
  return failures != 0;
}
