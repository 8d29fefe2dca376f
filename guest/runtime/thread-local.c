/* Thread-local storage slots as Windows keeps them: each thread's 64 values
   in its TEB (TlsSlots at 0xE10), the process's allocation bitmap in the
   PEB (TlsBitmapBits at 0x44), so the program and every module share one
   set of indexes. A new thread's slots start at NULL, as on Windows. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>

#define TLS_SLOTS 64

static ULONG *allocation_bits(void) { return NtCurrentTeb()->ProcessEnvironmentBlock->TlsBitmapBits; }

/* The bit is taken with an atomic or (lock or), so two threads never get the same index. */
DWORD WINAPI TlsAlloc(void) {
  ULONG *bits = allocation_bits();
  for (DWORD index = 0; index < TLS_SLOTS; index++) {
    ULONG mask = 1ul << (index % 32);
    if (bits[index / 32] & mask) continue;
    if (__sync_fetch_and_or(&bits[index / 32], mask) & mask) continue;
    NtCurrentTeb()->TlsSlots[index] = NULL;
    return index;
  }
  SetLastError(ERROR_NO_MORE_ITEMS);
  return TLS_OUT_OF_INDEXES;
}

static BOOL allocated(DWORD index) {
  if (index < TLS_SLOTS && (allocation_bits()[index / 32] & (1ul << (index % 32)))) return TRUE;
  SetLastError(ERROR_INVALID_PARAMETER);
  return FALSE;
}

/* As Windows: the slot is cleared in every thread (NtSetInformationThread(ThreadZeroTlsCell)), then freed. */
BOOL WINAPI TlsFree(DWORD index) {
  if (!allocated(index)) return FALSE;
  NtSetInformationThread(NtCurrentThread(), ThreadZeroTlsCell, &index, sizeof index);
  __sync_fetch_and_and(&allocation_bits()[index / 32], ~(1ul << (index % 32)));
  return TRUE;
}

/* A successful read sets ERROR_SUCCESS, so a NULL value can be told from a failure, as Windows does. */
LPVOID WINAPI TlsGetValue(DWORD index) {
  if (index >= TLS_SLOTS) { SetLastError(ERROR_INVALID_PARAMETER); return NULL; }
  SetLastError(ERROR_SUCCESS);
  return NtCurrentTeb()->TlsSlots[index];
}

BOOL WINAPI TlsSetValue(DWORD index, LPVOID value) {
  if (index >= TLS_SLOTS) { SetLastError(ERROR_INVALID_PARAMETER); return FALSE; }
  NtCurrentTeb()->TlsSlots[index] = value;
  return TRUE;
}
