/* kernel32's synchronisation over the NT services: events, mutexes,
   semaphores and waits (critical sections are in critical-section.c). */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>
#include "kernel32-internal.h"

/* Named objects live under \BaseNamedObjects; kernel32 creates with OBJ_OPENIF and
   reports an existing object with ERROR_ALREADY_EXISTS. */
static BOOL named_attributes(OBJECT_ATTRIBUTES *attributes, MMS_NAME_BUFFER *name, LPCSTR text) {
  if (text && !mms_make_name(name, MMS_NAMED_OBJECTS, text)) return FALSE;
  InitializeObjectAttributes(attributes, text ? &name->string : NULL, OBJ_OPENIF, NULL, NULL);
  return TRUE;
}

static HANDLE created(NTSTATUS status, HANDLE handle) {
  if (!mms_succeeded(status)) return NULL;
  SetLastError(status == STATUS_OBJECT_NAME_EXISTS ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return handle;
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES security, BOOL manual_reset, BOOL initial_state, LPCSTR name_text) {
  (void)security;
  MMS_NAME_BUFFER name;
  OBJECT_ATTRIBUTES attributes;
  if (!named_attributes(&attributes, &name, name_text)) return NULL;
  HANDLE event;
  NTSTATUS status = NtCreateEvent(&event, EVENT_ALL_ACCESS, &attributes, manual_reset ? NotificationEvent : SynchronizationEvent, initial_state != 0);
  return created(status, event);
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES security, BOOL manual_reset, BOOL initial_state, PCWSTR name_text) {
  char ascii[MMS_MAX_NAME + 1];
  if (name_text) {
    unsigned i = 0;
    for (; name_text[i]; i++) {
      if (i == MMS_MAX_NAME || name_text[i] > 0x7f) { SetLastError(ERROR_INVALID_NAME); return NULL; }
      ascii[i] = (char)name_text[i];
    }
    ascii[i] = 0;
  }
  return CreateEventA(security, manual_reset, initial_state, name_text ? ascii : NULL);
}

typedef NTSTATUS (NTAPI *OPEN_SERVICE)(PHANDLE, ULONG, POBJECT_ATTRIBUTES);

static HANDLE open_named(OPEN_SERVICE open, DWORD access, LPCSTR name_text) {
  if (!name_text) { SetLastError(ERROR_INVALID_PARAMETER); return NULL; }
  MMS_NAME_BUFFER name;
  OBJECT_ATTRIBUTES attributes;
  if (!named_attributes(&attributes, &name, name_text)) return NULL;
  HANDLE handle;
  return mms_succeeded(open(&handle, access, &attributes)) ? handle : NULL;
}

HANDLE WINAPI OpenEventA(DWORD access, BOOL inherit, LPCSTR name) { (void)inherit; return open_named(NtOpenEvent, access, name); }
HANDLE WINAPI OpenMutexA(DWORD access, BOOL inherit, LPCSTR name) { (void)inherit; return open_named(NtOpenMutant, access, name); }
HANDLE WINAPI OpenSemaphoreA(DWORD access, BOOL inherit, LPCSTR name) { (void)inherit; return open_named(NtOpenSemaphore, access, name); }

BOOL WINAPI SetEvent(HANDLE event) { return mms_succeeded(NtSetEvent(event, NULL)); }
BOOL WINAPI ResetEvent(HANDLE event) { return mms_succeeded(NtResetEvent(event, NULL)); }
BOOL WINAPI PulseEvent(HANDLE event) { return mms_succeeded(NtPulseEvent(event, NULL)); }

HANDLE WINAPI CreateMutexA(LPSECURITY_ATTRIBUTES security, BOOL initial_owner, LPCSTR name_text) {
  (void)security;
  MMS_NAME_BUFFER name;
  OBJECT_ATTRIBUTES attributes;
  if (!named_attributes(&attributes, &name, name_text)) return NULL;
  HANDLE mutex;
  NTSTATUS status = NtCreateMutant(&mutex, MUTEX_ALL_ACCESS, &attributes, initial_owner != 0);
  return created(status, mutex);
}

BOOL WINAPI ReleaseMutex(HANDLE mutex) { return mms_succeeded(NtReleaseMutant(mutex, NULL)); }

HANDLE WINAPI CreateSemaphoreA(LPSECURITY_ATTRIBUTES security, LONG initial_count, LONG maximum_count, LPCSTR name_text) {
  (void)security;
  MMS_NAME_BUFFER name;
  OBJECT_ATTRIBUTES attributes;
  if (!named_attributes(&attributes, &name, name_text)) return NULL;
  HANDLE semaphore;
  NTSTATUS status = NtCreateSemaphore(&semaphore, SEMAPHORE_ALL_ACCESS, &attributes, initial_count, maximum_count);
  return created(status, semaphore);
}

BOOL WINAPI ReleaseSemaphore(HANDLE semaphore, LONG count, LONG *previous) {
  return mms_succeeded(NtReleaseSemaphore(semaphore, count, previous));
}

/* Milliseconds to the kernel's timeout: INFINITE is no timeout (NULL), else relative 100 ns units. */
static PLARGE_INTEGER timeout_of(LARGE_INTEGER *timeout, DWORD milliseconds) {
  if (milliseconds == INFINITE) return NULL;
  timeout->QuadPart = -(LONGLONG)milliseconds * 10000;
  return timeout;
}

/* WAIT_OBJECT_0 + n, WAIT_ABANDONED_0 + n, WAIT_TIMEOUT, or WAIT_FAILED with the error. */
static DWORD wait_result(NTSTATUS status) {
  if (!NT_SUCCESS(status)) { mms_succeeded(status); return WAIT_FAILED; }
  return (DWORD)status;
}

DWORD WINAPI WaitForSingleObject(HANDLE handle, DWORD milliseconds) {
  LARGE_INTEGER timeout;
  return wait_result(NtWaitForSingleObject(handle, FALSE, timeout_of(&timeout, milliseconds)));
}

DWORD WINAPI WaitForMultipleObjects(DWORD count, const HANDLE *handles, BOOL wait_all, DWORD milliseconds) {
  if (count == 0 || count > MAXIMUM_WAIT_OBJECTS) { SetLastError(ERROR_INVALID_PARAMETER); return WAIT_FAILED; }
  LARGE_INTEGER timeout;
  return wait_result(NtWaitForMultipleObjects(count, handles, wait_all ? WaitAll : WaitAny, FALSE, timeout_of(&timeout, milliseconds)));
}
