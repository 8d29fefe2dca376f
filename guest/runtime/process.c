/* Processes, as kernel32 builds them on the NT services: CreateProcessA on
   NtCreateUserProcess (the kernel maps the program, builds the stack, PEB and
   TEB), OpenProcess, TerminateProcess, GetExitCodeProcess, GetProcessId,
   ReadProcessMemory and WriteProcessMemory on NtReadVirtualMemory and
   NtWriteVirtualMemory, and MapViewOfFile2 (a view in another process). */
#include <windows.h>
#include <ntdll.h>
#include <winternl.h>
#include <string.h>
#include "kernel32-internal.h"

#define MAXIMUM_ALLOWED 0x02000000
#define MAX_COMMAND_LINE 32768   /* CreateProcess's limit, in characters */

#define MAX_IMAGE_PATH 1024
static WCHAR image_buffer[MAX_IMAGE_PATH];
static WCHAR command_buffer[MAX_COMMAND_LINE];

/* An ANSI string widened into `buffer` as a UNICODE_STRING (the SDK's strings are ASCII). */
static BOOL widen(UNICODE_STRING *out, WCHAR *buffer, SIZE_T capacity, const char *text, SIZE_T length) {
  if (length >= capacity || length * 2 > 0xFFFC) return FALSE;
  for (SIZE_T i = 0; i < length; i++) buffer[i] = (WCHAR)(unsigned char)text[i];
  buffer[length] = 0;
  out->Buffer = buffer;
  out->Length = (USHORT)(length * 2);
  out->MaximumLength = (USHORT)(length * 2 + 2);
  return TRUE;
}

/* Without lpApplicationName the program is the command line's first token: quoted, or up to a space. */
static SIZE_T program_in_command_line(const char *line, const char **start) {
  if (*line == '"') {
    const char *end = strchr(line + 1, '"');
    *start = line + 1;
    return end ? (SIZE_T)(end - line - 1) : strlen(line + 1);
  }
  *start = line;
  return strcspn(line, " \t");
}

BOOL WINAPI CreateProcessA(LPCSTR application, LPSTR command_line, LPSECURITY_ATTRIBUTES process_attributes,
                           LPSECURITY_ATTRIBUTES thread_attributes, BOOL inherit_handles, DWORD flags,
                           LPVOID environment, LPCSTR current_directory, LPSTARTUPINFOA startup,
                           LPPROCESS_INFORMATION information) {
  (void)process_attributes; (void)thread_attributes; (void)inherit_handles; (void)environment; (void)current_directory; (void)startup;
  if (!application && !command_line) { SetLastError(ERROR_INVALID_PARAMETER); return FALSE; }
  const char *program = application;
  SIZE_T program_length = application ? strlen(application) : program_in_command_line(command_line, &program);
  const char *line = command_line ? command_line : application;
  RTL_USER_PROCESS_PARAMETERS parameters;
  memset(&parameters, 0, sizeof parameters);
  parameters.MaximumLength = parameters.Length = sizeof parameters;
  if (!widen(&parameters.ImagePathName, image_buffer, MAX_IMAGE_PATH, program, program_length)
      || !widen(&parameters.CommandLine, command_buffer, MAX_COMMAND_LINE, line, strlen(line))) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return FALSE;
  }
  MMS_CLIENT_ID client_id = { 0, 0 };
  PS_ATTRIBUTE_LIST attributes;
  attributes.TotalLength = sizeof attributes;
  attributes.Attributes[0].Attribute = PS_ATTRIBUTE_CLIENT_ID;
  attributes.Attributes[0].Size = sizeof client_id;
  attributes.Attributes[0].Value = (ULONG_PTR)&client_id;
  attributes.Attributes[0].ReturnLength = NULL;
  HANDLE process, thread;
  NTSTATUS status = NtCreateUserProcess(&process, &thread, MAXIMUM_ALLOWED, MAXIMUM_ALLOWED, NULL, NULL, 0,
                                        (flags & CREATE_SUSPENDED) ? THREAD_CREATE_FLAGS_CREATE_SUSPENDED : 0,
                                        &parameters, NULL, &attributes);
  if (!mms_succeeded(status)) return FALSE;
  information->hProcess = process;
  information->hThread = thread;
  information->dwProcessId = (DWORD)(ULONG_PTR)client_id.UniqueProcess;
  information->dwThreadId = (DWORD)(ULONG_PTR)client_id.UniqueThread;
  return TRUE;
}

HANDLE WINAPI OpenProcess(DWORD access, BOOL inherit, DWORD id) {
  (void)inherit;
  MMS_CLIENT_ID client_id = { (HANDLE)(ULONG_PTR)id, 0 };
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, NULL, 0, NULL, NULL);
  HANDLE process;
  if (!mms_succeeded(NtOpenProcess(&process, access, &attributes, &client_id))) return NULL;
  return process;
}

/* NULL would be the caller itself to NtTerminateProcess: kernel32 refuses it first. */
BOOL WINAPI TerminateProcess(HANDLE process, UINT code) {
  if (!process) { SetLastError(ERROR_INVALID_HANDLE); return FALSE; }
  return mms_succeeded(NtTerminateProcess(process, (NTSTATUS)code));
}

static BOOL basic_information(HANDLE process, PROCESS_BASIC_INFORMATION *info) {
  return mms_succeeded(NtQueryInformationProcess(process, ProcessBasicInformation, info, sizeof *info, NULL));
}

/* STILL_ACTIVE (259) while the process runs. */
BOOL WINAPI GetExitCodeProcess(HANDLE process, LPDWORD code) {
  PROCESS_BASIC_INFORMATION info;
  if (!basic_information(process, &info)) return FALSE;
  *code = (DWORD)info.ExitStatus;
  return TRUE;
}

DWORD WINAPI GetProcessId(HANDLE process) {
  PROCESS_BASIC_INFORMATION info;
  return basic_information(process, &info) ? (DWORD)info.UniqueProcessId : 0;
}

/* A partial copy fails with ERROR_PARTIAL_COPY and still says how many bytes were copied. */
BOOL WINAPI ReadProcessMemory(HANDLE process, LPCVOID base, LPVOID buffer, SIZE_T size, SIZE_T *read) {
  SIZE_T copied = 0;
  NTSTATUS status = NtReadVirtualMemory(process, (PVOID)base, buffer, size, &copied);
  if (read) *read = copied;
  return mms_succeeded(status);
}

static BOOL write_memory(HANDLE process, LPVOID base, LPCVOID buffer, SIZE_T size, SIZE_T *written) {
  SIZE_T copied = 0;
  NTSTATUS status = NtWriteVirtualMemory(process, base, buffer, size, &copied);
  if (written) *written = copied;
  return mms_succeeded(status);
}

#define WRITABLE_PROTECTIONS (PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)

/* As kernel32 does it (ReactOS's kernel32 records Windows' behaviour): make the range writable for
   the copy and put the protection back; a read-only or no-access range is refused with
   ERROR_NOACCESS (STATUS_ACCESS_VIOLATION), an executable one written and restored. */
BOOL WINAPI WriteProcessMemory(HANDLE process, LPVOID base, LPCVOID buffer, SIZE_T size, SIZE_T *written) {
  PVOID region_base = base;
  SIZE_T region_size = size;
  ULONG old;
  NTSTATUS status = NtProtectVirtualMemory(process, &region_base, &region_size, PAGE_EXECUTE_READWRITE, &old);
  if (!NT_SUCCESS(status)) return write_memory(process, base, buffer, size, written);
  if (old & WRITABLE_PROTECTIONS) {
    NtProtectVirtualMemory(process, &region_base, &region_size, old, &old);
    return write_memory(process, base, buffer, size, written);
  }
  if (old & (PAGE_NOACCESS | PAGE_READONLY)) {
    NtProtectVirtualMemory(process, &region_base, &region_size, old, &old);
    SetLastError(ERROR_NOACCESS);
    return FALSE;
  }
  BOOL ok = write_memory(process, base, buffer, size, written);
  NtProtectVirtualMemory(process, &region_base, &region_size, old, &old);
  return ok;
}

PVOID WINAPI MapViewOfFile2(HANDLE section, HANDLE process, ULONGLONG offset, PVOID base, SIZE_T size, ULONG type, ULONG protect) {
  LARGE_INTEGER section_offset;
  section_offset.QuadPart = (LONGLONG)offset;
  PVOID address = base;
  SIZE_T view_size = size;
  if (!mms_succeeded(NtMapViewOfSection(section, process, &address, 0, 0, &section_offset, &view_size, ViewUnmap, type, protect))) return NULL;
  return address;
}

BOOL WINAPI UnmapViewOfFile2(HANDLE process, PVOID base, ULONG flags) {
  (void)flags;
  return mms_succeeded(NtUnmapViewOfSection(process, base));
}
