/* Prints MMS_VALUE, which only `mmscope build --cflag -DMMS_VALUE=…` defines:
   without the flag this file does not compile. */
#include <stdio.h>

int main(void) {
  printf("MMS_VALUE=%d\n", MMS_VALUE);
  return 0;
}
