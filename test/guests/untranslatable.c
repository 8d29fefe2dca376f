/* Far call and far jump through a register (ff /3, ff /5 with mod 3): a real
   CPU raises #UD for every one of them. The program writes each encoding,
   bare and behind prefixes, into a PAGE_EXECUTE_READWRITE buffer (so the
   bytes exist only after the program ran: nothing could have looked at them
   when the page became valid), calls it, and counts the STATUS_ILLEGAL_INSTRUCTION
   its handler steps over. Each piece of code is `[prefixes] ff modrm; ret`.
   "one" runs a single `ff ee` without a handler (the process ends). */
#include <windows.h>
#include <stdio.h>
#include <string.h>

static int caught;
static DWORD last_eip;
static BYTE *buffer;

static LONG WINAPI skip_handler(PEXCEPTION_POINTERS info) {
  if (info->ExceptionRecord->ExceptionCode != STATUS_ILLEGAL_INSTRUCTION) return EXCEPTION_CONTINUE_SEARCH;
  last_eip = info->ContextRecord->Eip;
  /* Step over the prefixes, the ff and the ModRM: ret is next. */
  BYTE *at = (BYTE *)info->ContextRecord->Eip;
  while (*at != 0xff) at++;
  info->ContextRecord->Eip = (DWORD)(at + 2);
  caught++;
  return EXCEPTION_CONTINUE_EXECUTION;
}

static void run_at(BYTE *code, const BYTE *prefixes, int prefix_count, BYTE modrm) {
  memcpy(code, prefixes, prefix_count);
  code[prefix_count] = 0xff;
  code[prefix_count + 1] = modrm;
  code[prefix_count + 2] = 0xc3; /* ret */
  ((void (*)(void))code)();
  if (last_eip != (DWORD)code) printf("FAIL: #UD at %lx, expected %lx\n", (unsigned long)last_eip, (unsigned long)(DWORD)code);
}

int main(int argc, char **argv) {
  buffer = VirtualAlloc(NULL, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
  if (argc > 1 && !strcmp(argv[1], "one")) {
    buffer[0] = 0xff; buffer[1] = 0xee;
    ((void (*)(void))buffer)();
    printf("survived\n");
    return 0;
  }
  AddVectoredExceptionHandler(1, skip_handler);
  static const BYTE prefix_sets[][3] = { {0}, {0x66}, {0xf3}, {0x2e, 0x66} };
  static const int prefix_counts[] = { 0, 1, 1, 2 };
  int expected = 0;
  for (int set = 0; set < 4; set++) {
    for (int reg = 3; reg <= 5; reg += 2) {
      for (int rm = 0; rm < 8; rm++) {
        BYTE modrm = (BYTE)(0xc0 | (reg << 3) | rm);
        /* Once at the start of the buffer, once at the start of the second page (a block that starts on a page). */
        run_at(buffer + 16 * (rm + 8 * set), prefix_sets[set], prefix_counts[set], modrm);
        run_at(buffer + 0x1000, prefix_sets[set], prefix_counts[set], modrm);
        expected += 2;
      }
    }
  }
  /* The same place again, now with a plain instruction: no #UD is left behind. */
  buffer[0] = 0x90; buffer[1] = 0xc3;
  ((void (*)(void))buffer)();
  printf("caught %d of %d\n", caught, expected);
  return caught == expected ? 0 : 1;
}
