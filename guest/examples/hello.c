/* Hello from C through the SDK: printf → NtWriteFile → the console. */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("Hello from ring 3, %s!\n", argc > 1 ? argv[1] : "world");
  for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  return 0;
}
