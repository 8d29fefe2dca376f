/* GetCommandLineA and the environment. The test runs this program with the
   arguments: plain, "two words", say "hi", (empty), C:\dir with space\,
   back\slash — and expects the command line CreateProcess would have been
   given for them (CommandLineToArgvW's quoting rules, Microsoft's "Parsing
   C command-line arguments"). */
#include <windows.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

int main(int argc, char **argv) {
  const char *line = GetCommandLineA();
  size_t program = strlen(argv[0]);
  CHECK_EQ("argc", argc, 7);
  CHECK_TRUE("the command line starts with the program", !strncmp(line, argv[0], program));
  const char *expected = " plain \"two words\" \"say \\\"hi\\\"\" \"\" \"C:\\dir with space\\\\\" back\\slash";
  CHECK_TRUE("the arguments, quoted as CreateProcess needs them", !strcmp(line + program, expected));
  if (strcmp(line + program, expected)) printf("got: [%s]\nexpected: [%s]\n", line + program, expected);
  CHECK_EQ("the same pointer each time", GetCommandLineA(), line);
  char value[64];
  SetLastError(0xdeadbeef);
  CHECK_EQ("GetEnvironmentVariableA: the environment is empty", GetEnvironmentVariableA("PATH", value, sizeof value), 0);
  CHECK_EQ("  ERROR_ENVVAR_NOT_FOUND", GetLastError(), ERROR_ENVVAR_NOT_FOUND);
  CHECK_EQ("getenv", getenv("PATH"), NULL);
  return CHECK_DONE();
}
