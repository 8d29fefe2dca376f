#include <string.h>

void *memcpy(void *dest, const void *src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dest;
}

void *memmove(void *dest, const void *src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  if (d < s) return memcpy(dest, src, n);
  while (n--) d[n] = s[n];
  return dest;
}

void *memset(void *dest, int c, size_t n) {
  unsigned char *d = dest;
  while (n--) *d++ = (unsigned char)c;
  return dest;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b || !*a) return (unsigned char)*a - (unsigned char)*b;
  }
  return 0;
}

char *strcpy(char *dest, const char *src) {
  char *d = dest;
  while ((*d++ = *src++)) {}
  return dest;
}

char *strncpy(char *dest, const char *src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i]; i++) dest[i] = src[i];
  for (; i < n; i++) dest[i] = 0;
  return dest;
}

char *strcat(char *dest, const char *src) {
  strcpy(dest + strlen(dest), src);
  return dest;
}

char *strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c) return (char *)s;
    if (!*s) return 0;
  }
}

void *memchr(const void *s, int c, size_t n) {
  const unsigned char *p = s;
  for (; n--; p++) if (*p == (unsigned char)c) return (void *)p;
  return NULL;
}

char *strrchr(const char *s, int c) {
  const char *last = NULL;
  do { if (*s == (char)c) last = s; } while (*s++);
  return (char *)last;
}

size_t strnlen(const char *s, size_t n) {
  size_t length = 0;
  while (length < n && s[length]) length++;
  return length;
}

char *strncat(char *dest, const char *src, size_t n) {
  char *end = dest + strlen(dest);
  while (n-- && *src) *end++ = *src++;
  *end = '\0';
  return dest;
}

char *strstr(const char *haystack, const char *needle) {
  size_t length = strlen(needle);
  for (; *haystack; haystack++) if (!strncmp(haystack, needle, length)) return (char *)haystack;
  return length ? NULL : (char *)haystack;
}

size_t strspn(const char *s, const char *accept) {
  size_t n = 0;
  while (s[n] && strchr(accept, s[n])) n++;
  return n;
}

size_t strcspn(const char *s, const char *reject) {
  size_t n = 0;
  while (s[n] && !strchr(reject, s[n])) n++;
  return n;
}

char *strpbrk(const char *s, const char *accept) {
  s += strcspn(s, accept);
  return *s ? (char *)s : NULL;
}

/* One tokenizer state for the process, as C's strtok has (mmscope runs one thread). */
char *strtok(char *s, const char *delimiters) {
  static char *next;
  if (!s) s = next;
  if (!s) return NULL;
  s += strspn(s, delimiters);
  if (!*s) { next = NULL; return NULL; }
  char *end = s + strcspn(s, delimiters);
  next = *end ? end + 1 : NULL;
  *end = '\0';
  return s;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int _strnicmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    int d = lower((unsigned char)*a) - lower((unsigned char)*b);
    if (d || !*a) return d;
  }
  return 0;
}

int _stricmp(const char *a, const char *b) { return _strnicmp(a, b, (size_t)-1); }

size_t wcslen(const mms_wchar *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int wcsncmp(const mms_wchar *a, const mms_wchar *b, size_t n) {
  for (; n; n--, a++, b++) if (*a != *b || !*a) return *a < *b ? -1 : *a > *b;
  return 0;
}

int wcscmp(const mms_wchar *a, const mms_wchar *b) { return wcsncmp(a, b, (size_t)-1); }

mms_wchar *wcscpy(mms_wchar *dest, const mms_wchar *src) {
  mms_wchar *d = dest;
  while ((*d++ = *src++)) {}
  return dest;
}

mms_wchar *wcschr(const mms_wchar *s, mms_wchar c) {
  for (;; s++) {
    if (*s == c) return (mms_wchar *)s;
    if (!*s) return NULL;
  }
}
