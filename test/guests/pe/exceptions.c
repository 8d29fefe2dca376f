/* The exception dispatcher in a PE process: the kernel delivers an access
   violation to ntdll's KiUserExceptionDispatcher (found as an export), the
   vectored handler registered through kernel32 (forwarded to ntdll's
   RtlAddVectoredExceptionHandler) sees it and resumes past the faulting
   instruction; a second fault with no handler ends the process with its
   code. Built with stock mingw-w64 -nostdlib. */
#include <windows.h>
#include "nt-calls.h"

static volatile int *nowhere = (int *)0x10;
static int seen;

static LONG CALLBACK handler(EXCEPTION_POINTERS *pointers) {
  if (pointers->ExceptionRecord->ExceptionCode != EXCEPTION_ACCESS_VIOLATION || seen++) return EXCEPTION_CONTINUE_SEARCH;
  nt_print(pointers->ExceptionRecord->ExceptionInformation[1] == 0x10 ? "handler saw the access violation at 0x10\n" : "handler saw another address\n");
  pointers->ContextRecord->Eip += 6;   /* mov dword ptr [eax], imm8 sign-extended: c7 00 xx xx xx xx is 6 bytes */
  return EXCEPTION_CONTINUE_EXECUTION;
}

void start(void) {
  AddVectoredExceptionHandler(1, handler);
  __asm__ volatile("mov %0, %%eax\n .byte 0xc7, 0x00, 0x2a, 0x00, 0x00, 0x00" :: "r"(nowhere) : "eax", "memory");
  nt_print("resumed after the handler\n");
  *nowhere = 1;
  nt_print("not reached\n");
  ExitProcess(0);
}
