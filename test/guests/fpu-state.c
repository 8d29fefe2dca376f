/* Known x87 and SSE state for debuggers: ST0 = 1.0, ST1 = pi (pushed
   first), FPCW 037f after finit, XMM0 = four floats 1, 2, 3, 4, MXCSR
   1f80 (the power-on default) with the rounding mode set to "toward
   zero" (bits 13-14 = 11: 7f80). Then it stops in fpu_ready. */
#include <windows.h>

static const float four[4] __attribute__((aligned(16))) = { 1.0f, 2.0f, 3.0f, 4.0f };

__attribute__((noinline)) void fpu_ready(void) { __asm__ volatile("nop"); }

int main(void) {
  unsigned int mxcsr = 0x7f80;
  __asm__ volatile(
    "finit\n\t"
    "fldpi\n\t"
    "fld1\n\t"
    "movaps %0, %%xmm0\n\t"
    "ldmxcsr %1\n\t"
    : : "m"(four), "m"(mxcsr));
  fpu_ready();
  __asm__ volatile("fstp %%st(0)\n\tfstp %%st(0)" : : : "st", "st(1)");
  return 0;
}
