/* Loads hidden-dll.dll (guest/examples/pe/hidden-dll.c), which unlinks
   itself from the loader lists while it is being loaded, then looks for it
   the ways a program can: the loader lists and GetModuleHandleA miss it;
   GetProcAddress through the handle LoadLibraryA returned still works, and
   VirtualQuery shows the image. Run with --modules: the kernel's walk of
   the VAD tree lists it. Builds with stock mingw-w64 or mmscope build --pe. */
#include <windows.h>
#include <stdio.h>
#include "loader-lists.h"

static void list_modules(void) {
  LOADER_DATA *ldr = loader_data();
  printf("PEB.Ldr lists:\n");
  for (LOADER_LINKS *link = ldr->InLoadOrderModuleList.Flink; link != &ldr->InLoadOrderModuleList; link = link->Flink) {
    LOADER_ENTRY *entry = (LOADER_ENTRY *)link;
    char name[64];
    int i = 0;
    for (; i < entry->BaseLength / 2 && i < 63; i++) name[i] = (char)entry->BaseDllName[i];
    name[i] = 0;
    printf("  %p  %s\n", entry->DllBase, name);
  }
}

int main(void) {
  HMODULE dll = LoadLibraryA("hidden-dll.dll");
  if (!dll) {
    printf("LoadLibraryA(\"hidden-dll.dll\") failed: error %lu\n", GetLastError());
    return 1;
  }
  const char *(*greeting)(void) = (const char *(*)(void))GetProcAddress(dll, "hidden_dll_greeting");
  printf("hidden-dll.dll loaded at %p: %s\n", (void *)dll, greeting ? greeting() : "(no export)");
  list_modules();
  printf("GetModuleHandleA(\"hidden-dll.dll\") = %p\n", (void *)GetModuleHandleA("hidden-dll.dll"));
  MEMORY_BASIC_INFORMATION info;
  VirtualQuery(dll, &info, sizeof info);
  printf("VirtualQuery(%p): %s, allocation base %p\n", (void *)dll, info.Type == MEM_IMAGE ? "MEM_IMAGE" : "not an image", info.AllocationBase);
  return 0;
}
