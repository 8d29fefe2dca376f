/* The start-up interface msvcrt.dll gives a program's own start-up code
   (mingw-w64's crtexe.c, MSVC's crt0): the arguments split from the command
   line (__getmainargs), the initializer tables (_initterm), the variables
   the start-up code reads through pointers (__p__acmdln, __p__fmode,
   __p__commode) or as data imports (__initenv, __mb_cur_max, _iob), the
   runtime's locks, and _amsg_exit for start-up failures. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (__cdecl *_PVFV)(void);
typedef int (__cdecl *_PIFV)(void);
typedef struct { int newmode; } _startupinfo;

/* The environment is empty: mmscope starts programs with none. */
static char *no_environment[1] = { NULL };
char **_environ = no_environment;
char **__initenv = no_environment;
int __argc;
char **__argv;
char *_acmdln;
int _fmode;          /* 0: text, msvcrt's default for files opened without 'b' or 't' */
int _commode;
int __app_type;
int __mb_cur_max = 1;   /* Windows-1252: one byte per character */

char ***__p__environ(void) { return &_environ; }
char ***__p___initenv(void) { return &__initenv; }
int *__p___argc(void) { return &__argc; }
char ***__p___argv(void) { return &__argv; }
char **__p__acmdln(void) { if (!_acmdln) _acmdln = GetCommandLineA(); return &_acmdln; }
int *__p__fmode(void) { return &_fmode; }
int *__p__commode(void) { return &_commode; }
int *__p___mb_cur_max(void) { return &__mb_cur_max; }
int ___mb_cur_max_func(void) { return __mb_cur_max; }
unsigned int ___lc_codepage_func(void) { return GetACP(); }
void __set_app_type(int type) { __app_type = type; }
void __setusermatherr(int (__cdecl *handler)(void *)) { (void)handler; }

/* Splits the command line as msvcrt's parse_cmdline does: arguments
   separated by spaces and tabs; inside or outside quotes, 2n backslashes
   before a quote are n backslashes and the quote toggles quoting, 2n+1 are
   n backslashes and a literal quote; other backslashes are themselves. The
   program name (argv[0]) ends at the first space outside quotes, with no
   backslash rules. `argv` NULL only counts; returns the argument count,
   `*bytes` the characters needed with their terminators. */
static int split_command_line(const char *line, char **argv, char *text, size_t *bytes) {
  int argc = 0;
  size_t used = 0;
  const char *p = line;
  /* The program name. */
  int quoted = 0;
  if (argv) argv[argc] = text + used;
  while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
    if (*p == '"') quoted = !quoted;
    else { if (text) text[used] = *p; used++; }
    p++;
  }
  if (text) text[used] = '\0';
  used++, argc++;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) break;
    if (argv) argv[argc] = text + used;
    quoted = 0;
    while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
      size_t backslashes = 0;
      while (*p == '\\') { backslashes++; p++; }
      if (*p == '"') {
        for (size_t i = 0; i < backslashes / 2; i++) { if (text) text[used] = '\\'; used++; }
        if (backslashes % 2) { if (text) text[used] = '"'; used++; }
        else quoted = !quoted;
        p++;
        continue;
      }
      for (size_t i = 0; i < backslashes; i++) { if (text) text[used] = '\\'; used++; }
      if (!*p || (!quoted && (*p == ' ' || *p == '\t'))) break;
      if (text) text[used] = *p;
      used++, p++;
    }
    if (text) text[used] = '\0';
    used++, argc++;
  }
  if (argv) argv[argc] = NULL;
  *bytes = used;
  return argc;
}

/* argv and the strings in one heap block, as msvcrt allocates them; 0, or -1 when memory runs out (msvcrt then calls _amsg_exit). */
int __getmainargs(int *argc, char ***argv, char ***envp, int expand_wildcards, _startupinfo *info) {
  (void)expand_wildcards; (void)info;
  const char *line = *__p__acmdln();
  size_t bytes;
  int count = split_command_line(line, NULL, NULL, &bytes);
  char **vector = malloc((count + 1) * sizeof *vector + bytes);
  if (!vector) return -1;
  split_command_line(line, vector, (char *)(vector + count + 1), &bytes);
  __argc = *argc = count;
  __argv = *argv = vector;
  *envp = _environ;
  return 0;
}

/* Calls each non-NULL entry of a table of initializers (the .CRT$XC* sections), in order. */
void _initterm(_PVFV *begin, _PVFV *end) {
  for (; begin < end; begin++) if (*begin) (*begin)();
}

/* The same for initializers that can fail: the first non-zero result stops the walk and is returned. */
int _initterm_e(_PIFV *begin, _PIFV *end) {
  for (; begin < end; begin++) {
    if (!*begin) continue;
    int result = (*begin)();
    if (result) return result;
  }
  return 0;
}

/* msvcrt's run-time error messages for the numbers start-up code passes. */
void _amsg_exit(int error) {
  fprintf(stderr, "runtime error R60%02d\n", error);
  _exit(255);
}

/* The runtime's locks (_lock(n), numbered by msvcrt's mtdll.h), critical sections made on first use. */
#define LOCK_COUNT 36
static CRITICAL_SECTION locks[LOCK_COUNT];
static BOOL lock_ready[LOCK_COUNT];

void _lock(int number) {
  if (number < 0 || number >= LOCK_COUNT) _amsg_exit(17);   /* _RT_LOCK */
  if (!lock_ready[number]) { InitializeCriticalSection(&locks[number]); lock_ready[number] = TRUE; }
  EnterCriticalSection(&locks[number]);
}

void _unlock(int number) {
  if (number >= 0 && number < LOCK_COUNT && lock_ready[number]) LeaveCriticalSection(&locks[number]);
}

typedef int (__cdecl *_onexit_t)(void);

/* A DLL's own atexit table (mingw's DLL start-up keeps one and runs it at DLL_PROCESS_DETACH): the table grows on the heap. */
_onexit_t __dllonexit(_onexit_t function, _PVFV **begin, _PVFV **end) {
  size_t count = (size_t)(*end - *begin);
  _PVFV *table = realloc(*begin, (count + 1) * sizeof *table);
  if (!table) return NULL;
  table[count] = (_PVFV)function;
  *begin = table;
  *end = table + count + 1;
  return function;
}
