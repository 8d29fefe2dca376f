/* mmscope's instruction limit at block granularity (see src/cpu/instruction-limit.ts).
 *
 * A Unicorn UC_HOOK_BLOCK callback that adds each translated block's
 * instruction count to a running total, and stops the CPU before a block
 * whose instructions would take the total past the budget; the caller then
 * runs the part of that block the budget still allows.
 * A block's count comes from a small direct-mapped cache keyed by (address,
 * size); on a miss the callback asks the host (mmscope's TypeScript side,
 * which disassembles the block once). A hook into JavaScript per block costs
 * ~170x a compute loop's own time; this costs ~1.3x.
 *
 * Unicorn checks for a stop request right after a block hook returns, so
 * a block whose hook stops the CPU does not run (measured: EIP is then the
 * block's address and none of its instructions have run).
 */
#include <stdint.h>

#define MMS_CACHE_SIZE 65536

int uc_emu_stop(void *uc);

struct mms_block_entry { uint64_t address; uint32_t size; uint32_t count; };

/* Shared with the host: the first five fields are read and written there (offsets fixed below). */
struct mms_counter {
  uint64_t executed;     /*  0: instructions of the blocks entered since the host last set it */
  uint64_t budget;       /*  8: stop before a block that would take executed past this */
  struct mms_block_entry *last; /* 16: the block entered last (for exception corrections) */
  uint32_t stopped;      /* 24: 1 once this counter asked Unicorn to stop */
  uint32_t unused;       /* 28 */
  uint32_t (*count_block)(uint64_t address, uint32_t size); /* 32: the host's disassembler */
  struct mms_block_entry cache[MMS_CACHE_SIZE];
};

_Static_assert(sizeof(void *) == 8, "a 64-bit host");

uint32_t mms_counter_size(void) { return (uint32_t)sizeof(struct mms_counter); }

/** Forgets every cached count (code changed under the same addresses). */
void mms_counter_forget(struct mms_counter *counter) {
  for (uint32_t i = 0; i < MMS_CACHE_SIZE; i++) counter->cache[i].size = 0;
}

void mms_block_hook(void *uc, uint64_t address, uint32_t size, void *user) {
  struct mms_counter *counter = user;
  struct mms_block_entry *entry = &counter->cache[(address ^ (address >> 13) ^ size) & (MMS_CACHE_SIZE - 1)];
  if (entry->address != address || entry->size != size) {
    entry->address = address;
    entry->size = size;
    entry->count = counter->count_block(address, size);
  }
  counter->last = entry;
  if (counter->executed + entry->count > counter->budget) {
    if (!counter->stopped) uc_emu_stop(uc);
    counter->stopped = 1;
    return;
  }
  counter->executed += entry->count;
}

/** The hook's address, for uc_hook_add. */
void *mms_block_hook_address(void) { return (void *)&mms_block_hook; }
