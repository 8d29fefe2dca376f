/* A DLL that hides from the loader, the seed's scenario in its real form:
   in DllMain(DLL_PROCESS_ATTACH) it unlinks its own LDR_DATA_TABLE_ENTRY
   from the three lists in PEB.Ldr, so Toolhelp-style enumerations and
   GetModuleHandle no longer find it. Its image is still a MEM_IMAGE VAD:
   walking the VAD tree (mmscope run --modules, the debugger's lm) finds it.
   The entry's own links are left as they were, so a loader walking the list
   at that moment steps on to the next entry. Builds with stock mingw-w64:
     i686-w64-mingw32-gcc -shared hidden-dll.c -o hidden-dll.dll
   or with the SDK: mmscope build --dll hidden-dll.c -o hidden-dll.dll */
#include <windows.h>
#include <stdio.h>
#include "loader-lists.h"

static int hidden;

static void unlink_from(LOADER_LINKS *links) {
  links->Blink->Flink = links->Flink;
  links->Flink->Blink = links->Blink;
}

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved) {
  (void)reserved;
  if (reason != DLL_PROCESS_ATTACH) return TRUE;
  LOADER_DATA *ldr = loader_data();
  for (LOADER_LINKS *link = ldr->InLoadOrderModuleList.Flink; link != &ldr->InLoadOrderModuleList; link = link->Flink) {
    LOADER_ENTRY *entry = (LOADER_ENTRY *)link;
    if (entry->DllBase != (void *)self) continue;
    unlink_from(&entry->InLoadOrderLinks);
    unlink_from(&entry->InMemoryOrderLinks);
    unlink_from(&entry->InInitializationOrderLinks);
    hidden = 1;
    break;
  }
  printf("hidden-dll.dll: DllMain(DLL_PROCESS_ATTACH) %s\n", hidden ? "unlinked its entry from PEB.Ldr" : "found no entry to unlink");
  return TRUE;
}

__declspec(dllexport) const char *hidden_dll_greeting(void) {
  return hidden ? "unlinked from PEB.Ldr in DllMain" : "still in PEB.Ldr";
}
