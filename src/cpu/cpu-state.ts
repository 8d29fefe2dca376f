// Direct access to Unicorn's CPU state (QEMU's CPUX86State, "env") through
// one typed view of native memory, so the kernel's hot paths read and write
// registers without a koffi call each (a call costs 0.4-0.8 µs of CPU; a
// system call used to make three to five of them).
//
// Nothing here is hard-coded: Unicorn's saved context is a verbatim copy of
// env after a small header (uc_context_save memcpys env_ptr), so the saved
// context, calibrated by context-calibration.ts, tells where each field
// sits in env; env itself lives inside the X86CPU object that
// qemu_get_cpu returns, at an offset found by searching that object's host
// mapping for the bytes of a context just saved. Every engine checks the
// view against a fresh saved context before using it.
//
//   X86CPU (qemu_get_cpu)            uc_context (uc_context_alloc)
//   +--------------------+           +--------------------+
//   | CPUState ...       |           | header             |  contextHeader bytes
//   +--------------------+ envOffset +--------------------+
//   | env: regs[16] (8 B each, EAX ECX EDX EBX ESP EBP ESI EDI ...),
//   |      eip, eflags (lazy while the CPU runs), ..., cr[0..4],
//   |      error_code, ..., old_exception, ...             same bytes
//   +--------------------+           +--------------------+
import { readFileSync } from 'node:fs';
import koffi from 'koffi';
import { X86Reg, type X86RegId } from './constants.js';

/** Where the fields the kernel touches on every trap sit, in bytes from the start of env. */
export interface CpuStateLayout {
  /** Bytes from the CPUState pointer (qemu_get_cpu) to env. */
  envOffset: number;
  /** Bytes of env that uc_context_save copies (context size minus its header). */
  envSize: number;
  /** Bytes of uc_context before the copy of env. */
  contextHeader: number;
  /** Byte offsets in env of registers readable and writable through the view (low 32 bits). */
  registers: ReadonlyMap<X86RegId, number>;
  /** Byte offsets in env of env->error_code and env->old_exception (int32). */
  errorCodeOffset: number;
  oldExceptionOffset: number;
}

/**
 * Registers the view may serve. EFLAGS is not among them: while the CPU runs,
 * QEMU keeps the arithmetic flags lazily in CC_SRC/CC_OP and env->eflags lacks
 * them, so EFLAGS stays with uc_reg_read/uc_reg_write, which compute them.
 * EIP and CR2 are read-only here: writing EIP through uc_reg_write also makes
 * Unicorn leave the current translated block.
 */
export const VIEW_REGISTERS = [X86Reg.EAX, X86Reg.ECX, X86Reg.EDX, X86Reg.EBX, X86Reg.ESP, X86Reg.EBP, X86Reg.ESI, X86Reg.EDI] as const;
export const VIEW_READ_ONLY_REGISTERS = [X86Reg.EIP, X86Reg.CR2] as const;

/**
 * Finds env inside the host mapping that holds `cpu`: the first place, within
 * that mapping and the first `searchLimit` bytes after `cpu`, whose bytes equal
 * the env copy in `savedContext` (taken just before, with no emulation since).
 * Returns the offset from `cpu`, or undefined. Bounded by /proc/self/maps so
 * it never reads outside mapped memory.
 */
export function findEnvOffset(cpu: unknown, savedContext: Uint8Array, contextHeader: number, searchLimit = 1 << 20): number | undefined {
  const cpuAddress = BigInt(koffi.address(cpu) as bigint | number);
  const room = bytesMappedFrom(cpuAddress);
  const envCopy = savedContext.subarray(contextHeader);
  const length = Math.min(room, searchLimit + envCopy.length);
  if (length < envCopy.length) return undefined;
  const memory = new Uint8Array(koffi.view(cpu, length) as ArrayBuffer);
  const first = new DataView(envCopy.buffer, envCopy.byteOffset, 8).getBigUint64(0, true);
  const words = new DataView(memory.buffer);
  for (let offset = 0; offset + envCopy.length <= length; offset += 8) {
    if (words.getBigUint64(offset, true) !== first) continue;
    if (Buffer.compare(memory.subarray(offset, offset + envCopy.length), envCopy) === 0) return offset;
  }
  return undefined;
}

/** Bytes from `address` to the end of the host mapping containing it (0 if unmapped). */
function bytesMappedFrom(address: bigint): number {
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (!range) continue;
    const start = BigInt(`0x${range[1]}`), end = BigInt(`0x${range[2]}`);
    if (start <= address && address < end) return Number(end - address);
  }
  return 0;
}

/**
 * The live view over one engine's env. Valid only while that engine is open:
 * the engine drops it on dispose.
 */
export class CpuStateView {
  private readonly words: Int32Array;
  /** Word index in env by register id; -1 where the register is not served. */
  private readonly readIndex: Int16Array;
  private readonly writeIndex: Int16Array;
  private readonly errorCodeIndex: number;
  private readonly oldExceptionIndex: number;

  constructor(readonly cpu: unknown, readonly layout: CpuStateLayout) {
    const bytes = koffi.view(cpu, layout.envOffset + layout.envSize) as ArrayBuffer;
    this.words = new Int32Array(bytes, layout.envOffset, layout.envSize >>> 2);
    this.readIndex = new Int16Array(256).fill(-1);
    this.writeIndex = new Int16Array(256).fill(-1);
    for (const [id, offset] of layout.registers) {
      this.readIndex[id] = offset >>> 2;
      if ((VIEW_REGISTERS as readonly number[]).includes(id)) this.writeIndex[id] = offset >>> 2;
    }
    this.errorCodeIndex = layout.errorCodeOffset >>> 2;
    this.oldExceptionIndex = layout.oldExceptionOffset >>> 2;
  }

  /** True if `id` is read through the view. */
  serves(id: X86RegId): boolean { return this.readIndex[id]! >= 0; }

  /** The low 32 bits of a served register; call serves() first. */
  read(id: X86RegId): number { return this.words[this.readIndex[id]!]! >>> 0; }

  /** Writes the low 32 bits of a general register (as uc_reg_write does in 32-bit mode); false if not served. */
  write(id: X86RegId, value: number): boolean {
    const index = this.writeIndex[id]!;
    if (index < 0) return false;
    this.words[index] = value | 0;
    return true;
  }

  /** env->error_code: the hardware error code of the exception being delivered. */
  get errorCode(): number { return this.words[this.errorCodeIndex]!; }

  /** env->old_exception: the vector QEMU will treat the next fault as nested in (-1 for none). */
  get oldException(): number { return this.words[this.oldExceptionIndex]!; }
  set oldException(vector: number) { this.words[this.oldExceptionIndex] = vector; }

  /** True if the view shows exactly the env bytes of a context saved just now. */
  matches(savedContext: Uint8Array): boolean {
    const env = new Uint8Array(this.words.buffer, this.words.byteOffset, this.layout.envSize);
    return Buffer.compare(env, savedContext.subarray(this.layout.contextHeader, this.layout.contextHeader + this.layout.envSize)) === 0;
  }
}
