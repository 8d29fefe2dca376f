/* Loads hidden-dll.dll (guest/examples/pe/hidden-dll.c), which unlinks
   itself from the loader lists while it is being loaded, then looks for it
   the ways a program can: the loader lists and GetModuleHandleA miss it,
   and so does GetProcAddress, since the loader checks a module handle
   against its lists (as Windows XP's LdrpCheckForLoadedDllHandle does);
   VirtualQuery still shows the image. Run with --modules: the kernel's
   walk of the VAD tree lists it. Builds with stock mingw-w64 or
   mmscope build --pe. */
#include <windows.h>
#include <stdio.h>
#include "loader-lists.h"

static void list_modules(void) {
  LOADER_DATA *ldr = loader_data();
  printf("PEB.Ldr lists:\n");
  for (LOADER_LINKS *link = ldr->InLoadOrderModuleList.Flink; link != &ldr->InLoadOrderModuleList; link = link->Flink) {
    LOADER_ENTRY *entry = (LOADER_ENTRY *)link;
    char name[64];
    loader_entry_name(entry, name, sizeof name);
    printf("  %p  %s\n", entry->DllBase, name);
  }
}

int main(void) {
  HMODULE dll = LoadLibraryA("hidden-dll.dll");
  if (!dll) {
    printf("LoadLibraryA(\"hidden-dll.dll\") failed: error %lu\n", GetLastError());
    return 1;
  }
  printf("hidden-dll.dll loaded at %p\n", (void *)dll);
  const char *(*greeting)(void) = (const char *(*)(void))GetProcAddress(dll, "hidden_dll_greeting");
  if (greeting) printf("its greeting: %s\n", greeting());
  else printf("GetProcAddress(%p, \"hidden_dll_greeting\") = NULL, error %lu\n", (void *)dll, GetLastError());
  list_modules();
  printf("GetModuleHandleA(\"hidden-dll.dll\") = %p\n", (void *)GetModuleHandleA("hidden-dll.dll"));
  MEMORY_BASIC_INFORMATION info;
  VirtualQuery(dll, &info, sizeof info);
  printf("VirtualQuery(%p): %s, allocation base %p\n", (void *)dll, info.Type == MEM_IMAGE ? "MEM_IMAGE" : "not an image", info.AllocationBase);
  return 0;
}
