/* kernel32's code-page conversions for the two code pages a program meets
   here: the ANSI code page, Windows-1252 (GetACP), and UTF-8. 1252 is one
   byte per character (IsDBCSLeadByte is always FALSE); its five undefined
   bytes convert to the control characters of the same value, as Windows'
   table does. Lengths are in characters of each side; -1 means "up to and
   including the terminating NUL"; a destination size of 0 asks for the
   size needed. Other code pages fail with ERROR_INVALID_PARAMETER. */
#include <windows.h>
#include <string.h>

/* U+0080..U+009F for the bytes 0x80..0x9F of Windows-1252 (the rest are Latin-1). */
static const WCHAR cp1252_high[32] = {
  0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
  0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

#define REPLACEMENT_CHARACTER 0xFFFD

UINT WINAPI GetACP(void) { return 1252; }
UINT WINAPI GetOEMCP(void) { return 437; }
BOOL WINAPI IsDBCSLeadByteEx(UINT code_page, BYTE byte) { (void)code_page; (void)byte; return FALSE; }
BOOL WINAPI IsDBCSLeadByte(BYTE byte) { (void)byte; return FALSE; }

static int is_ansi(UINT code_page) { return code_page == CP_ACP || code_page == 1252; }

/* Where converted characters go: counted always, stored while there is room. */
typedef struct { WCHAR *wide; char *narrow; int capacity, count; BOOL overflow; } OUTPUT;

static void put_wide(OUTPUT *out, WCHAR c) {
  if (out->capacity) { if (out->count < out->capacity) out->wide[out->count] = c; else out->overflow = TRUE; }
  out->count++;
}

static void put_narrow(OUTPUT *out, char c) {
  if (out->capacity) { if (out->count < out->capacity) out->narrow[out->count] = c; else out->overflow = TRUE; }
  out->count++;
}

static void put_code_point(OUTPUT *out, ULONG c) {
  if (c < 0x10000) { put_wide(out, (WCHAR)c); return; }
  c -= 0x10000;
  put_wide(out, (WCHAR)(0xD800 + (c >> 10)));
  put_wide(out, (WCHAR)(0xDC00 + (c & 0x3FF)));
}

/* One UTF-8 sequence from `in` (at most `left` bytes); `*used` bytes taken; FALSE if malformed (overlong, a surrogate, past U+10FFFF). */
static BOOL decode_utf8(const unsigned char *in, int left, int *used, ULONG *c) {
  static const ULONG minimum[4] = { 0, 0x80, 0x800, 0x10000 };
  int extra = in[0] < 0x80 ? 0 : in[0] >= 0xC2 && in[0] < 0xE0 ? 1 : in[0] >= 0xE0 && in[0] < 0xF0 ? 2 : in[0] >= 0xF0 && in[0] < 0xF5 ? 3 : -1;
  *used = 1;
  if (extra < 0) return FALSE;
  ULONG value = extra == 0 ? in[0] : in[0] & (0x3F >> extra);
  for (int i = 1; i <= extra; i++) {
    if (i >= left || (in[i] & 0xC0) != 0x80) return FALSE;
    value = (value << 6) | (in[i] & 0x3F);
    *used = i + 1;
  }
  if (value < minimum[extra] || value > 0x10FFFF || (value >= 0xD800 && value < 0xE000)) return FALSE;
  *c = value;
  return TRUE;
}

static BOOL finish(const OUTPUT *out, int *result) {
  if (out->overflow) { SetLastError(ERROR_INSUFFICIENT_BUFFER); return FALSE; }
  *result = out->count;
  return TRUE;
}

int WINAPI MultiByteToWideChar(UINT code_page, DWORD flags, LPCSTR source, int source_length, PWSTR destination, int capacity) {
  if (!source || source_length == 0 || source_length < -1 || capacity < 0 || (capacity && !destination) || (!is_ansi(code_page) && code_page != CP_UTF8)) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  int length = source_length == -1 ? (int)strlen(source) + 1 : source_length;
  const unsigned char *in = (const unsigned char *)source;
  OUTPUT out = { destination, NULL, capacity, 0, FALSE };
  for (int i = 0; i < length;) {
    if (is_ansi(code_page)) { put_wide(&out, in[i] >= 0x80 && in[i] < 0xA0 ? cp1252_high[in[i] - 0x80] : in[i]); i++; continue; }
    int used;
    ULONG c;
    if (!decode_utf8(in + i, length - i, &used, &c)) {
      if (flags & MB_ERR_INVALID_CHARS) { SetLastError(ERROR_NO_UNICODE_TRANSLATION); return 0; }
      c = REPLACEMENT_CHARACTER;
    }
    put_code_point(&out, c);
    i += used;
  }
  int result;
  return finish(&out, &result) ? result : 0;
}

static int to_cp1252(WCHAR c) {
  if (c < 0x80 || (c >= 0xA0 && c < 0x100)) return c;
  for (int i = 0; i < 32; i++) if (cp1252_high[i] == c) return 0x80 + i;
  return -1;
}

static void put_utf8(OUTPUT *out, ULONG c) {
  if (c < 0x80) { put_narrow(out, (char)c); return; }
  static const unsigned char lead[4] = { 0, 0xC0, 0xE0, 0xF0 };
  int extra = c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
  put_narrow(out, (char)(lead[extra] | (c >> (6 * extra))));
  for (int i = extra - 1; i >= 0; i--) put_narrow(out, (char)(0x80 | ((c >> (6 * i)) & 0x3F)));
}

int WINAPI WideCharToMultiByte(UINT code_page, DWORD flags, PCWSTR source, int source_length, LPSTR destination, int capacity,
                               LPCSTR default_char, PBOOL used_default) {
  (void)flags;
  BOOL utf8 = code_page == CP_UTF8;
  if (!source || source_length == 0 || source_length < -1 || capacity < 0 || (capacity && !destination) || (!is_ansi(code_page) && !utf8)
      || (utf8 && (default_char || used_default))) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  int length = source_length;
  if (length == -1) for (length = 0; source[length++];) {}
  OUTPUT out = { NULL, destination, capacity, 0, FALSE };
  if (used_default) *used_default = FALSE;
  for (int i = 0; i < length; i++) {
    WCHAR c = source[i];
    if (!utf8) {
      int byte = to_cp1252(c);
      if (byte < 0) { byte = (unsigned char)(default_char ? *default_char : '?'); if (used_default) *used_default = TRUE; }
      put_narrow(&out, (char)byte);
      continue;
    }
    ULONG point = c;
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < length && source[i + 1] >= 0xDC00 && source[i + 1] < 0xE000) {
      point = 0x10000 + ((ULONG)(c - 0xD800) << 10) + (source[++i] - 0xDC00);
    } else if (c >= 0xD800 && c < 0xE000) {
      point = REPLACEMENT_CHARACTER;   /* a lone surrogate */
    }
    put_utf8(&out, point);
  }
  int result;
  return finish(&out, &result) ? result : 0;
}
