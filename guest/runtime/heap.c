/* The heap (HeapCreate, HeapAlloc, HeapFree...), in user mode as in ntdll:
   it reserves segments with VirtualAlloc(MEM_RESERVE), commits more of them
   as it grows and decommits large free tails, so an allocation served from
   memory already committed never enters the kernel.

   Layout, after the Windows XP heap:
   - a segment is one reservation; blocks fill its committed part exactly,
     each starting with an 8-byte HEAP_ENTRY (sizes in 8-byte units, the
     size of the block before it, flags, and a checksum keyed by the heap so
     a damaged header shows);
   - the HEAP structure sits at the start of the first segment;
   - free blocks are on FreeLists[n] (exactly n units, n < 128) or
     FreeLists[0] (larger), first fit; a freed block merges with free
     neighbours;
   - requests above VIRTUAL_MEMORY_THRESHOLD get a reservation of their own.

   Misuse (a double free, a pointer not from this heap, a damaged header,
   a freed block written to) makes the call fail as Windows' does, leaving
   GetLastError alone unless the pointer cannot be read at all; with the
   PEB's NtGlobalFlag heap checks on (mmscope run --heap-check) the heap also
   prints what it found and raises STATUS_HEAP_CORRUPTION, which ends the
   process unless a handler catches it. */
#include <windows.h>
#include <winternl.h>
#include <ntdll.h>
#include <mmscope.h>
#include <stdio.h>
#include <string.h>
#include "list.h"

#define UNIT 8
#define PAGE 4096
#define GRANULE 0x10000
#define MAX_BLOCK_UNITS 0xFFFF
#define MIN_FREE_UNITS 2                      /* header + free-list links */
#define VIRTUAL_MEMORY_THRESHOLD 0x7F000      /* Windows' VirtualMemoryThreshold (0xFE00 units of 8) */
#define FREE_LIST_COUNT 128
#define FIRST_SEGMENT_RESERVE 0x100000        /* 1 MiB, as the process heap's default */
#define MAX_SEGMENT_RESERVE 0x1000000
#define COMMIT_STEP 0x10000                   /* commit at least 64 KiB at a time */
#define DECOMMIT_THRESHOLD 0x10000            /* decommit a free tail of 64 KiB or more */
#define MAX_SEGMENTS 64
#define HEAP_SIGNATURE 0xEEFFEEFF
#define VIRTUAL_BLOCK_SIGNATURE 0xBAADF00D
#define FREE_FILL 0xFE

#define ENTRY_BUSY 0x01
#define ENTRY_VIRTUAL_ALLOC 0x08
#define ENTRY_LAST 0x10

typedef struct HEAP_ENTRY {
  WORD Size;           /* in units, this header included */
  WORD PreviousSize;   /* the block before it, in units; 0 for a segment's first */
  BYTE Checksum;
  BYTE Flags;
  BYTE UnusedBytes;    /* Size * UNIT - the bytes asked for */
  BYTE SegmentIndex;
} HEAP_ENTRY;

typedef LIST_ENTRY LINKS;
typedef struct FREE_ENTRY { HEAP_ENTRY Entry; LINKS Links; } FREE_ENTRY;

typedef struct HEAP_SEGMENT {
  char *Base;          /* the reservation */
  char *FirstEntry;
  char *CommittedEnd;  /* the blocks end exactly here */
  char *ReservedEnd;
  HEAP_ENTRY *LastEntry;
} HEAP_SEGMENT;

typedef struct VIRTUAL_BLOCK {   /* a large block with a reservation of its own */
  LINKS Links;
  DWORD Signature;
  SIZE_T ReserveSize;
  SIZE_T RequestedSize;
  DWORD Reserved;
  HEAP_ENTRY Entry;
} VIRTUAL_BLOCK;

typedef struct HEAP {
  DWORD Signature;
  DWORD Flags;               /* HeapCreate's options */
  DWORD Cookie;              /* keys the header checksums */
  DWORD Protect;
  SIZE_T MaximumSize;        /* 0: growable */
  SIZE_T NextSegmentReserve;
  DWORD SegmentCount;
  HEAP_SEGMENT Segments[MAX_SEGMENTS];
  LINKS FreeLists[FREE_LIST_COUNT];
  DWORD FreeListsInUse[FREE_LIST_COUNT / 32];   /* a bit per non-empty exact list, as in Windows XP */
  LINKS VirtualBlocks;
} HEAP;

_Static_assert(sizeof(HEAP_ENTRY) == UNIT, "HEAP_ENTRY is one unit");
_Static_assert(sizeof(VIRTUAL_BLOCK) % UNIT == 0, "a virtual block's data stays 8-byte aligned");

/* ---- headers and lists ------------------------------------------------ */

static BYTE checksum_of(const HEAP *heap, const HEAP_ENTRY *e) {
  return (BYTE)(e->Size ^ (e->Size >> 8) ^ e->PreviousSize ^ (e->PreviousSize >> 8) ^ e->Flags ^ e->UnusedBytes ^
                e->SegmentIndex ^ heap->Cookie);
}

static int header_intact(const HEAP *heap, const HEAP_ENTRY *e) { return e->Checksum == checksum_of(heap, e); }

static void seal(HEAP *heap, HEAP_ENTRY *e) {
  e->Checksum = checksum_of(heap, e);
  if (e->Flags & ENTRY_LAST && !(e->Flags & ENTRY_VIRTUAL_ALLOC)) heap->Segments[e->SegmentIndex].LastEntry = e;
}

static void write_entry(HEAP *heap, HEAP_ENTRY *e, DWORD units, DWORD previous, BYTE flags, BYTE unused, BYTE segment) {
  e->Size = (WORD)units;
  e->PreviousSize = (WORD)previous;
  e->Flags = flags;
  e->UnusedBytes = unused;
  e->SegmentIndex = segment;
  seal(heap, e);
}

static HEAP_ENTRY *next_entry(HEAP_ENTRY *e) { return (HEAP_ENTRY *)((char *)e + e->Size * UNIT); }
static HEAP_ENTRY *previous_entry(HEAP_ENTRY *e) { return (HEAP_ENTRY *)((char *)e - e->PreviousSize * UNIT); }

static void set_previous_size(HEAP *heap, HEAP_ENTRY *e, DWORD units) {
  e->PreviousSize = (WORD)units;
  seal(heap, e);
}

static LINKS *free_list_for(HEAP *heap, DWORD units) { return &heap->FreeLists[units < FREE_LIST_COUNT ? units : 0]; }
static FREE_ENTRY *free_entry_of(LINKS *links) { return (FREE_ENTRY *)((char *)links - offsetof(FREE_ENTRY, Links)); }

static DWORD global_flags(void) { return NtCurrentTeb()->ProcessEnvironmentBlock->NtGlobalFlag; }
static int free_checks(void) { return (global_flags() & FLG_HEAP_ENABLE_FREE_CHECK) != 0; }

/* ---- reporting misuse ------------------------------------------------- */

/* What Windows 10 records for a pointer that is not a busy block of the heap
   (Wine's dlls/kernel32/tests/heap.c, test_HeapCreate): HeapValidate,
   HeapFree and HeapReAlloc fail and leave the last error as it was (a
   zeroed buffer on the stack, a block already freed); only a pointer whose
   header cannot be read at all (0xdeadbe00) sets ERROR_NOACCESS. HeapSize
   takes the same path (HeapSize on a freed block is (SIZE_T)-1). */
static void report(HEAP *heap, const char *function, const void *pointer, const char *what) {
  if (!(global_flags() & FLG_HEAP_VALIDATE_PARAMETERS)) return;
  /* Straight to the console's stderr handle, not through the C runtime's streams: the heap is below them (ntdll's). */
  char line[256];
  int length = snprintf(line, sizeof line, "HEAP[mmscope]: %s(%p, %p): %s\n", function, (void *)heap, pointer, what);
  IO_STATUS_BLOCK io;
  NtWriteFile(MMSCOPE_STDERR_HANDLE, NULL, NULL, NULL, &io, line, length < (int)sizeof line ? (ULONG)length : sizeof line - 1, NULL, NULL);
  ULONG_PTR arguments[2] = { (ULONG_PTR)heap, (ULONG_PTR)pointer };
  RaiseException(STATUS_HEAP_CORRUPTION, EXCEPTION_NONCONTINUABLE, 2, arguments);
}

/* ---- free blocks ------------------------------------------------------ */

/* With the free checks on, free memory (past each free block's header and
   links) holds FREE_FILL. Only bytes that were not free before are filled,
   and only the bytes handed out are checked, so the cost follows the
   request, not the size of the free block it came from. */
static void fill_free(void *from, void *to) {
  if (free_checks() && (char *)to > (char *)from) memset(from, FREE_FILL, (char *)to - (char *)from);
}

static int free_fill_intact(const void *from, const void *to) {
  if (!free_checks()) return 1;
  for (const BYTE *p = from; p < (const BYTE *)to; p++) if (*p != FREE_FILL) return 0;
  return 1;
}

static void make_free(HEAP *heap, HEAP_ENTRY *e, DWORD units, DWORD previous, int last, BYTE segment) {
  write_entry(heap, e, units, previous, last ? ENTRY_LAST : 0, 0, segment);
  InsertTailList(free_list_for(heap, units), &((FREE_ENTRY *)e)->Links);
  if (units < FREE_LIST_COUNT) heap->FreeListsInUse[units / 32] |= 1u << (units % 32);
}

static void take_free(HEAP *heap, FREE_ENTRY *f) {
  DWORD units = f->Entry.Size;
  RemoveEntryList(&f->Links);
  if (units < FREE_LIST_COUNT && IsListEmpty(&heap->FreeLists[units])) heap->FreeListsInUse[units / 32] &= ~(1u << (units % 32));
}

/* Free blocks for [start, start + bytes) after a block of `previous` units; the last one ends the segment. */
static void add_free_range(HEAP *heap, BYTE segment, char *start, SIZE_T bytes, DWORD previous) {
  DWORD units = bytes / UNIT;
  while (units > 0) {
    DWORD chunk = units > MAX_BLOCK_UNITS ? MAX_BLOCK_UNITS : units;
    if (units - chunk == 1) chunk--;   /* never leave a block too small to be free */
    make_free(heap, (HEAP_ENTRY *)start, chunk, previous, chunk == units, segment);
    fill_free(start + sizeof(FREE_ENTRY), start + chunk * UNIT);
    start += chunk * UNIT;
    units -= chunk;
    previous = chunk;
  }
}

/* ---- segments --------------------------------------------------------- */

static SIZE_T round_up(SIZE_T value, SIZE_T to) { return (value + to - 1) & ~(to - 1); }

static HEAP_SEGMENT *segment_of(HEAP *heap, const void *p) {
  for (DWORD i = 0; i < heap->SegmentCount; i++) {
    HEAP_SEGMENT *s = &heap->Segments[i];
    if ((const char *)p >= s->FirstEntry && (const char *)p < s->CommittedEnd) return s;
  }
  return NULL;
}

/* Commits at least `bytes` more at the end of segment `index`; the new space joins the last block if it is free. */
static int extend_segment(HEAP *heap, BYTE index, SIZE_T bytes) {
  HEAP_SEGMENT *s = &heap->Segments[index];
  SIZE_T available = s->ReservedEnd - s->CommittedEnd;
  SIZE_T commit = round_up(bytes > COMMIT_STEP ? bytes : COMMIT_STEP, PAGE);
  if (commit > available) commit = available;
  if (commit < bytes || commit == 0) return 0;
  if (!VirtualAlloc(s->CommittedEnd, commit, MEM_COMMIT, heap->Protect)) return 0;
  char *start = s->CommittedEnd;
  s->CommittedEnd += commit;
  HEAP_ENTRY *last = s->LastEntry;
  if (!(last->Flags & ENTRY_BUSY) && last->Size + commit / UNIT <= MAX_BLOCK_UNITS) {
    take_free(heap, (FREE_ENTRY *)last);
    make_free(heap, last, last->Size + commit / UNIT, last->PreviousSize, 1, index);
    fill_free(start, start + commit);
    return 1;
  }
  last->Flags &= ~ENTRY_LAST;
  seal(heap, last);
  add_free_range(heap, index, start, commit, last->Size);
  return 1;
}

/* Reserves a new segment able to hold `bytes`, committing what the first block needs. */
static int add_segment(HEAP *heap, SIZE_T bytes) {
  if (heap->MaximumSize || heap->SegmentCount == MAX_SEGMENTS) return 0;
  SIZE_T reserve = heap->NextSegmentReserve;
  if (reserve < round_up(bytes + PAGE, GRANULE)) reserve = round_up(bytes + PAGE, GRANULE);
  char *base = VirtualAlloc(NULL, reserve, MEM_RESERVE, heap->Protect);
  if (!base) return 0;
  if (heap->NextSegmentReserve < MAX_SEGMENT_RESERVE) heap->NextSegmentReserve *= 2;
  BYTE index = (BYTE)heap->SegmentCount;
  HEAP_SEGMENT *s = &heap->Segments[index];
  SIZE_T commit = round_up(bytes > COMMIT_STEP ? bytes : COMMIT_STEP, PAGE);
  if (commit > reserve) commit = reserve;
  if (!VirtualAlloc(base, commit, MEM_COMMIT, heap->Protect)) { VirtualFree(base, 0, MEM_RELEASE); return 0; }
  s->Base = s->FirstEntry = base;
  s->CommittedEnd = base + commit;
  s->ReservedEnd = base + reserve;
  heap->SegmentCount++;
  add_free_range(heap, index, base, commit, 0);
  return 1;
}

/* Gives back the pages of a large free block at the end of its segment, keeping its header. */
static void decommit_free_tail(HEAP *heap, HEAP_ENTRY *e) {
  HEAP_SEGMENT *s = &heap->Segments[e->SegmentIndex];
  if (!(e->Flags & ENTRY_LAST) || e->Size * UNIT < DECOMMIT_THRESHOLD) return;
  char *keep = (char *)round_up((SIZE_T)e + sizeof(FREE_ENTRY), PAGE);
  if (keep >= s->CommittedEnd || !VirtualFree(keep, s->CommittedEnd - keep, MEM_DECOMMIT)) return;
  s->CommittedEnd = keep;
  take_free(heap, (FREE_ENTRY *)e);
  make_free(heap, e, (keep - (char *)e) / UNIT, e->PreviousSize, 1, e->SegmentIndex);
}

/* ---- blocks in segments ----------------------------------------------- */

static DWORD units_for(SIZE_T bytes) {
  DWORD units = (bytes + sizeof(HEAP_ENTRY) + UNIT - 1) / UNIT;
  return units < MIN_FREE_UNITS ? MIN_FREE_UNITS : units;
}

static FREE_ENTRY *find_free(HEAP *heap, DWORD units) {
  for (DWORD word = units / 32; units < FREE_LIST_COUNT && word < FREE_LIST_COUNT / 32; word++) {
    DWORD bits = heap->FreeListsInUse[word] & (word == units / 32 ? ~0u << (units % 32) : ~0u);
    if (bits) return free_entry_of(heap->FreeLists[word * 32 + __builtin_ctz(bits)].Flink);
  }
  LINKS *head = &heap->FreeLists[0];
  for (LINKS *l = head->Flink; l != head; l = l->Flink) {
    if (free_entry_of(l)->Entry.Size >= units) return free_entry_of(l);
  }
  return NULL;
}

/* Marks `f` busy for `bytes`, splitting off what is left when it can stand alone. */
static void *use_free_block(HEAP *heap, FREE_ENTRY *f, SIZE_T bytes, DWORD units) {
  HEAP_ENTRY *e = &f->Entry;
  take_free(heap, f);
  DWORD have = e->Size;
  int last = e->Flags & ENTRY_LAST;
  if (have - units >= MIN_FREE_UNITS) {
    write_entry(heap, e, units, e->PreviousSize, ENTRY_BUSY, units * UNIT - bytes, e->SegmentIndex);
    HEAP_ENTRY *rest = next_entry(e);
    make_free(heap, rest, have - units, units, last, e->SegmentIndex);
    if (!last) set_previous_size(heap, next_entry(rest), have - units);
  } else {
    write_entry(heap, e, have, e->PreviousSize, ENTRY_BUSY | (BYTE)last, have * UNIT - bytes, e->SegmentIndex);
  }
  return e + 1;
}

static void *allocate_in_segments(HEAP *heap, SIZE_T bytes) {
  DWORD units = units_for(bytes);
  FREE_ENTRY *f = find_free(heap, units);
  if (!f) {
    /* Commit more of the last segment (the free block at its end counts), else reserve a new one. */
    BYTE index = (BYTE)(heap->SegmentCount - 1);
    HEAP_ENTRY *tail = heap->Segments[index].LastEntry;
    SIZE_T missing = units * UNIT - (tail->Flags & ENTRY_BUSY ? 0 : tail->Size * UNIT);
    if (extend_segment(heap, index, missing)) f = find_free(heap, units);
    if (!f && add_segment(heap, units * UNIT)) f = find_free(heap, units);
    if (!f) return NULL;
  }
  char *handed_out_end = (char *)f + (units < f->Entry.Size ? units : f->Entry.Size) * UNIT;
  if (!free_fill_intact(f + 1, handed_out_end)) {
    report(heap, "HeapAlloc", f + 1, "a free block was written to after it was freed");
    return NULL;
  }
  return use_free_block(heap, f, bytes, units);
}

/* Frees a busy block in a segment: merge with free neighbours, maybe decommit the tail. */
static void free_in_segment(HEAP *heap, HEAP_ENTRY *e) {
  BYTE segment = e->SegmentIndex;
  DWORD units = e->Size;
  int last = e->Flags & ENTRY_LAST;
  write_entry(heap, e, units, e->PreviousSize, (BYTE)last, 0, segment);  /* a stale header says "free" */
  HEAP_ENTRY *start = e;
  char *fill_end = (char *)next_entry(e);
  if (!last) {
    HEAP_ENTRY *next = next_entry(e);
    if (!(next->Flags & ENTRY_BUSY) && units + next->Size <= MAX_BLOCK_UNITS) {
      take_free(heap, (FREE_ENTRY *)next);
      last = next->Flags & ENTRY_LAST;
      units += next->Size;
      fill_end += sizeof(FREE_ENTRY);   /* its header and links are free memory now */
    }
  }
  if (e->PreviousSize) {
    HEAP_ENTRY *previous = previous_entry(e);
    if (!(previous->Flags & ENTRY_BUSY) && previous->Size + units <= MAX_BLOCK_UNITS) {
      take_free(heap, (FREE_ENTRY *)previous);
      units += previous->Size;
      start = previous;
    }
  }
  make_free(heap, start, units, start->PreviousSize, last, segment);
  fill_free(start == e ? (char *)e + sizeof(FREE_ENTRY) : (char *)e, fill_end);
  if (!last) set_previous_size(heap, next_entry(start), units);
  decommit_free_tail(heap, start);
}

/* ---- large blocks ----------------------------------------------------- */

static void *allocate_virtual(HEAP *heap, SIZE_T bytes) {
  SIZE_T reserve = round_up(sizeof(VIRTUAL_BLOCK) + bytes, PAGE);
  if (reserve < bytes) return NULL;
  VIRTUAL_BLOCK *v = VirtualAlloc(NULL, reserve, MEM_RESERVE | MEM_COMMIT, heap->Protect);
  if (!v) return NULL;
  v->Signature = VIRTUAL_BLOCK_SIGNATURE;
  v->ReserveSize = reserve;
  v->RequestedSize = bytes;
  write_entry(heap, &v->Entry, 0, 0, ENTRY_BUSY | ENTRY_VIRTUAL_ALLOC, 0, 0);
  InsertTailList(&heap->VirtualBlocks, &v->Links);
  return &v->Entry + 1;
}

static VIRTUAL_BLOCK *virtual_block_of(HEAP *heap, const void *p) {
  for (LINKS *l = heap->VirtualBlocks.Flink; l != &heap->VirtualBlocks; l = l->Flink) {
    VIRTUAL_BLOCK *v = (VIRTUAL_BLOCK *)l;
    if ((const void *)(&v->Entry + 1) == p) return v;
  }
  return NULL;
}

/* ---- finding a caller's block ----------------------------------------- */

enum block_kind { BLOCK_BUSY, BLOCK_VIRTUAL, BLOCK_BAD };

typedef struct located { enum block_kind kind; HEAP_ENTRY *entry; VIRTUAL_BLOCK *virtual_block; const char *problem; } located;

/* Whether the header before `p` could be read: committed and accessible (no fault would be taken). */
static int header_readable(const void *p) {
  MEMORY_BASIC_INFORMATION mbi;
  SIZE_T written;
  const char *header = (const char *)p - sizeof(HEAP_ENTRY);
  if (!NT_SUCCESS(NtQueryVirtualMemory(NtCurrentProcess(), (PVOID)header, MemoryBasicInformation, &mbi, sizeof mbi, &written))) return 0;
  return mbi.State == MEM_COMMIT && !(mbi.Protect & (PAGE_NOACCESS | PAGE_GUARD));
}

/* A pointer that is no block: fails the call as report() says; ERROR_NOACCESS if its header is unreadable. */
static void reject_block(HEAP *heap, const char *function, const void *p, const char *problem) {
  if (!header_readable(p)) SetLastError(ERROR_NOACCESS);
  report(heap, function, p, problem);
}

/* Walks a segment to say what `p` is, for the error path only (it is slow). */
static const char *diagnose(HEAP *heap, HEAP_SEGMENT *s, const char *p) {
  HEAP_ENTRY *e = (HEAP_ENTRY *)s->FirstEntry;
  DWORD previous = 0;
  for (;;) {
    if ((char *)(e + 1) > s->CommittedEnd || !header_intact(heap, e) || e->PreviousSize != previous || e->Size == 0 ||
        (char *)next_entry(e) > s->CommittedEnd) {
      return "the heap is damaged (a block header was overwritten)";
    }
    char *data = (char *)(e + 1), *end = (char *)next_entry(e);
    if (p == data) return e->Flags & ENTRY_BUSY ? "the block header was overwritten" : "double free: the block is already free";
    if (p > (char *)e && p < end) return e->Flags & ENTRY_BUSY ? "not the start of a block" : "double free: the pointer is in freed memory";
    if (e->Flags & ENTRY_LAST) return "not a block of this heap";
    previous = e->Size;
    e = next_entry(e);
  }
}

static located locate(HEAP *heap, const void *p) {
  located found = { BLOCK_BAD, NULL, NULL, "not a block of this heap" };
  if ((ULONG_PTR)p % UNIT != 0) return found;
  HEAP_SEGMENT *s = segment_of(heap, (const char *)p - sizeof(HEAP_ENTRY));
  if (s) {
    HEAP_ENTRY *e = (HEAP_ENTRY *)p - 1;
    if (header_intact(heap, e) && (e->Flags & ENTRY_BUSY) && !(e->Flags & ENTRY_VIRTUAL_ALLOC) && &heap->Segments[e->SegmentIndex] == s) {
      found.kind = BLOCK_BUSY;
      found.entry = e;
    } else {
      found.problem = diagnose(heap, s, p);
    }
    return found;
  }
  VIRTUAL_BLOCK *v = virtual_block_of(heap, p);
  if (!v) return found;
  if (!header_intact(heap, &v->Entry) || v->Signature != VIRTUAL_BLOCK_SIGNATURE) { found.problem = "the block header was overwritten"; return found; }
  found.kind = BLOCK_VIRTUAL;
  found.entry = &v->Entry;
  found.virtual_block = v;
  return found;
}

static SIZE_T size_of(const located *b) {
  return b->kind == BLOCK_VIRTUAL ? b->virtual_block->RequestedSize : (SIZE_T)b->entry->Size * UNIT - b->entry->UnusedBytes;
}

static HEAP *heap_of(HANDLE handle, const char *function) {
  HEAP *heap = handle;
  if (heap && heap->Signature == HEAP_SIGNATURE) return heap;
  SetLastError(ERROR_INVALID_HANDLE);
  if (global_flags() & FLG_HEAP_VALIDATE_PARAMETERS) report(heap, function, NULL, "not a heap handle");
  return NULL;
}

/* ---- the API ---------------------------------------------------------- */

HANDLE WINAPI HeapCreate(DWORD options, SIZE_T initial, SIZE_T maximum) {
  if (maximum && initial > maximum) { SetLastError(ERROR_INVALID_PARAMETER); return NULL; }
  SIZE_T header = round_up(sizeof(HEAP), UNIT);
  /* A fixed heap's maximum includes the heap's own bookkeeping, as on Windows. */
  SIZE_T reserve = maximum ? round_up(maximum, GRANULE) : FIRST_SEGMENT_RESERVE;
  if (reserve < round_up(initial + header, GRANULE)) reserve = round_up(initial + header, GRANULE);
  DWORD protect = options & HEAP_CREATE_ENABLE_EXECUTE ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE;
  char *base = VirtualAlloc(NULL, reserve, MEM_RESERVE, protect);
  if (!base) return NULL;
  SIZE_T commit = round_up(header + (initial ? initial : PAGE), PAGE);
  if (commit > reserve) commit = reserve;
  if (!VirtualAlloc(base, commit, MEM_COMMIT, protect)) { VirtualFree(base, 0, MEM_RELEASE); return NULL; }
  HEAP *heap = (HEAP *)base;
  heap->Signature = HEAP_SIGNATURE;
  heap->Flags = options | (maximum ? 0 : HEAP_GROWABLE);
  heap->Cookie = ((ULONG_PTR)base >> 16) ^ 0xA5;
  heap->Protect = protect;
  heap->MaximumSize = maximum;
  heap->NextSegmentReserve = reserve * 2;
  for (int i = 0; i < FREE_LIST_COUNT; i++) InitializeListHead(&heap->FreeLists[i]);
  InitializeListHead(&heap->VirtualBlocks);
  HEAP_SEGMENT *s = &heap->Segments[0];
  s->Base = base;
  s->FirstEntry = base + header;
  s->CommittedEnd = base + commit;
  s->ReservedEnd = base + reserve;
  heap->SegmentCount = 1;
  add_free_range(heap, 0, s->FirstEntry, commit - header, 0);
  return heap;
}

BOOL WINAPI HeapDestroy(HANDLE handle) {
  HEAP *heap = heap_of(handle, "HeapDestroy");
  if (!heap) return FALSE;
  if (handle == GetProcessHeap()) { SetLastError(ERROR_INVALID_PARAMETER); return FALSE; }
  while (!IsListEmpty(&heap->VirtualBlocks)) {
    LINKS *l = heap->VirtualBlocks.Flink;
    RemoveEntryList(l);
    VirtualFree(l, 0, MEM_RELEASE);
  }
  for (DWORD i = heap->SegmentCount; i-- > 1;) VirtualFree(heap->Segments[i].Base, 0, MEM_RELEASE);
  heap->Signature = 0;
  VirtualFree(heap, 0, MEM_RELEASE);
  return TRUE;
}

/* STATUS_NO_MEMORY: raised with HEAP_GENERATE_EXCEPTIONS, else ERROR_NOT_ENOUGH_MEMORY
   (Wine's heap.c test: a fixed heap's HeapAlloc too large for it, HeapReAlloc that cannot grow in place). */
static void *fail_allocation(HEAP *heap, DWORD flags, SIZE_T bytes) {
  if ((flags | heap->Flags) & HEAP_GENERATE_EXCEPTIONS) {
    ULONG_PTR argument = bytes;
    RaiseException(STATUS_NO_MEMORY, 0, 1, &argument);
  }
  SetLastError(ERROR_NOT_ENOUGH_MEMORY);
  return NULL;
}

static void *allocate(HEAP *heap, DWORD flags, SIZE_T bytes) {
  void *p;
  if (bytes > VIRTUAL_MEMORY_THRESHOLD) p = heap->MaximumSize ? NULL : allocate_virtual(heap, bytes);
  else p = allocate_in_segments(heap, bytes);
  if (!p) return fail_allocation(heap, flags, bytes);
  if (flags & HEAP_ZERO_MEMORY) memset(p, 0, bytes);
  return p;
}

static LPVOID heap_alloc(HANDLE handle, DWORD flags, SIZE_T bytes) {
  HEAP *heap = heap_of(handle, "HeapAlloc");
  return heap ? allocate(heap, flags, bytes) : NULL;
}

/* Freeing NULL succeeds before the heap is even looked at: HeapFree(NULL, 0, NULL) is TRUE (Wine's heap.c test). */
static BOOL heap_free(HANDLE handle, DWORD flags, LPVOID p) {
  (void)flags;
  if (!p) return TRUE;
  HEAP *heap = heap_of(handle, "HeapFree");
  if (!heap) return FALSE;
  located b = locate(heap, p);
  if (b.kind == BLOCK_BAD) { reject_block(heap, "HeapFree", p, b.problem); return FALSE; }
  if (b.kind == BLOCK_VIRTUAL) {
    RemoveEntryList(&b.virtual_block->Links);
    return VirtualFree(b.virtual_block, 0, MEM_RELEASE);
  }
  free_in_segment(heap, b.entry);
  return TRUE;
}

static SIZE_T heap_size(HANDLE handle, DWORD flags, LPCVOID p) {
  (void)flags;
  HEAP *heap = heap_of(handle, "HeapSize");
  if (!heap) return (SIZE_T)-1;
  located b = locate(heap, p);
  if (b.kind == BLOCK_BAD) { reject_block(heap, "HeapSize", p, b.problem); return (SIZE_T)-1; }
  return size_of(&b);
}

/* Grows or shrinks a segment block where it is, taking from a free block after it; 0 if it cannot. */
static int resize_in_place(HEAP *heap, HEAP_ENTRY *e, SIZE_T bytes) {
  DWORD units = units_for(bytes), have = e->Size;
  int last = e->Flags & ENTRY_LAST;
  if (units > have) {
    HEAP_ENTRY *next = last ? NULL : next_entry(e);
    if (!next || next->Flags & ENTRY_BUSY || have + next->Size < units) return 0;
    take_free(heap, (FREE_ENTRY *)next);
    last = next->Flags & ENTRY_LAST;
    have += next->Size;
    if (!last) set_previous_size(heap, next_entry(next), have);
  }
  if (have - units >= MIN_FREE_UNITS) {
    write_entry(heap, e, units, e->PreviousSize, ENTRY_BUSY, units * UNIT - bytes, e->SegmentIndex);
    HEAP_ENTRY *rest = next_entry(e);
    write_entry(heap, rest, have - units, units, ENTRY_BUSY | (BYTE)last, 0, e->SegmentIndex);
    if (!last) set_previous_size(heap, next_entry(rest), have - units);
    free_in_segment(heap, rest);   /* merges with what follows */
  } else {
    write_entry(heap, e, have, e->PreviousSize, ENTRY_BUSY | (BYTE)last, have * UNIT - bytes, e->SegmentIndex);
  }
  return 1;
}

/* HeapReAlloc(heap, 0, NULL, n) fails with the last error set to NO_ERROR (Wine's heap.c test). */
static LPVOID heap_realloc(HANDLE handle, DWORD flags, LPVOID p, SIZE_T bytes) {
  HEAP *heap = heap_of(handle, "HeapReAlloc");
  if (!heap) return NULL;
  if (!p) { SetLastError(NO_ERROR); return NULL; }
  located b = locate(heap, p);
  if (b.kind == BLOCK_BAD) { reject_block(heap, "HeapReAlloc", p, b.problem); return NULL; }
  SIZE_T old = size_of(&b);
  int fits_segment = bytes <= VIRTUAL_MEMORY_THRESHOLD;
  if (b.kind == BLOCK_BUSY && fits_segment && resize_in_place(heap, b.entry, bytes)) {
    if (flags & HEAP_ZERO_MEMORY && bytes > old) memset((char *)p + old, 0, bytes - old);
    return p;
  }
  if (b.kind == BLOCK_VIRTUAL && bytes <= b.virtual_block->ReserveSize - sizeof(VIRTUAL_BLOCK) && !fits_segment) {
    b.virtual_block->RequestedSize = bytes;
    if (flags & HEAP_ZERO_MEMORY && bytes > old) memset((char *)p + old, 0, bytes - old);
    return p;
  }
  if (flags & HEAP_REALLOC_IN_PLACE_ONLY) return fail_allocation(heap, flags, bytes);
  void *moved = allocate(heap, flags & ~HEAP_ZERO_MEMORY, bytes);
  if (!moved) return NULL;
  memcpy(moved, p, old < bytes ? old : bytes);
  if (flags & HEAP_ZERO_MEMORY && bytes > old) memset((char *)moved + old, 0, bytes - old);
  heap_free(heap, 0, p);
  return moved;
}

/* Every block of every segment, the free lists and the large blocks; NULL if all is well, else what is wrong. */
static const char *validate_heap(HEAP *heap, const void **where) {
  DWORD free_blocks = 0;
  for (DWORD i = 0; i < heap->SegmentCount; i++) {
    HEAP_SEGMENT *s = &heap->Segments[i];
    HEAP_ENTRY *e = (HEAP_ENTRY *)s->FirstEntry;
    DWORD previous = 0;
    for (;;) {
      *where = e + 1;
      if ((char *)(e + 1) > s->CommittedEnd) return "a block runs past the committed memory";
      if (!header_intact(heap, e) || e->PreviousSize != previous || e->SegmentIndex != i || e->Size < MIN_FREE_UNITS) return "a damaged block header";
      if ((char *)next_entry(e) > s->CommittedEnd) return "a block runs past the committed memory";
      if (!(e->Flags & ENTRY_BUSY)) {
        FREE_ENTRY *f = (FREE_ENTRY *)e;
        free_blocks++;
        if (f->Links.Flink->Blink != &f->Links || f->Links.Blink->Flink != &f->Links) return "a damaged free list";
        if (!free_fill_intact(f + 1, next_entry(e))) return "a free block was written to after it was freed";
      }
      if (e->Flags & ENTRY_LAST) { if ((char *)next_entry(e) != s->CommittedEnd) return "the last block does not end the segment"; break; }
      if ((char *)next_entry(e) == s->CommittedEnd) return "the last block is not marked last";
      previous = e->Size;
      e = next_entry(e);
    }
  }
  DWORD listed = 0;
  for (DWORD n = 0; n < FREE_LIST_COUNT; n++) {
    for (LINKS *l = heap->FreeLists[n].Flink; l != &heap->FreeLists[n] && listed <= free_blocks; l = l->Flink) {
      HEAP_ENTRY *e = &free_entry_of(l)->Entry;
      *where = e + 1;
      if (!segment_of(heap, e) || !header_intact(heap, e) || e->Flags & ENTRY_BUSY || free_list_for(heap, e->Size) != &heap->FreeLists[n]) return "a damaged free list";
      listed++;
    }
  }
  if (listed != free_blocks) return "the free lists do not match the free blocks";
  for (DWORD n = 1; n < FREE_LIST_COUNT; n++) {
    if (!(heap->FreeListsInUse[n / 32] >> (n % 32) & 1) != IsListEmpty(&heap->FreeLists[n])) return "the free-list bitmap is wrong";
  }
  for (LINKS *l = heap->VirtualBlocks.Flink; l != &heap->VirtualBlocks; l = l->Flink) {
    VIRTUAL_BLOCK *v = (VIRTUAL_BLOCK *)l;
    *where = &v->Entry + 1;
    if (v->Signature != VIRTUAL_BLOCK_SIGNATURE || !header_intact(heap, &v->Entry)) return "a damaged large-block header";
  }
  return NULL;
}

static BOOL heap_validate(HANDLE handle, DWORD flags, LPCVOID p) {
  (void)flags;
  HEAP *heap = heap_of(handle, "HeapValidate");
  if (!heap) return FALSE;
  if (p) {
    located b = locate(heap, p);
    if (b.kind == BLOCK_BAD) { reject_block(heap, "HeapValidate", p, b.problem); return FALSE; }
    return TRUE;
  }
  const void *where = NULL;
  const char *problem = validate_heap(heap, &where);
  if (problem) { report(heap, "HeapValidate", where, problem); return FALSE; }
  return TRUE;
}

/* Windows serialises every call on a heap with the heap's lock unless HEAP_NO_SERIALIZE
   is given; the SDK's heaps share one lock (a critical section: no system call unless
   two threads meet in it). Recursive, so HeapReAlloc may call the others. */
static CRITICAL_SECTION heap_lock = { NULL, -1, 0, NULL, NULL, 0 };
#define SERIALIZED(flags, type, call) do {                  \
    if ((flags) & HEAP_NO_SERIALIZE) return call;           \
    EnterCriticalSection(&heap_lock);                       \
    type result = call;                                     \
    LeaveCriticalSection(&heap_lock);                       \
    return result;                                          \
  } while (0)

LPVOID WINAPI HeapAlloc(HANDLE handle, DWORD flags, SIZE_T bytes) { SERIALIZED(flags, LPVOID, heap_alloc(handle, flags, bytes)); }
BOOL WINAPI HeapFree(HANDLE handle, DWORD flags, LPVOID p) { SERIALIZED(flags, BOOL, heap_free(handle, flags, p)); }
SIZE_T WINAPI HeapSize(HANDLE handle, DWORD flags, LPCVOID p) { SERIALIZED(flags, SIZE_T, heap_size(handle, flags, p)); }
LPVOID WINAPI HeapReAlloc(HANDLE handle, DWORD flags, LPVOID p, SIZE_T bytes) { SERIALIZED(flags, LPVOID, heap_realloc(handle, flags, p, bytes)); }
BOOL WINAPI HeapValidate(HANDLE handle, DWORD flags, LPCVOID p) { SERIALIZED(flags, BOOL, heap_validate(handle, flags, p)); }

HANDLE WINAPI GetProcessHeap(void) { return NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap; }

/* Called by crt0 before main, as ntdll's loader creates the process heap. */
void mms_create_process_heap(void) {
  NtCurrentTeb()->ProcessEnvironmentBlock->ProcessHeap = HeapCreate(HEAP_GROWABLE, 0, 0);
}
