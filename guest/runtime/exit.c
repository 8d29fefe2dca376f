/* Ending the program as the Microsoft C runtime does: exit runs the
   functions registered with atexit/_onexit, last registered first, closes
   the streams and ends the process (ExitProcess); _exit ends it at once;
   _cexit runs the functions without ending it (mingw's crt calls it before
   its own exit path). */
#include <windows.h>
#include <stdlib.h>
#include "crt-internal.h"

typedef int (__cdecl *_onexit_t)(void);

#define MAX_EXIT_FUNCTIONS 64   /* ANSI C guarantees 32 */

static _onexit_t exit_functions[MAX_EXIT_FUNCTIONS];
static int exit_function_count;

/* The function, or NULL when the table is full, as msvcrt's _onexit answers. */
_onexit_t _onexit(_onexit_t function) {
  if (!function || exit_function_count == MAX_EXIT_FUNCTIONS) return NULL;
  exit_functions[exit_function_count++] = function;
  return function;
}

int atexit(void (*function)(void)) { return _onexit((_onexit_t)function) ? 0 : -1; }

/* Each function runs once, even if one of them calls exit again. */
static void run_exit_functions(void) {
  while (exit_function_count > 0) exit_functions[--exit_function_count]();
}

void _cexit(void) {
  run_exit_functions();
  mms_close_all_streams();
}

/* _cexit without the functions: only the streams. */
void _c_exit(void) { mms_close_all_streams(); }

void _exit(int status) { ExitProcess((UINT)status); }

void exit(int status) {
  _cexit();
  ExitProcess((UINT)status);
}

/* The Microsoft runtime's abort(): status 3, no exit functions. */
void abort(void) { _exit(3); }
