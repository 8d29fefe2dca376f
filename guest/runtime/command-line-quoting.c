/* The command line CreateProcess would be given for an argv: the arguments
   joined by spaces, each that needs it quoted so that CommandLineToArgvW
   and the Microsoft C runtime split it back into the same argv (Microsoft's
   "Parsing C command-line arguments"). One implementation for the ELF
   runtime (crt0's GetCommandLineA) and ntdll (a PE process's
   ProcessParameters.CommandLine). */
#include <string.h>
#include "command-line-quoting.h"

/* Counts every character; stores those that fit before the terminator's place. */
typedef struct { char *line; size_t capacity, length; } LINE;

static void append(LINE *out, char c) {
  if (out->length + 1 < out->capacity) out->line[out->length] = c;
  out->length++;
}

static void append_repeated(LINE *out, char c, size_t count) { while (count--) append(out, c); }

/* CommandLineToArgvW's rules backwards: inside quotes, 2n backslashes before a quote are n
   backslashes, 2n+1 are n and a literal quote; backslashes elsewhere are themselves. */
static void append_argument(LINE *out, const char *argument) {
  if (*argument && !strpbrk(argument, " \t\n\v\"")) {
    while (*argument) append(out, *argument++);
    return;
  }
  append(out, '"');
  for (const char *p = argument;; p++) {
    size_t backslashes = 0;
    while (*p == '\\') { backslashes++; p++; }
    if (!*p) { append_repeated(out, '\\', backslashes * 2); break; }
    if (*p == '"') { append_repeated(out, '\\', backslashes * 2 + 1); append(out, '"'); continue; }
    append_repeated(out, '\\', backslashes);
    append(out, *p);
  }
  append(out, '"');
}

size_t mms_quote_command_line(int argc, char *const *argv, char *line, size_t capacity) {
  LINE out = { line, capacity, 0 };
  for (int i = 0; i < argc; i++) {
    if (i) append(&out, ' ');
    append_argument(&out, argv[i]);
  }
  if (capacity) line[out.length < capacity ? out.length : capacity - 1] = '\0';
  return out.length;
}
