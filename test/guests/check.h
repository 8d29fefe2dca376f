/* Tiny check helpers for guest test programs: each check prints one line,
   "ok NAME" or "FAIL NAME: got X, expected Y"; main returns the failures. */
#ifndef CHECK_H
#define CHECK_H
#include <stdio.h>

static int check_failures, check_count;

#define CHECK_EQ(name, actual, expected) do {                                        \
    unsigned long check_a = (unsigned long)(actual), check_e = (unsigned long)(expected); \
    check_count++;                                                                   \
    if (check_a == check_e) printf("ok %s\n", name);                                 \
    else { check_failures++; printf("FAIL %s: got 0x%lx, expected 0x%lx\n", name, check_a, check_e); } \
  } while (0)

#define CHECK_TRUE(name, condition) CHECK_EQ(name, !!(condition), 1)

#define CHECK_DONE() (printf("%d checks, %d failed\n", check_count, check_failures), check_failures)
#endif
