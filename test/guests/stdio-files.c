/* The C runtime's streams on files, as msvcrt behaves: text mode (the
   default) writes "\n" as "\r\n" and reads it back as "\n", binary mode
   ("b") writes bytes as they are; ftell counts the file's bytes; fgets,
   fread, fgetc, ungetc, fseek, feof; "a" appends; a missing file is NULL
   with errno ENOENT. The host test reads the files back byte for byte.
   Uses only the C library: it builds with the SDK and with stock mingw-w64. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include "check.h"

int main(void) {
  FILE *text = fopen("C:\\text.txt", "w");
  CHECK_TRUE("fopen w", text != NULL);
  CHECK_EQ("fprintf returns the characters given", fprintf(text, "line %d\n", 1), 7);
  CHECK_EQ("fputs", fputs("second\n", text), 0);
  CHECK_EQ("fputc", fputc('x', text), 'x');
  CHECK_EQ("ftell counts the \\r of each \\n written", ftell(text), 17);
  CHECK_EQ("fclose", fclose(text), 0);

  FILE *binary = fopen("C:\\binary.bin", "wb");
  CHECK_EQ("fwrite in binary mode", fwrite("a\nb\n", 1, 4, binary), 4);
  CHECK_EQ("ftell in binary mode", ftell(binary), 4);
  fclose(binary);

  FILE *in = fopen("C:\\text.txt", "r");
  char line[32];
  CHECK_TRUE("fgets reads \\r\\n as \\n", fgets(line, sizeof line, in) && strcmp(line, "line 1\n") == 0);
  CHECK_EQ("ftell after the first line", ftell(in), 8);
  CHECK_EQ("fgetc", fgetc(in), 's');
  CHECK_EQ("ungetc", ungetc('S', in), 'S');
  CHECK_TRUE("fread", fread(line, 1, 7, in) == 7 && memcmp(line, "Second\n", 7) == 0);
  CHECK_EQ("fgetc the last byte", fgetc(in), 'x');
  CHECK_EQ("fgetc at the end", fgetc(in), EOF);
  CHECK_TRUE("feof", feof(in));
  CHECK_EQ("fseek to the second line", fseek(in, 8, SEEK_SET), 0);
  CHECK_TRUE("feof cleared by fseek", !feof(in));
  CHECK_TRUE("fgets after fseek", fgets(line, sizeof line, in) && strcmp(line, "second\n") == 0);
  fclose(in);

  FILE *raw = fopen("C:\\text.txt", "rb");
  CHECK_TRUE("binary read sees the \\r", fread(line, 1, 8, raw) == 8 && memcmp(line, "line 1\r\n", 8) == 0);
  fclose(raw);

  FILE *append = fopen("C:\\binary.bin", "ab");
  fputs("c", append);
  fclose(append);
  FILE *check = fopen("C:\\binary.bin", "rb");
  CHECK_TRUE("a appends", fread(line, 1, sizeof line, check) == 5 && memcmp(line, "a\nb\nc", 5) == 0);
  fclose(check);

  errno = 0;
  CHECK_EQ("fopen of a missing file", fopen("C:\\missing.txt", "r"), NULL);
  CHECK_EQ("errno ENOENT", errno, ENOENT);
  CHECK_TRUE("strerror(ENOENT)", strcmp(strerror(ENOENT), "No such file or directory") == 0);
  fprintf(stderr, "to stderr %s\n", "through fprintf");
  return CHECK_DONE();
}
