/* Shared by the runtime's command-line.c and ntdll's process parameters (not part of the SDK). */
#ifndef MMSCOPE_RUNTIME_COMMAND_LINE_QUOTING_H
#define MMSCOPE_RUNTIME_COMMAND_LINE_QUOTING_H
#include <stddef.h>

/* Writes the command line for argv into `line` (at most capacity - 1 characters and a
   terminator; capacity 0 writes nothing) and returns its full length, terminator excluded. */
size_t mms_quote_command_line(int argc, char *const *argv, char *line, size_t capacity);
#endif
