/* The fixed regions at the top of user space on Windows x86: KUSER_SHARED_DATA
   at 0x7FFE0000 (one committed read-only page with the clock and the version),
   the rest of that 64 KiB reserved, and the 64 KiB no-access area at
   0x7FFF0000, which VirtualQuery describes (MEM_RESERVE, PAGE_NOACCESS,
   MEM_PRIVATE) and no allocation may take. argv[1]: the machine's RAM in pages. */
#include <windows.h>
#include <ntdll.h>
#include <ntddk.h>
#include <setjmp.h>
#include <stdlib.h>
#include "check.h"

static jmp_buf recover;
static DWORD seen_code;
static ULONG_PTR seen_info[2];

static LONG WINAPI longjmp_handler(PEXCEPTION_POINTERS info) {
  seen_code = info->ExceptionRecord->ExceptionCode;
  seen_info[0] = info->ExceptionRecord->ExceptionInformation[0];
  seen_info[1] = info->ExceptionRecord->ExceptionInformation[1];
  longjmp(recover, 1);
}

static void check_query(const char *name, ULONG_PTR address, ULONG_PTR base, ULONG_PTR allocation_base, SIZE_T size,
                        DWORD state, DWORD protect, DWORD type) {
  MEMORY_BASIC_INFORMATION info;
  char label[96];
  SIZE_T got = VirtualQuery((LPCVOID)address, &info, sizeof info);
  snprintf(label, sizeof label, "%s: VirtualQuery succeeds", name); CHECK_EQ(label, got, sizeof info);
  snprintf(label, sizeof label, "%s: BaseAddress", name); CHECK_EQ(label, info.BaseAddress, base);
  snprintf(label, sizeof label, "%s: AllocationBase", name); CHECK_EQ(label, info.AllocationBase, allocation_base);
  snprintf(label, sizeof label, "%s: RegionSize", name); CHECK_EQ(label, info.RegionSize, size);
  snprintf(label, sizeof label, "%s: State", name); CHECK_EQ(label, info.State, state);
  snprintf(label, sizeof label, "%s: Protect", name); CHECK_EQ(label, info.Protect, protect);
  snprintf(label, sizeof label, "%s: Type", name); CHECK_EQ(label, info.Type, type);
}

static NTSTATUS reserve_at(ULONG_PTR address, SIZE_T size, ULONG type) {
  PVOID base = (PVOID)address;
  return NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, type, PAGE_READWRITE);
}

int main(int argc, char **argv) {
  unsigned long ram_pages = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
  MEMORY_BASIC_INFORMATION info;

  /* The no-access area below kernel space (Windows 10/11 x86). */
  check_query("0x7FFF0000", 0x7fff0000, 0x7fff0000, 0x7fff0000, 0x10000, MEM_RESERVE, PAGE_NOACCESS, MEM_PRIVATE);
  check_query("0x7FFFFFFF", 0x7fffffff, 0x7ffff000, 0x7fff0000, 0x1000, MEM_RESERVE, PAGE_NOACCESS, MEM_PRIVATE);
  /* KUSER_SHARED_DATA: one committed read-only page, then the rest of its 64 KiB reserved (ReactOS MiQueryMemoryBasicInformation). */
  check_query("0x7FFE0000", 0x7ffe0000, 0x7ffe0000, 0x7ffe0000, 0x1000, MEM_COMMIT, PAGE_READONLY, MEM_PRIVATE);
  check_query("0x7FFE0123", 0x7ffe0123, 0x7ffe0000, 0x7ffe0000, 0x1000, MEM_COMMIT, PAGE_READONLY, MEM_PRIVATE);
  check_query("0x7FFE1000", 0x7ffe1000, 0x7ffe1000, 0x7ffe0000, 0xf000, MEM_RESERVE, PAGE_NOACCESS, MEM_PRIVATE);
  CHECK_TRUE("AllocationProtect of the shared page is PAGE_READONLY",
             VirtualQuery((LPCVOID)0x7ffe0000, &info, sizeof info) && info.AllocationProtect == PAGE_READONLY);
  SetLastError(0);
  CHECK_EQ("kernel space cannot be queried", VirtualQuery((LPCVOID)0x80000000, &info, sizeof info), 0);
  CHECK_EQ("kernel space: ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);

  /* No allocation reaches the fixed regions (MM_HIGHEST_VAD_ADDRESS is 0x7FFDFFFF). */
  CHECK_EQ("reserve at 0x7FFE0000", reserve_at(0x7ffe0000, 0x1000, MEM_RESERVE), STATUS_INVALID_PARAMETER_2);
  CHECK_EQ("commit at 0x7FFE0000", reserve_at(0x7ffe0000, 0x1000, MEM_COMMIT), STATUS_INVALID_PARAMETER_2);
  CHECK_EQ("reserve at 0x7FFF0000", reserve_at(0x7fff0000, 0x1000, MEM_RESERVE), STATUS_INVALID_PARAMETER_2);
  CHECK_EQ("reserve reaching 0x7FFE0000", reserve_at(0x7ffd0000, 0x11000, MEM_RESERVE), STATUS_INVALID_PARAMETER_4);
  CHECK_TRUE("VirtualAlloc at 0x7FFE0000 fails", VirtualAlloc((LPVOID)0x7ffe0000, 0x1000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) == NULL);
  char *top = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_TOP_DOWN, PAGE_READWRITE);
  CHECK_TRUE("a top-down 64 KiB reservation succeeds", top != NULL);
  CHECK_TRUE("and ends at or below 0x7FFE0000", (ULONG_PTR)top + 0x10000 <= 0x7ffe0000);
  CHECK_TRUE("VirtualFree of the shared page fails", !VirtualFree((LPVOID)0x7ffe0000, 0, MEM_RELEASE));
  DWORD old;
  CHECK_TRUE("VirtualProtect of the shared page fails", !VirtualProtect((LPVOID)0x7ffe0000, 0x1000, PAGE_READWRITE, &old));
  CHECK_EQ("and says ERROR_INVALID_ADDRESS", GetLastError(), ERROR_INVALID_ADDRESS);

  /* The page's contents, at ntddk.h's offsets. */
  KUSER_SHARED_DATA *shared = USER_SHARED_DATA;
  CHECK_EQ("TickCountMultiplier", shared->TickCountMultiplier, 0x0fa00000);
  CHECK_EQ("NtMajorVersion", shared->NtMajorVersion, 10);
  CHECK_EQ("NtMinorVersion", shared->NtMinorVersion, 0);
  CHECK_EQ("ImageNumberLow", shared->ImageNumberLow, 0x14c);
  CHECK_EQ("NtProductType", shared->NtProductType, NtProductWinNt);
  CHECK_EQ("NtSystemRoot", shared->NtSystemRoot[0], 'C');
  if (ram_pages) CHECK_EQ("NumberOfPhysicalPages", shared->NumberOfPhysicalPages, ram_pages);
  /* SystemTime is after 2024-01-01 (133,485,408,000,000,000 in 100 ns units since 1601). */
  CHECK_TRUE("SystemTime is today's", MmsReadSystemTime(&shared->SystemTime) > 133485408000000000ULL);

  /* The clock moves while the guest runs; TickCount counts 15.625 ms ticks of InterruptTime. */
  /* Read together: every printf enters the kernel, which moves the clock on. */
  ULONGLONG interrupt1 = MmsReadSystemTime(&shared->InterruptTime);
  ULONGLONG ticks1 = shared->TickCountQuad;
  ULONG ticks_low = shared->TickCountLowDeprecated;
  CHECK_EQ("TickCount = InterruptTime / 156250", ticks1, interrupt1 / 156250);
  CHECK_EQ("TickCountLowDeprecated = TickCount", ticks_low, (ULONG)ticks1);
  ULONGLONG interrupt2 = interrupt1;
  for (int i = 0; i < 100000 && interrupt2 - interrupt1 < 400000; i++) {   /* up to 40 ms of system calls */
    VirtualQuery(top, &info, sizeof info);
    interrupt2 = MmsReadSystemTime(&shared->InterruptTime);
  }
  ULONGLONG ticks2 = shared->TickCountQuad;   /* before the next printf moves the clock on */
  CHECK_TRUE("InterruptTime moves on as the guest runs", interrupt2 - interrupt1 >= 400000);
  CHECK_TRUE("TickCount moves on with it", ticks2 > ticks1);
  ULONG ms = (ULONG)((ticks2 * shared->TickCountMultiplier) >> 24);
  CHECK_TRUE("GetTickCount's formula agrees with InterruptTime to a tick",
             interrupt2 / 10000 - ms <= 16);

  /* Sleep moves the kernel's clock on at once; the page shows it when Sleep returns. */
  ULONGLONG before_sleep = MmsReadSystemTime(&shared->InterruptTime);
  Sleep(1000);
  ULONGLONG after_sleep = MmsReadSystemTime(&shared->InterruptTime);
  CHECK_TRUE("InterruptTime after Sleep(1000) is at least 1 s later", after_sleep - before_sleep >= 10000000);

  /* Read-only: a write raises an access violation naming the address. */
  AddVectoredExceptionHandler(1, longjmp_handler);
  if (!setjmp(recover)) { shared->NtMajorVersion = 5; }
  CHECK_EQ("writing KUSER_SHARED_DATA: access violation", seen_code, EXCEPTION_ACCESS_VIOLATION);
  CHECK_EQ("a write", seen_info[0], 1);
  CHECK_EQ("at the field", seen_info[1], 0x7ffe026c);
  CHECK_EQ("and the page is unchanged", shared->NtMajorVersion, 10);
  seen_code = 0;
  if (!setjmp(recover)) { (void)*(volatile int *)0x7ffe1000; }
  CHECK_EQ("reading the reserved page after it: access violation", seen_code, EXCEPTION_ACCESS_VIOLATION);
  return CHECK_DONE();
}
