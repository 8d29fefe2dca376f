/* Raises the CPU exception named on the command line; "caught N" raises each
   of them N times under a vectored handler that steps over the instruction;
   "ud2-forever" never stops raising #UD (for the instruction budget). */
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
