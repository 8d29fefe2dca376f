/* Hiding from the loader list, and why it does not hide from the VAD tree.
   The program lists the modules in its PEB's loader list, loads a module
   (C:\plugin.elf, if it exists in the --root directory: build one with
   `mmscope build --base 0x10000000 guest/examples/hello.c -o plugin.elf`),
   then unlinks its own entry from the lists and walks them again. Run with
   --modules: the kernel's walk of the VAD tree still finds every image. */
#include <windows.h>
#include <winternl.h>
#include <stdio.h>

static void list_modules(const char *when) {
  PEB_LDR_DATA *ldr = NtCurrentTeb()->ProcessEnvironmentBlock->Ldr;
  printf("loader list %s:\n", when);
  for (LIST_ENTRY *link = ldr->InLoadOrderModuleList.Flink; link != &ldr->InLoadOrderModuleList; link = link->Flink) {
    LDR_DATA_TABLE_ENTRY *entry = (LDR_DATA_TABLE_ENTRY *)link;
    char name[64];
    int i = 0;
    for (; i < entry->BaseDllName.Length / 2 && i < 63; i++) name[i] = (char)entry->BaseDllName.Buffer[i];
    name[i] = 0;
    printf("  %p  %6lu bytes  %s\n", entry->DllBase, entry->SizeOfImage, name);
  }
}

int main(void) {
  HMODULE plugin = LoadLibraryA("C:\\plugin.elf");
  list_modules("at start");
  if (plugin) printf("loaded plugin.elf at %p\n", (void *)plugin);
  /* Unlink our own entry, as malware hiding a module would. */
  LDR_DATA_TABLE_ENTRY *self = (LDR_DATA_TABLE_ENTRY *)NtCurrentTeb()->ProcessEnvironmentBlock->Ldr->InLoadOrderModuleList.Flink;
  self->InLoadOrderLinks.Blink->Flink = self->InLoadOrderLinks.Flink;
  self->InLoadOrderLinks.Flink->Blink = self->InLoadOrderLinks.Blink;
  self->InMemoryOrderLinks.Blink->Flink = self->InMemoryOrderLinks.Flink;
  self->InMemoryOrderLinks.Flink->Blink = self->InMemoryOrderLinks.Blink;
  list_modules("after unlinking the program's own entry");
  printf("GetModuleHandleA(NULL) = %p (from the PEB), yet the list no longer names it\n", (void *)GetModuleHandleA(NULL));
  return 0;
}
