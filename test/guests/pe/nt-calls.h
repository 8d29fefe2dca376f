/* System calls for PE test guests that import nothing: the NT services by
   number through int 0x2e, as ntdll's stubs make them (numbers from
   src/kernel/syscalls/*-services.ts). */
#ifndef PE_NT_CALLS_H
#define PE_NT_CALLS_H

static inline long nt_call(unsigned number, void *arguments) {
  long status;
  __asm__ volatile("int $0x2e" : "=a"(status) : "a"(number), "d"(arguments) : "memory", "ecx");
  return status;
}

static inline void nt_terminate(long status) {
  unsigned long args[2] = { (unsigned long)-1, (unsigned long)status };
  nt_call(0x101, args);
  for (;;) {}
}

/* NtWriteFile on the console's stdout pseudo-handle (7). */
static inline void nt_print(const char *text) {
  unsigned long length = 0, io[2];
  while (text[length]) length++;
  unsigned long args[9] = { 7, 0, 0, 0, (unsigned long)io, (unsigned long)text, length, 0, 0 };
  nt_call(0x112, args);
}

typedef struct { void *BaseAddress, *AllocationBase; unsigned long AllocationProtect, RegionSize, State, Protect, Type; } nt_memory_info;

/* NtQueryVirtualMemory(MemoryBasicInformation): VirtualQuery's service. */
static inline long nt_query(const void *address, nt_memory_info *info) {
  unsigned long returned;
  unsigned long args[6] = { (unsigned long)-1, (unsigned long)address, 0, (unsigned long)info, sizeof *info, (unsigned long)&returned };
  return nt_call(0xb2, args);
}

static inline char *hex(char *out, unsigned long value) {
  for (int i = 7; i >= 0; i--) { *out++ = "0123456789abcdef"[(value >> (i * 4)) & 15]; }
  return out;
}
/* One line: "name BaseAddress AllocationBase AllocationProtect Protect Type" as VirtualQuery gives them for `address`. */
static inline void nt_report_region(const char *name, const void *address) {
  nt_memory_info info;
  char line[80], *p = line;
  if (nt_query(address, &info) < 0) { nt_print("query failed\n"); nt_terminate(1); }
  while (*name) *p++ = *name++;
  *p++ = ' '; p = hex(p, (unsigned long)info.BaseAddress);
  *p++ = ' '; p = hex(p, (unsigned long)info.AllocationBase);
  *p++ = ' '; p = hex(p, info.AllocationProtect);
  *p++ = ' '; p = hex(p, info.Protect);
  *p++ = ' '; p = hex(p, info.Type);
  *p++ = '\n'; *p = 0;
  nt_print(line);
}
#endif
