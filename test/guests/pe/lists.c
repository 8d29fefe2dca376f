/* The PEB's loader lists as a program walks them (PEB.Ldr: InLoadOrder,
   InMemoryOrder, InInitializationOrder), built with stock mingw-w64 and
   its own headers' layouts: each line is a list's name and its modules'
   BaseDllName in order; then whether helper.dll's entry agrees with
   GetModuleHandleA and its image's SizeOfImage. */
#include <windows.h>
#include "nt-calls.h"

typedef struct { USHORT Length, MaximumLength; WCHAR *Buffer; } counted_string;
typedef struct entry {
  LIST_ENTRY load, memory, init;
  void *base, *entry_point;
  ULONG size;
  counted_string full, name;
} entry;
typedef struct { ULONG length; BOOLEAN initialized; void *ss; LIST_ENTRY load, memory, init; } loader_data;

__declspec(dllimport) int add(int, int);

static void print_name(const counted_string *s) {
  char text[64];
  USHORT n = s->Length / 2 < 63 ? s->Length / 2 : 63;
  for (USHORT i = 0; i < n; i++) text[i] = (char)s->Buffer[i];
  text[n] = 0;
  nt_print(" ");
  nt_print(text);
}

/* `offset`: where the list's links sit in an entry (0, 8 or 16 bytes in). */
static void walk(const char *title, LIST_ENTRY *head, unsigned offset) {
  nt_print(title);
  for (LIST_ENTRY *link = head->Flink; link != head; link = link->Flink) print_name(&((entry *)((char *)link - offset))->name);
  nt_print("\n");
}

void start(void) {
  void *peb;
  __asm__("mov %%fs:0x30, %0" : "=r"(peb));
  loader_data *ldr = *(loader_data **)((char *)peb + 0x0c);
  walk("load", &ldr->load, 0);
  walk("memory", &ldr->memory, 8);
  walk("init", &ldr->init, 16);
  HMODULE helper = GetModuleHandleA("helper.dll");
  for (LIST_ENTRY *link = ldr->load.Flink; link != &ldr->load; link = link->Flink) {
    entry *e = (entry *)link;
    if (e->base != helper) continue;
    IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)((char *)helper + ((IMAGE_DOS_HEADER *)helper)->e_lfanew);
    nt_print(e->size == nt->OptionalHeader.SizeOfImage ? "helper entry matches its image\n" : "helper entry size wrong\n");
  }
  ExitProcess(add(0, 0));
}
