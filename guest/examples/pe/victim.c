/* The process the seed's injection story happens to (injector.c starts it):
   it lists the modules its loader knows, tells the injector it is ready (a
   named event), waits until the injector is done, and lists them again. The
   DLL injected meanwhile unlinked itself from PEB.Ldr in its DllMain, so the
   second list does not name it either; the kernel's walk of this process's
   VAD tree does (mmscope run --modules, or --vad --pid N). Builds with stock
   mingw-w64 or mmscope build --pe. */
#include <windows.h>
#include <stdio.h>
#include "loader-lists.h"

static void list_modules(const char *when) {
  LOADER_DATA *ldr = loader_data();
  printf("victim: PEB.Ldr %s:", when);
  for (LOADER_LINKS *link = ldr->InLoadOrderModuleList.Flink; link != &ldr->InLoadOrderModuleList; link = link->Flink) {
    LOADER_ENTRY *entry = (LOADER_ENTRY *)link;
    char name[64];
    loader_entry_name(entry, name, sizeof name);
    printf(" %s", name);
  }
  printf("\n");
}

int main(void) {
  HANDLE ready = CreateEventA(NULL, TRUE, FALSE, "mmscope-victim-ready");
  HANDLE done = CreateEventA(NULL, TRUE, FALSE, "mmscope-injection-done");
  if (!ready || !done) return 1;
  list_modules("at start");
  SetEvent(ready);
  WaitForSingleObject(done, INFINITE);
  list_modules("after the injection");
  printf("victim: GetModuleHandleA(\"hidden-dll.dll\") = %p\n", (void *)GetModuleHandleA("hidden-dll.dll"));
  return 0;
}
