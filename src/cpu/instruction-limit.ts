// An exact instruction limit that costs little. Unicorn's own limit
// (uc_emu_start with a count) calls a hook before every instruction: a
// compute loop runs ~25x slower. Here a block hook written in C
// (native/block-counter.c, built with the host's gcc on first use) adds each
// translated block's instruction count, cached by address, and stops the CPU
// before a block that would go past the budget (that block then does not
// run). The budget's last instructions are then the first ones of that
// block, straight-line code: they run with Unicorn's `until` at the address
// where the budget ends. Unicorn compiles `until` into the blocks it
// translates, so that block is dropped from its cache before (a cached copy
// would run past it) and after (its copy would stop there in later runs).
//
// What counts is instructions retired, as hardware performance counters
// count them: an instruction that faults counts when its retry completes.
// A block is counted whole when it is entered; when an exception leaves it
// at instruction j (EIP at that instruction), j and the instructions after
// it did not retire and are taken back.
// That last part stops at any exception too (the guest's handler might run
// elsewhere). Unicorn's own count for it would need its per-instruction hook
// in every block, so a flush of all translated blocks, whose first call
// costs 1-2 s of CPU in 2.0.1 (measured).
import koffi from 'koffi';
import { buildNativeLibrary } from './native-build.js';
import { instructionLength } from './x86-length.js';

/** Byte offsets of the fields of struct mms_counter the host reads and writes. */
const EXECUTED = 0, BUDGET = 8, LAST_ENTRY = 16, STOPPED = 24, COUNT_BLOCK = 32;
/** struct mms_block_entry: address (u64), size (u32), count (u32). */
const ENTRY_ADDRESS = 0, ENTRY_SIZE = 8, ENTRY_COUNT = 12;

interface NativeCounterLibrary {
  counterSize(): number;
  forget(counter: unknown): void;
  hookAddress(): unknown;
  allocate(size: number): unknown;
  free(pointer: unknown): void;
  CountBlock: koffi.IKoffiCType;
}

let library: NativeCounterLibrary | undefined;
let libraryFailure: string | undefined;

/** The native counter, built on first use; undefined (with the reason in libraryFailure) if gcc or the build fails. */
function loadNativeCounter(): NativeCounterLibrary | undefined {
  if (library || libraryFailure) return library;
  try {
    const lib = koffi.load(buildNativeLibrary('block-counter'));
    const libc = koffi.load('libc.so.6');
    library = {
      counterSize: lib.func('uint32_t mms_counter_size(void)'),
      forget: lib.func('void mms_counter_forget(void *counter)'),
      hookAddress: lib.func('void *mms_block_hook_address(void)'),
      allocate: libc.func('void *calloc(size_t count, size_t size)').bind(null, 1) as (size: number) => unknown,
      free: libc.func('void free(void *pointer)'),
      CountBlock: koffi.proto('uint32_t mmscope_count_block_cb(uint64_t address, uint32_t size)'),
    };
  } catch (error) {
    libraryFailure = error instanceof Error ? error.message : String(error);
  }
  return library;
}

/** Where the guest's code is, for counting a block's instructions. */
export type CodeReader = (address: number, size: number) => Uint8Array | undefined;

/**
 * The native counter's state for one engine. The engine installs
 * `hookAddress` as a UC_HOOK_BLOCK callback with `userData` while a run
 * with a limit goes on, arms it with the budget, and calls
 * `takeBackAfterException` when an exception leaves a block early.
 */
export class BlockInstructionCounter {
  readonly userData: unknown;
  readonly hookAddress: unknown;
  private readonly fields: DataView;
  private readonly callback: koffi.IKoffiRegisteredCallback;
  /** Instruction start offsets of each block seen, by `${address}:${size}`. */
  private readonly blocks = new Map<string, Uint16Array>();

  private constructor(private readonly lib: NativeCounterLibrary, private readonly readCode: CodeReader) {
    const size = lib.counterSize();
    this.userData = lib.allocate(size);
    if (!this.userData) throw new Error('calloc failed for the instruction counter');
    this.fields = new DataView(koffi.view(this.userData, COUNT_BLOCK) as ArrayBuffer);
    this.callback = koffi.register((address: number, blockSize: number) => this.countBlock(address, blockSize), koffi.pointer(lib.CountBlock));
    koffi.encode(this.userData, COUNT_BLOCK, 'void *', this.callback);
    this.hookAddress = lib.hookAddress();
  }

  /** A counter, or a string saying why there is none (the caller falls back to Unicorn's count). */
  static create(readCode: CodeReader): BlockInstructionCounter | string {
    const lib = loadNativeCounter();
    if (!lib) return libraryFailure ?? 'the native counter is unavailable';
    return new BlockInstructionCounter(lib, readCode);
  }

  /** Starts counting from zero; the counter stops the CPU before a block that would take it past `budget` (-1: never). */
  arm(budget: number): void {
    this.fields.setBigUint64(EXECUTED, 0n, true);
    this.fields.setBigUint64(BUDGET, budget < 0 ? 0xffffffffffffffffn : BigInt(budget), true);
    this.fields.setUint32(STOPPED, 0, true);
  }

  /** Records that the CPU was stopped on the counter's behalf (at an exception in the last part). */
  markStopped(): void { this.fields.setUint32(STOPPED, 1, true); }

  /**
   * Where `count` instructions from `eip` end, if they all lie in the last
   * block entered, from `eip` on (so they are straight-line code): the
   * address of the instruction after them, and the block's range. That is
   * the case after the counter stopped the CPU before a block too long for
   * the budget.
   */
  endWithinLastBlock(eip: number, count: number): { end: number; blockStart: number; blockEnd: number } | undefined {
    const { address, size } = this.lastBlock();
    const starts = this.blocks.get(`${address}:${size}`);
    const first = starts ? starts.indexOf(eip - address) : -1;
    if (!starts || first < 0 || first + count >= starts.length) return undefined;
    return { end: (address + starts[first + count]!) >>> 0, blockStart: address, blockEnd: address + size };
  }

  /** Instructions executed since arm(). */
  get executed(): number { return Number(this.fields.getBigUint64(EXECUTED, true)); }

  /** True if the counter, not the guest or the kernel, ended the last uc_emu_start. */
  get stoppedTheCpu(): boolean { return this.fields.getUint32(STOPPED, true) !== 0; }

  /**
   * The CPU left the last block entered at `eip` (an exception there, or
   * the `until` address): the instruction at `eip` and those after it did
   * not retire. EIP past the block, as after `int n`, means all of it did.
   */
  takeBackFrom(eip: number): void {
    const { address, size } = this.lastBlock();
    if (size === 0 || eip < address || eip >= address + size) return;
    const starts = this.blocks.get(`${address}:${size}`);
    if (!starts) return;
    const index = starts.indexOf(eip - address);
    if (index < 0) return;
    const notRun = starts.length - index;
    this.fields.setBigUint64(EXECUTED, BigInt(this.executed - notRun), true);
  }

  /**
   * Instructions in the block the hook saw last (0 if none yet): after the
   * counter stopped the CPU, the block that did not run.
   */
  get lastBlockInstructions(): number {
    const entry = koffi.decode(this.userData, LAST_ENTRY, 'void *');
    return entry ? koffi.decode(entry, ENTRY_COUNT, 'uint32_t') as number : 0;
  }

  /** The block the hook saw last (size 0 if none yet). */
  private lastBlock(): { address: number; size: number } {
    const entry = koffi.decode(this.userData, LAST_ENTRY, 'void *');
    if (!entry) return { address: 0, size: 0 };
    return { address: Number(koffi.decode(entry, ENTRY_ADDRESS, 'uint64_t')), size: koffi.decode(entry, ENTRY_SIZE, 'uint32_t') as number };
  }

  /** Code changed under cached addresses (a code page got a new frame): count blocks afresh. */
  forgetBlocks(): void {
    this.blocks.clear();
    this.lib.forget(this.userData);
  }

  dispose(): void {
    koffi.unregister(this.callback);
    this.lib.free(this.userData);
  }

  /**
   * Called from C on a cache miss: how many instructions QEMU translated
   * into [address, address + size). It must not throw (no exception may
   * cross the native frames): a failure answers 1, which can only make the
   * last stretch under Unicorn's exact count longer.
   */
  private countBlock(address: number, size: number): number {
    try {
      const starts = this.instructionStarts(address, size);
      this.blocks.set(`${address}:${size}`, starts);
      return starts.length;
    } catch {
      return 1;
    }
  }

  /**
   * Offsets of the instructions in the block, by QEMU's decoder's lengths
   * (x86-length.ts: the translation guard's, so the same boundaries as the
   * translator's). Not capstone: instantiating it made V8 compile its
   * WebAssembly in the background while the guest ran, ~170 ms of CPU per
   * machine. Bytes that decode to no instruction count as one (QEMU raises #UD there).
   */
  private instructionStarts(address: number, size: number): Uint16Array {
    const bytes = this.readCode(address, size);
    const starts: number[] = [];
    let offset = 0;
    while (bytes && offset < size) {
      const length = instructionLength(bytes, offset);
      if (length === undefined || offset + length > size) break;
      starts.push(offset);
      offset += length;
    }
    if (offset < size) starts.push(offset);
    return Uint16Array.from(starts);
  }
}
