// How many instructions the last uc_emu_start executed. Unicorn 2.0.1 ends
// uc_emu_start after every handled #UD, so an instruction budget has to be
// carried over to the next start, but Unicorn keeps its count private
// (uc->emu_counter, the word before uc->emu_count, the budget it was
// given). A probe finds that word once per process: it runs a known number
// of nops before a ud2 under a budget no other field will hold, twice with
// different numbers, and the word before the budget must read each number.
import koffi from 'koffi';
import { UC_ARCH_X86, UC_HOOK_INSN_INVALID, UC_MODE_32, UC_PROT_ALL } from './constants.js';
import { AnonymousHostMemory } from './host-memory.js';
import { loadUnicorn, type UnicornLibrary } from './libunicorn.js';
import { checkUcResult, UnicornError } from './errors.js';

const PROBE_BASE = 0x10000, PROBE_SIZE = 0x10000;
const PROBE_BUDGET = 0x13572468;
/** How far into struct uc_struct to look (the field sits near 1.3 KiB in Debian's 2.0.1). */
const SEARCH_BYTES = 8192;

let counterOffset: number | undefined;

/** Instructions executed by the last uc_emu_start of `uc` that was given a budget. */
export function readInstructionCounter(uc: unknown): number {
  counterOffset ??= locateCounter();
  return Number(koffi.decode(uc, counterOffset, 'uint64') as bigint | number);
}

function locateCounter(): number {
  const lib = loadUnicorn();
  const first = runProbe(lib, 37), second = runProbe(lib, 5);
  const offset = first.find((o) => second.includes(o));
  if (offset === undefined) {
    throw new UnicornError('uc_emu_start', 0, 'cannot find Unicorn\'s instruction counter (libunicorn 2.0.x expected)');
  }
  return offset;
}

/** Offsets of words holding `nops + 1` (the ud2 counts) right before a word holding the budget. */
function runProbe(lib: UnicornLibrary, nops: number): number[] {
  const out: unknown[] = [null];
  checkUcResult(lib, 'uc_open', lib.open(UC_ARCH_X86, UC_MODE_32, out));
  const uc = out[0];
  const memory = new AnonymousHostMemory(PROBE_SIZE);
  const callback = koffi.register(() => true, koffi.pointer(lib.InvalidInstructionHook));
  try {
    memory.bytes.fill(0x90, 0, nops);
    memory.bytes.set([0x0f, 0x0b], nops);
    checkUcResult(lib, 'uc_mem_map_ptr', lib.memMapPtr(uc, PROBE_BASE, PROBE_SIZE, UC_PROT_ALL, BigInt(memory.hostAddress)));
    checkUcResult(lib, 'uc_hook_add', lib.hookAdd(uc, [0], UC_HOOK_INSN_INVALID, callback, null, 1, 0));
    checkUcResult(lib, 'uc_emu_start', lib.emuStart(uc, PROBE_BASE, PROBE_BASE + PROBE_SIZE - 1, 0, PROBE_BUDGET));
    const words = new BigUint64Array(koffi.view(uc, SEARCH_BYTES) as ArrayBuffer);
    const found: number[] = [];
    for (let i = 1; i < words.length; i++) {
      if (words[i] === BigInt(PROBE_BUDGET) && words[i - 1] === BigInt(nops + 1)) found.push((i - 1) * 8);
    }
    return found;
  } finally {
    lib.close(uc);
    koffi.unregister(callback);
    memory.dispose();
  }
}
