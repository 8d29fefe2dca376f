/* The loader's structures at their Windows x86 offsets, declared here
   rather than taken from a winternl.h (mingw-w64's hides these fields), so
   the examples compile with stock i686-w64-mingw32-gcc for Windows and with
   `mmscope build --pe` alike. */
#ifndef LOADER_LISTS_H
#define LOADER_LISTS_H
#include <windows.h>

typedef struct LOADER_LINKS { struct LOADER_LINKS *Flink, *Blink; } LOADER_LINKS;

typedef struct {
  LOADER_LINKS InLoadOrderLinks;
  LOADER_LINKS InMemoryOrderLinks;
  LOADER_LINKS InInitializationOrderLinks;
  void *DllBase;                       /* 0x18 */
  void *EntryPoint;
  unsigned long SizeOfImage;
  unsigned short FullLength, FullMaximumLength;
  unsigned short *FullDllName;         /* 0x28 */
  unsigned short BaseLength, BaseMaximumLength;
  unsigned short *BaseDllName;         /* 0x30 */
} LOADER_ENTRY;

typedef struct {
  unsigned long Length;
  unsigned char Initialized;
  void *SsHandle;
  LOADER_LINKS InLoadOrderModuleList;  /* 0x0C */
  LOADER_LINKS InMemoryOrderModuleList;
  LOADER_LINKS InInitializationOrderModuleList;
} LOADER_DATA;

/* PEB.Ldr: the PEB is at FS:[0x30], its Ldr at +0x0C. */
static inline LOADER_DATA *loader_data(void) {
  char *peb;
  __asm__("movl %%fs:0x30, %0" : "=r"(peb));
  return *(LOADER_DATA **)(peb + 0x0C);
}

/* An entry's BaseDllName as ASCII in name[size] (truncated, terminated). */
static inline void loader_entry_name(const LOADER_ENTRY *entry, char *name, int size) {
  int i = 0;
  for (; i < entry->BaseLength / 2 && i < size - 1; i++) name[i] = (char)entry->BaseDllName[i];
  name[i] = 0;
}
#endif
