/* The process's command line and environment as kernel32 hands them out.
   mmscope starts an ELF program with argv (the i386 System V start-up
   block), not with a command line, so crt0 builds the line CreateProcess
   would have been given (command-line-quoting.c). A PE program gets it
   from PEB.ProcessParameters, as on Windows, where ntdll's loader put it
   with the same quoting. The environment is empty (envp is). */
#include <windows.h>
#include <winternl.h>
#include <string.h>
#include "command-line-quoting.h"

#define MAX_COMMAND_LINE 32768   /* CreateProcess's limit, in characters */

static char command_line[MAX_COMMAND_LINE];
static size_t command_line_length;

/* Called by crt0 with the program's argc and argv. */
void mms_initialize_command_line(int argc, char **argv) {
  size_t length = mms_quote_command_line(argc, argv, command_line, MAX_COMMAND_LINE);
  command_line_length = length < MAX_COMMAND_LINE ? length : MAX_COMMAND_LINE - 1;
}

/* A process started as Windows starts one (a PE program) has its command line in
   PEB.ProcessParameters, in UTF-16; kernel32 keeps the ANSI copy it hands out. */
static void copy_command_line_from_parameters(void) {
  const RTL_USER_PROCESS_PARAMETERS *parameters = NtCurrentTeb()->ProcessEnvironmentBlock->ProcessParameters;
  if (!parameters || !parameters->CommandLine.Buffer) return;
  int length = WideCharToMultiByte(CP_ACP, 0, parameters->CommandLine.Buffer, parameters->CommandLine.Length / 2,
                                   command_line, MAX_COMMAND_LINE - 1, NULL, NULL);
  command_line_length = length > 0 ? (size_t)length : 0;
  command_line[command_line_length] = '\0';
}

LPSTR WINAPI GetCommandLineA(void) {
  if (!command_line_length) copy_command_line_from_parameters();
  return command_line;
}

/* No variable exists: 0 and ERROR_ENVVAR_NOT_FOUND, as Windows answers for a missing one. */
DWORD WINAPI GetEnvironmentVariableA(LPCSTR name, LPSTR buffer, DWORD size) {
  (void)name; (void)buffer; (void)size;
  SetLastError(ERROR_ENVVAR_NOT_FOUND);
  return 0;
}
