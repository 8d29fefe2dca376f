#ifndef MMSCOPE_STDLIB_H
#define MMSCOPE_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fff   /* the Microsoft C runtime's */

void exit(int status) __attribute__((noreturn));
void abort(void) __attribute__((noreturn));
/* Ends the process at once: no atexit functions, no stream closed. */
void _exit(int status) __attribute__((noreturn));
/* Run by exit, last registered first (at most 64). */
int atexit(void (*function)(void));
int atoi(const char *text);
long atol(const char *text);
long strtol(const char *text, char **end, int base);
unsigned long strtoul(const char *text, char **end, int base);
/* Decimal only (no hexadecimal floats); within an ulp of the correctly rounded value. */
double strtod(const char *text, char **end);
double atof(const char *text);
/* On the process heap (GetProcessHeap()), as the MSVC runtime does. */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *block, size_t size);
void free(void *block);
void qsort(void *elements, size_t count, size_t size, int (*compare)(const void *, const void *));
void *bsearch(const void *key, const void *elements, size_t count, size_t size, int (*compare)(const void *, const void *));
/* The Microsoft C runtime's generator: a seed gives the sequence it gives on Windows. */
int rand(void);
void srand(unsigned seed);
/* The environment is empty: always NULL. */
char *getenv(const char *name);
int abs(int value);
long labs(long value);
long long llabs(long long value);

#endif
