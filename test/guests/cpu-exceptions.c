/* Raises the CPU exception named on the command line; "caught N" raises each
   of them N times under a vectored handler that steps over the instruction;
   "ud2-forever" never stops raising #UD (for the instruction budget); "io"
   runs eight forms of in/out under a handler that steps over each and prints
   the code of every exception it saw; "in" and "out" raise one unhandled. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int caught;

/* ud2 and `int 0x21` are 2 bytes, hlt and cli 1; int3 and div are not stepped over here. */
static LONG WINAPI stepping_handler(PEXCEPTION_POINTERS info) {
  DWORD code = info->ExceptionRecord->ExceptionCode;
  if (code == STATUS_ILLEGAL_INSTRUCTION) info->ContextRecord->Eip += 2;
  else if (code == STATUS_PRIVILEGED_INSTRUCTION) info->ContextRecord->Eip += 1;
  else return EXCEPTION_CONTINUE_SEARCH;
  caught++;
  return EXCEPTION_CONTINUE_EXECUTION;
}

static DWORD io_codes[16];
static int io_raised;

/* Steps over the faulting in/out: 1 byte, 2 with an imm8 port (E4-E7), 1 more for 0x66. */
static LONG WINAPI io_handler(PEXCEPTION_POINTERS info) {
  unsigned char *at = (unsigned char *)info->ContextRecord->Eip;
  DWORD length = 1;
  if (*at == 0x66) { length++; at++; }
  if (*at >= 0xe4 && *at <= 0xe7) length++;
  if (io_raised < 16) io_codes[io_raised] = info->ExceptionRecord->ExceptionCode;
  io_raised++;
  info->ContextRecord->Eip += length;
  return EXCEPTION_CONTINUE_EXECUTION;
}

static void io_ports(void) {
  static char buffer[16];
  AddVectoredExceptionHandler(1, io_handler);
  __asm__ volatile(
    "in %%dx, %%al\n\t"
    "in %%dx, %%eax\n\t"
    "in $0x60, %%al\n\t"
    "out %%al, %%dx\n\t"
    "out %%al, $0x80\n\t"
    "out %%ax, %%dx\n\t"
    "insb\n\t"
    "outsb"
    : : "d"(0x3f8), "D"(buffer), "S"(buffer) : "eax", "memory");
  printf("io: %d raised", io_raised);
  for (int i = 0; i < io_raised && i < 16; i++) printf(" %08lx", (unsigned long)io_codes[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  printf("doing %s\n", what);
  volatile int zero = 0;
  if (!strcmp(what, "div")) return 10 / zero;
  if (!strcmp(what, "ud2")) __asm__ volatile("ud2");
  if (!strcmp(what, "hlt")) __asm__ volatile("hlt");
  if (!strcmp(what, "cli")) __asm__ volatile("cli");
  if (!strcmp(what, "int3")) __asm__ volatile("int3");
  if (!strcmp(what, "int21")) __asm__ volatile("int $0x21");
  if (!strcmp(what, "in")) __asm__ volatile("in %%dx, %%al" : : "d"(0x60) : "eax");
  if (!strcmp(what, "out")) __asm__ volatile("out %%al, $0x80" : : : "eax");
  if (!strcmp(what, "io")) io_ports();
  if (!strcmp(what, "caught")) {
    int rounds = argc > 2 ? atoi(argv[2]) : 1;
    AddVectoredExceptionHandler(1, stepping_handler);
    for (int i = 0; i < rounds; i++) __asm__ volatile("ud2\n\thlt\n\tcli");
    printf("caught %d\n", caught);
  }
  if (!strcmp(what, "ud2-forever")) {
    AddVectoredExceptionHandler(1, stepping_handler);
    for (;;) __asm__ volatile("ud2");
  }
  printf("survived\n");
  return 0;
}
