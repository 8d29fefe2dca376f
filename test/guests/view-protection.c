/* Protection of pages in views of sections, per view, as on Windows (Wine's
   test_MapViewOfFile, WRK's MiProtectVirtualMemory): a commit inside a view
   of a SEC_RESERVE section gives that view's pages the protection it asked
   for while another view keeps the section's; VirtualProtect works inside a
   data view within what the view's protection allows, and VirtualQuery
   splits the view into regions. */
#include <windows.h>
#include <ntdll.h>
#include <setjmp.h>
#include <string.h>
#include "check.h"

#define PAGE 4096
static jmp_buf recover;
static DWORD seen_code;

static LONG WINAPI longjmp_handler(PEXCEPTION_POINTERS info) {
  seen_code = info->ExceptionRecord->ExceptionCode;
  longjmp(recover, 1);
}

/* 0 if the access worked, else the exception code. */
static DWORD try_write(volatile char *p, char value) {
  seen_code = 0;
  if (!setjmp(recover)) *p = value;
  return seen_code;
}
static DWORD try_read(volatile char *p) {
  seen_code = 0;
  if (!setjmp(recover)) (void)*p;
  return seen_code;
}

static void check_region(const char *name, void *address, SIZE_T size, DWORD state, DWORD protect) {
  MEMORY_BASIC_INFORMATION info;
  char label[96];
  VirtualQuery(address, &info, sizeof info);
  snprintf(label, sizeof label, "%s: BaseAddress", name); CHECK_EQ(label, info.BaseAddress, address);
  snprintf(label, sizeof label, "%s: RegionSize", name); CHECK_EQ(label, info.RegionSize, size);
  snprintf(label, sizeof label, "%s: State", name); CHECK_EQ(label, info.State, state);
  snprintf(label, sizeof label, "%s: Protect", name); CHECK_EQ(label, info.Protect, protect);
  snprintf(label, sizeof label, "%s: Type", name); CHECK_EQ(label, info.Type, MEM_MAPPED);
}

static NTSTATUS nt_protect(void *address, SIZE_T size, ULONG protect) {
  PVOID base = address; ULONG old;
  return NtProtectVirtualMemory(NtCurrentProcess(), &base, &size, protect, &old);
}

int main(void) {
  DWORD old;
  AddVectoredExceptionHandler(1, longjmp_handler);

  /* SEC_RESERVE: the commit's protection belongs to the committing view. */
  HANDLE reserve = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0, 4 * PAGE, NULL);
  char *v1 = MapViewOfFile(reserve, FILE_MAP_WRITE, 0, 0, 0), *v2 = MapViewOfFile(reserve, FILE_MAP_WRITE, 0, 0, 0);
  CHECK_TRUE("two views of a SEC_RESERVE section", v1 && v2);
  CHECK_TRUE("commit one page read-only in view 1", VirtualAlloc(v1, PAGE, MEM_COMMIT, PAGE_READONLY) == v1);
  check_region("view 1 page 0", v1, PAGE, MEM_COMMIT, PAGE_READONLY);
  check_region("view 1 rest", v1 + PAGE, 3 * PAGE, MEM_RESERVE, 0);
  check_region("view 2 page 0", v2, PAGE, MEM_COMMIT, PAGE_READWRITE);
  CHECK_EQ("view 2 writes", try_write(v2 + 10, 7), 0);
  CHECK_EQ("view 1 reads what view 2 wrote", v1[10], 7);
  CHECK_EQ("view 1 may not write", try_write(v1 + 10, 8), EXCEPTION_ACCESS_VIOLATION);
  PVOID base = v1 + PAGE; SIZE_T size = PAGE;
  CHECK_EQ("commit beyond what the section allows: STATUS_SECTION_PROTECTION",
           NtAllocateVirtualMemory(NtCurrentProcess(), &base, 0, &size, MEM_COMMIT, PAGE_EXECUTE_READWRITE), STATUS_SECTION_PROTECTION);
  CHECK_EQ("VirtualProtect on an uncommitted page: STATUS_NOT_COMMITTED", nt_protect(v1 + 2 * PAGE, PAGE, PAGE_READONLY), STATUS_NOT_COMMITTED);
  UnmapViewOfFile(v1); UnmapViewOfFile(v2); CloseHandle(reserve);

  /* VirtualProtect inside a read-write view of a committed section. */
  HANDLE section = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4 * PAGE, NULL);
  char *view = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0), *other = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  for (int i = 0; i < 4; i++) view[i * PAGE] = (char)(0x10 + i);
  CHECK_TRUE("PAGE_READONLY on page 1", VirtualProtect(view + PAGE, PAGE, PAGE_READONLY, &old));
  CHECK_EQ("old protection", old, PAGE_READWRITE);
  check_region("page 0", view, PAGE, MEM_COMMIT, PAGE_READWRITE);
  check_region("page 1", view + PAGE, PAGE, MEM_COMMIT, PAGE_READONLY);
  check_region("pages 2-3", view + 2 * PAGE, 2 * PAGE, MEM_COMMIT, PAGE_READWRITE);
  CHECK_EQ("page 1 refuses writes", try_write(view + PAGE, 1), EXCEPTION_ACCESS_VIOLATION);
  CHECK_EQ("and keeps its data", view[PAGE], 0x11);
  CHECK_EQ("the other view still writes it", try_write(other + PAGE, 0x21), 0);
  CHECK_EQ("which this view reads", view[PAGE], 0x21);

  CHECK_TRUE("PAGE_WRITECOPY on page 2", VirtualProtect(view + 2 * PAGE, PAGE, PAGE_WRITECOPY, &old));
  check_region("page 2 write-copy", view + 2 * PAGE, PAGE, MEM_COMMIT, PAGE_WRITECOPY);
  CHECK_EQ("writing page 2 makes a private copy", try_write(view + 2 * PAGE, 0x42), 0);
  CHECK_EQ("this view sees its copy", view[2 * PAGE], 0x42);
  CHECK_EQ("the other view does not", other[2 * PAGE], 0x12);
  check_region("page 2 after the copy, merged with page 3", view + 2 * PAGE, 2 * PAGE, MEM_COMMIT, PAGE_READWRITE);

  CHECK_TRUE("PAGE_NOACCESS on page 0", VirtualProtect(view, PAGE, PAGE_NOACCESS, &old));
  CHECK_EQ("reading it faults", try_read(view), EXCEPTION_ACCESS_VIOLATION);
  CHECK_TRUE("back to PAGE_READWRITE", VirtualProtect(view, PAGE, PAGE_READWRITE, &old));
  CHECK_EQ("old protection PAGE_NOACCESS", old, PAGE_NOACCESS);
  CHECK_EQ("the data is still there", view[0], 0x10);

  CHECK_TRUE("PAGE_GUARD on page 3", VirtualProtect(view + 3 * PAGE, PAGE, PAGE_READWRITE | PAGE_GUARD, &old));
  check_region("page 3 guarded", view + 3 * PAGE, PAGE, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
  CHECK_EQ("the first touch: guard page violation", try_read(view + 3 * PAGE), STATUS_GUARD_PAGE_VIOLATION);
  CHECK_EQ("the second works", try_read(view + 3 * PAGE), 0);
  check_region("page 3 unguarded", view + 3 * PAGE, PAGE, MEM_COMMIT, PAGE_READWRITE);

  /* A read-only view allows no more than reading (and write-copy). */
  char *ro = MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0);
  CHECK_EQ("PAGE_READWRITE on a read-only view: STATUS_SECTION_PROTECTION", nt_protect(ro, PAGE, PAGE_READWRITE), STATUS_SECTION_PROTECTION);
  CHECK_EQ("PAGE_EXECUTE_READ on a read-only view: STATUS_SECTION_PROTECTION", nt_protect(ro, PAGE, PAGE_EXECUTE_READ), STATUS_SECTION_PROTECTION);
  SetLastError(0);
  CHECK_TRUE("VirtualProtect says no", !VirtualProtect(ro, PAGE, PAGE_READWRITE, &old));
  CHECK_EQ("with ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  CHECK_EQ("PAGE_WRITECOPY on a read-only view is allowed", nt_protect(ro, PAGE, PAGE_WRITECOPY), STATUS_SUCCESS);
  CHECK_EQ("PAGE_NOACCESS too", nt_protect(ro + PAGE, PAGE, PAGE_NOACCESS), STATUS_SUCCESS);
  CHECK_EQ("the image: within its EXECUTE_WRITECOPY (image-protect.c has the rest)", nt_protect((void *)GetModuleHandleA(NULL), PAGE, PAGE_EXECUTE_READ), STATUS_SUCCESS);
  UnmapViewOfFile(ro); UnmapViewOfFile(other); UnmapViewOfFile(view); CloseHandle(section);
  return CHECK_DONE();
}
