#ifndef MMSCOPE_STRING_H
#define MMSCOPE_STRING_H

#include <stddef.h>

void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);
char *strcat(char *dest, const char *src);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strncat(char *dest, const char *src, size_t n);
char *strpbrk(const char *s, const char *accept);
char *strtok(char *s, const char *delimiters);
void *memchr(const void *s, int c, size_t n);
size_t strnlen(const char *s, size_t n);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
/* The Microsoft C runtime's text for an errno value ("No such file or directory"). */
char *strerror(int error);
/* A copy on the process heap (malloc). */
char *_strdup(const char *s);
char *strdup(const char *s);
/* Comparisons that ignore the case of ASCII letters. */
int _stricmp(const char *a, const char *b);
int _strnicmp(const char *a, const char *b, size_t n);

/* UTF-16 strings: Windows' 16-bit wchar_t (gcc for Linux's wchar_t is 32 bits, hence the own type). */
typedef unsigned short mms_wchar;
size_t wcslen(const mms_wchar *s);
int wcscmp(const mms_wchar *a, const mms_wchar *b);
int wcsncmp(const mms_wchar *a, const mms_wchar *b, size_t n);
mms_wchar *wcscpy(mms_wchar *dest, const mms_wchar *src);
mms_wchar *wcschr(const mms_wchar *s, mms_wchar c);

#endif
