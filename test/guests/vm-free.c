/* VirtualFree / NtFreeVirtualMemory: decommit gives commit back and frames
   back; release only at the allocation base with size 0 or the whole size. */
#include <windows.h>
#include <ntdll.h>
#include "check.h"

static NTSTATUS nt_free(PVOID base, SIZE_T size, ULONG type, PVOID *out_base, SIZE_T *out_size) {
  PVOID b = base;
  SIZE_T s = size;
  NTSTATUS status = NtFreeVirtualMemory(NtCurrentProcess(), &b, &s, type);
  if (out_base) *out_base = b;
  if (out_size) *out_size = s;
  return status;
}

int main(void) {
  char *r = VirtualAlloc(NULL, 0x10000, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
  for (int i = 0; i < 16; i++) r[i * 4096] = (char)i;
  PVOID base; SIZE_T size;

  CHECK_EQ("decommit two pages", nt_free(r + 0x1010, 0x1000, MEM_DECOMMIT, &base, &size), STATUS_SUCCESS);
  CHECK_EQ("decommit: base rounded down", base, r + 0x1000);
  CHECK_EQ("decommit: size covers both pages", size, 0x2000);
  MEMORY_BASIC_INFORMATION mbi;
  VirtualQuery(r + 0x1000, &mbi, sizeof mbi);
  CHECK_EQ("decommitted: state", mbi.State, MEM_RESERVE);
  CHECK_EQ("decommitted: region", mbi.RegionSize, 0x2000);
  VirtualQuery(r, &mbi, sizeof mbi);
  CHECK_EQ("before: still committed", mbi.State, MEM_COMMIT);
  CHECK_EQ("before: one page", mbi.RegionSize, 0x1000);

  CHECK_EQ("decommit again is fine", nt_free(r + 0x1000, 0x1000, MEM_DECOMMIT, 0, 0), STATUS_SUCCESS);
  CHECK_TRUE("recommit", VirtualAlloc(r + 0x1000, 0x1000, MEM_COMMIT, PAGE_READWRITE) != NULL);
  CHECK_EQ("recommitted page is zero again", r[0x1000], 0);

  CHECK_EQ("decommit size 0 from the middle: to the end", nt_free(r + 0x8000, 0, MEM_DECOMMIT, &base, &size), STATUS_SUCCESS);
  CHECK_EQ("decommit size 0: size", size, 0x8000);

  CHECK_EQ("release not at base", nt_free(r + 0x1000, 0, MEM_RELEASE, 0, 0), STATUS_FREE_VM_NOT_AT_BASE);
  CHECK_EQ("release part", nt_free(r, 0x1000, MEM_RELEASE, 0, 0), STATUS_UNABLE_TO_FREE_VM);
  CHECK_EQ("decommit past the end", nt_free(r + 0xf000, 0x2000, MEM_DECOMMIT, 0, 0), STATUS_UNABLE_TO_FREE_VM);
  CHECK_EQ("both free types", nt_free(r, 0, MEM_RELEASE | MEM_DECOMMIT, 0, 0), STATUS_INVALID_PARAMETER_4);
  CHECK_EQ("no free type", nt_free(r, 0, 0, 0, 0), STATUS_INVALID_PARAMETER_4);
  CHECK_EQ("free type MEM_COMMIT", nt_free(r, 0, MEM_COMMIT, 0, 0), STATUS_INVALID_PARAMETER_4);
  CHECK_EQ("free unallocated", nt_free((PVOID)0x50000000, 0, MEM_RELEASE, 0, 0), STATUS_MEMORY_NOT_ALLOCATED);
  CHECK_EQ("free kernel address", nt_free((PVOID)0x80000000, 0, MEM_RELEASE, 0, 0), STATUS_INVALID_PARAMETER_2);
  CHECK_EQ("free the image", nt_free((PVOID)0x00400000, 0, MEM_RELEASE, 0, 0), STATUS_UNABLE_TO_DELETE_SECTION);

  CHECK_EQ("release whole size", nt_free(r, 0x10000, MEM_RELEASE, &base, &size), STATUS_SUCCESS);
  CHECK_EQ("release: base", base, r);
  CHECK_EQ("release: size", size, 0x10000);
  VirtualQuery(r, &mbi, sizeof mbi);
  CHECK_EQ("released: free", mbi.State, MEM_FREE);
  CHECK_EQ("released: PAGE_NOACCESS", mbi.Protect, PAGE_NOACCESS);

  char *s = VirtualAlloc(NULL, 0x3000, MEM_COMMIT, PAGE_READWRITE);
  s[0] = 1;
  CHECK_TRUE("VirtualFree MEM_RELEASE size 0", VirtualFree(s, 0, MEM_RELEASE));
  CHECK_TRUE("VirtualFree again fails", !VirtualFree(s, 0, MEM_RELEASE));
  CHECK_EQ("ERROR_INVALID_ADDRESS", GetLastError(), ERROR_INVALID_ADDRESS);
  char *t = VirtualAlloc(NULL, 0x3000, MEM_COMMIT, PAGE_READWRITE);
  CHECK_TRUE("kernel32 VirtualFree MEM_RELEASE with a size fails", !VirtualFree(t, 0x3000, MEM_RELEASE));
  CHECK_EQ("ERROR_INVALID_PARAMETER", GetLastError(), ERROR_INVALID_PARAMETER);
  return CHECK_DONE();
}
