/* Static TLS and TLS callbacks, built with stock mingw-w64 -nostdlib: this
   program defines its own TLS directory (_tls_used, as mingw's CRT tlssup.c
   does) with two callbacks, and imports helper.dll statically. Windows runs
   the DLL's DllMain(DLL_PROCESS_ATTACH), then the program's callbacks in
   order, then its entry point; at exit DllMain(DLL_PROCESS_DETACH) and the
   callbacks with DLL_PROCESS_DETACH. The template's value must be in the
   thread's TLS block (TEB.ThreadLocalStoragePointer[_tls_index]). */
#include <windows.h>
#include "nt-calls.h"

ULONG _tls_index = 0xffffffff;
__attribute__((section(".tls$AAA"))) int _tls_start = 0;
__attribute__((section(".tls$BBB"))) int tls_value = 1234;
__attribute__((section(".tls$ZZZ"))) int _tls_end = 0;

static void NTAPI first(PVOID module, DWORD reason, PVOID reserved) {
  nt_print(reason == DLL_PROCESS_ATTACH ? "callback 1 attach\n" : reason == DLL_PROCESS_DETACH ? "callback 1 detach\n" : "callback 1 other\n");
}
static void NTAPI second(PVOID module, DWORD reason, PVOID reserved) {
  nt_print(reason == DLL_PROCESS_ATTACH ? "callback 2 attach\n" : reason == DLL_PROCESS_DETACH ? "callback 2 detach\n" : "callback 2 other\n");
}

__attribute__((section(".CRT$XLA"))) PIMAGE_TLS_CALLBACK __xl_a = 0;
__attribute__((section(".CRT$XLB"))) PIMAGE_TLS_CALLBACK callback_1 = first;
__attribute__((section(".CRT$XLC"))) PIMAGE_TLS_CALLBACK callback_2 = second;
__attribute__((section(".CRT$XLZ"))) PIMAGE_TLS_CALLBACK __xl_z = 0;

const IMAGE_TLS_DIRECTORY _tls_used = {
  (DWORD)&_tls_start, (DWORD)&_tls_end, (DWORD)&_tls_index, (DWORD)&callback_1, 0, 0,
};

__declspec(dllimport) int add(int, int);

void start(void) {
  nt_print("entry point\n");
  void **slots;
  __asm__("mov %%fs:0x2c, %0" : "=r"(slots));
  int *block = slots[_tls_index];
  nt_print(block[&tls_value - &_tls_start] == 1234 ? "tls value 1234\n" : "tls value wrong\n");
  nt_print(add(2, 3) == 5 ? "import works\n" : "import wrong\n");
  ExitProcess(0);
}
