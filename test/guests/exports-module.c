/* A module for GetProcAddress (built with mmscope build --base 0x10000000):
   its global functions and variables are its exports. */
#include <stdio.h>

int module_counter = 40;
static char greeting[32];

int add_numbers(int a, int b) { return a + b + module_counter; }

const char *module_greeting(int n) {
  snprintf(greeting, sizeof greeting, "hello %d from the module", n);
  return greeting;
}

int main(void) { return 0; }
