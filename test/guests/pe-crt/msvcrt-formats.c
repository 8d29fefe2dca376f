/* The printf family of msvcrt.dll itself: built with
   -D__USE_MINGW_ANSI_STDIO=0, so printf, sprintf and _snprintf are
   msvcrt's imports, not mingw-w64's own printf. The test holds the lines
   to what Windows' msvcrt.dll prints (MSDN's printf type field table: %p
   "as hexadecimal digits", %e "[-]d.dddd e [sign]dd[d]" with a three-digit
   exponent in msvcrt; "_snprintf": -1 and no terminator when the result
   does not fit; msvcrt's 1.#INF / 1.#IND / 1.#QNAN forms). */
#include <stdio.h>
#include <string.h>

int main(void) {
  volatile double zero = 0.0;
  double inf = 1.0 / zero;
  char buffer[64];
  printf("[%p] [%p] [%12p] [%-12p]\n", (void *)0x40a000, (void *)0, (void *)0xdeadbeef, (void *)1);
  printf("[%e] [%E] [%g] [%G] [%.0e]\n", 12345.678, 0.000123, 1e20, 1e-5, 1.0);
  printf("[%f] [%f] [%e] [%g] [%.2f] [%.0f] [%10f]\n", inf, -inf, inf, inf, inf, inf, inf);
  printf("[%f] [%f]\n", zero / zero, -(zero / zero));
  sprintf(buffer, "%p %e", (void *)0x7ffdf000, 0.5);
  printf("sprintf [%s]\n", buffer);
  memset(buffer, 'x', sizeof buffer);
  int n = _snprintf(buffer, 4, "%s", "abcdef");
  printf("_snprintf too long: %d [%.8s]\n", n, buffer);
  memset(buffer, 'x', sizeof buffer);
  n = _snprintf(buffer, 4, "%s", "abcd");
  printf("_snprintf exactly full: %d [%.8s]\n", n, buffer);
  n = _snprintf(buffer, 4, "%s", "abc");
  printf("_snprintf room to spare: %d [%s]\n", n, buffer);
  return 0;
}
