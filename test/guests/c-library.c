/* The C library functions a program reaches for next: the rest of
   string.h's searches, qsort/bsearch, abs, and rand/srand, whose sequence
   for a seed is the Microsoft C runtime's (srand(1): 41, 18467, 6334,
   26500, 19169, as Microsoft's documentation example prints). */
#include <stdlib.h>
#include <string.h>
#include "check.h"

static int compare_ints(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int main(void) {
  const char *text = "hello, world";
  CHECK_EQ("memchr", memchr(text, 'w', 12), text + 7);
  CHECK_EQ("memchr stops at n", memchr(text, 'w', 7), NULL);
  CHECK_EQ("strrchr", strrchr(text, 'o'), text + 8);
  CHECK_EQ("strrchr of the terminator", strrchr(text, '\0'), text + 12);
  CHECK_EQ("strstr", strstr(text, "world"), text + 7);
  CHECK_EQ("strstr of nothing", strstr(text, ""), text);
  CHECK_EQ("strstr not found", strstr(text, "word"), NULL);
  CHECK_EQ("strnlen", strnlen(text, 5), 5);
  CHECK_EQ("strspn", strspn("aabbc", "ab"), 4);
  CHECK_EQ("strcspn", strcspn(text, ", "), 5);
  CHECK_EQ("strpbrk", strpbrk(text, "wr"), text + 7);
  char buffer[32] = "abc";
  strncat(buffer, "defgh", 3);
  CHECK_TRUE("strncat", !strcmp(buffer, "abcdef"));
  char tokens[] = "  one, two,,three ";
  char *first = strtok(tokens, " ,"), *second = strtok(NULL, " ,"), *third = strtok(NULL, " ,");
  CHECK_TRUE("strtok", first && second && third && !strcmp(first, "one") && !strcmp(second, "two") && !strcmp(third, "three"));
  CHECK_EQ("strtok at the end", strtok(NULL, " ,"), NULL);

  int values[] = { 5, -3, 9, 0, 9, 2, -7, 4 };
  qsort(values, 8, sizeof values[0], compare_ints);
  static const int sorted[] = { -7, -3, 0, 2, 4, 5, 9, 9 };
  CHECK_TRUE("qsort", !memcmp(values, sorted, sizeof sorted));
  int key = 4, missing = 3;
  CHECK_EQ("bsearch", bsearch(&key, values, 8, sizeof values[0], compare_ints), &values[4]);
  CHECK_EQ("bsearch not found", bsearch(&missing, values, 8, sizeof values[0], compare_ints), NULL);
  CHECK_EQ("abs", abs(-5), 5);
  CHECK_EQ("labs", labs(-7L), 7);

  srand(1);
  static const int expected[] = { 41, 18467, 6334, 26500, 19169 };
  int same = 1;
  for (int i = 0; i < 5; i++) same &= rand() == expected[i];
  CHECK_TRUE("rand after srand(1) is the Microsoft runtime's sequence", same);
  CHECK_EQ("RAND_MAX", RAND_MAX, 0x7fff);
  return CHECK_DONE();
}
