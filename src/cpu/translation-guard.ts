// Unicorn 2.0.1 aborts the whole host process ("tcg.c:3073: tcg fatal
// error", SIGABRT) when it translates `ff /3` (call far) or `ff /5` (jmp far)
// with a register operand: its translator loads the far pointer through the
// memory-operand temporary that only the memory forms set (upstream issue
// 1716). A search of every one-byte opcode and every 0f, 0f 38 and 0f 3a
// opcode (bare and with 66, f2, f3) with each of the 64 register ModRM bytes,
// one forked process each, found exactly these 16 ModRM bytes after ff and
// nothing else. A real CPU raises #UD for all of them.
//
// The guard keeps the translator from ever reaching one, at no cost to code
// that is already translated:
// - guest memory is mapped without UC_PROT_EXEC, so the translator's every
//   code fetch calls the fetch-protection hook (running translated blocks
//   fetches nothing; only translation pays);
// - when a fetched byte pair is `ff` + such a ModRM, every address the
//   instruction could start at (the ff and the prefix bytes before it) becomes
//   an "exit", which Unicorn checks before translating each instruction, and
//   the hook refuses the fetch so this translation is dropped and redone;
// - the CPU then stops at the exit, and the kernel raises #UD there. An exit
//   whose bytes changed since (the guest rewrote its code) is dropped again.
//
// The same exits make in, out, ins and outs trap. Unicorn 2.0.1 compiles out
// the I/O permission check (translate.c, gen_check_io: "Unicorn: allow all
// I/O instructions"), so in ring 3 with IOPL 0 they would run, where a real
// CPU raises #GP and Windows STATUS_PRIVILEGED_INSTRUCTION. Their opcode bytes
// (e4-e7, ec-ef, 6c-6f) are common inside other instructions (`[ebp-0x14]`
// is ...ec), so matching bytes would stop translation at most blocks; the
// guard instead notes where each translated block starts and, when a fetched
// byte is an I/O opcode, decodes the block's instructions up to it
// (FetchStream below): only a real I/O instruction's first byte stops the CPU.

import { X86_PREFIXES, MAX_INSTRUCTION_LENGTH, instructionLength, isPortIoInstructionAt, isPortIoOpcode } from './x86-length.js';

/** Why the CPU must stop before an instruction: Unicorn cannot translate it (#UD), or it is port I/O (#GP). */
export type GuardStop = 'untranslatable' | 'port-io';

/** An instruction is at most 15 bytes: at most 14 prefixes before the opcode. */
const MAX_PREFIXES = MAX_INSTRUCTION_LENGTH - 1;

/** `ff` with this ModRM byte is call far (reg 3) or jmp far (reg 5) with a register operand. */
export function isFarBranchThroughRegister(modrm: number): boolean {
  const reg = (modrm >> 3) & 7;
  return (modrm & 0xc0) === 0xc0 && (reg === 3 || reg === 5);
}

/** Whether the bytes at `address` (prefixes, then an opcode) are an instruction Unicorn 2.0.1 cannot translate. */
export function isUntranslatableAt(code: Uint8Array, address: number): boolean {
  let at = address >>> 0;
  for (let prefixes = 0; prefixes <= MAX_PREFIXES && X86_PREFIXES.has(code[at]!); prefixes++) at = (at + 1) >>> 0;
  return code[at]! === 0xff && isFarBranchThroughRegister(code[(at + 1) >>> 0]!);
}

/** Fetched bytes the guard looks at: ff (a far branch's opcode) and the I/O opcodes. */
const FF = 1, IO_OPCODE = 2;
const BYTE_KIND = new Uint8Array(256);
BYTE_KIND[0xff] = FF;
for (let byte = 0; byte < 256; byte++) if (isPortIoOpcode(byte)) BYTE_KIND[byte] = IO_OPCODE;

/** Whether the bytes at `address` still are an instruction the guard stops before for `why`. */
function stillStopsAt(code: Uint8Array, address: number, why: GuardStop): boolean {
  return why === 'untranslatable' ? isUntranslatableAt(code, address) : isPortIoInstructionAt(code, address);
}

/**
 * Where the instructions of the block being translated begin. QEMU's i386
 * translator (Unicorn 2.0.1) fetches a block from its first byte on, each
 * instruction's bytes in order (prefixes, opcode, ModRM, SIB, displacement,
 * immediate), and never reads ahead: measured on this project's guests, every
 * fetch that does not continue the previous one is a block's first byte, but
 * for two cases inside one instruction: a load that crosses a page is fetched
 * again as two aligned loads, and LES/LDS re-read the byte after c4/c5 that
 * they first took for a VEX prefix. So the stream only notes where each block
 * starts; the instructions are decoded (instructionLength) from there, and
 * only when a fetched byte is an I/O opcode: whether it belongs to an I/O
 * instruction depends on where the instruction holding it begins. Bytes the
 * decoder cannot follow (more than 15 bytes, an unknown VEX map: QEMU raises
 * an exception there and ends the block) leave the rest of the block to
 * byte matching, which stops at every I/O opcode byte (complete, only slower).
 */
class FetchStream {
  /** The block being translated: its first byte; undefined between runs. */
  private blockStart: number | undefined;
  /** Where the last fetch began and ended. */
  private lastFetch = -1;
  private cursor = -1;
  /** An instruction start in this block at or before every byte still to be asked about. */
  private decoded = 0;
  /** The decoder lost the instruction boundaries in this block. */
  private lost = false;
  /** The two aligned loads a page-crossing fetch is repeated as: [address, size] pairs, in order. */
  private readonly splitLoads: number[] = [];

  constructor(private readonly code: Uint8Array) {}

  /** Forgets where the translator was: a run started, or a trap may have abandoned a translation. */
  restart(): void {
    this.blockStart = undefined;
    this.splitLoads.length = 0;
  }

  /** Notes a fetch; false for the repeated loads of a page-crossing one (their bytes were seen). */
  observe(address: number, size: number): boolean {
    if (this.splitLoads.length > 0) {
      if (this.splitLoads[0] === address && this.splitLoads[1] === size) {
        this.splitLoads.splice(0, 2);
        return false;
      }
      this.splitLoads.length = 0;
    }
    if (size > 1 && (address & 0xfff) + size > 0x1000) {
      const first = address - (address % size);
      this.splitLoads.push(first, size, first + size, size);
    }
    const vexRewind = address === this.lastFetch && (this.code[address - 1] === 0xc4 || this.code[address - 1] === 0xc5);
    if (this.blockStart === undefined || (address !== this.cursor && !vexRewind)) {
      this.blockStart = address;
      this.decoded = address;
      this.lost = false;
    }
    this.lastFetch = address;
    this.cursor = address + size;
    return true;
  }

  /**
   * The start of the instruction holding byte `at` (fetched in this block),
   * or undefined when the decoder lost the boundaries. A byte before the last
   * one asked about (a re-read) gives the instruction found then.
   */
  instructionHolding(at: number): number | undefined {
    if (this.lost) return undefined;
    let start = this.decoded;
    for (;;) {
      const length = instructionLength(this.code, start >>> 0);
      if (length === undefined) {
        this.lost = true;
        return undefined;
      }
      if (at < start + length) {
        this.decoded = start;
        return start;
      }
      start += length;
    }
  }
}

/** The translator's fetch hook and the exits it keeps; `code` is guest memory as the CPU sees it, indexed by virtual address. */
export class TranslationGuard {
  /** Addresses where the CPU must stop before translating (the `until` address among them). */
  private readonly exits = new Set<number>();
  private readonly stops = new Map<number, GuardStop>();
  private readonly stream: FetchStream;
  private until: number | undefined;
  private retranslate = false;
  /**
   * Page numbers the translator has fetched code from (a superset of the
   * pages that hold translated blocks): only these need their blocks dropped
   * when their frame changes under them (an address-space switch).
   */
  readonly translatedPages = new Set<number>();

  constructor(
    private readonly code: Uint8Array,
    private readonly applyExits: (exits: readonly number[]) => void,
    private readonly dropTranslations: () => void,
    /**
     * Whether the guest's page at an address is present. The fetch hook runs
     * before the translator's page walk, so it also sees fetches from pages
     * that are not present: their bytes in `code` are not the guest's (a
     * frame mapped ahead of the fault, or none), and the fetch is about to
     * fault anyway. Only bytes of present pages are trusted.
     */
    private readonly isPresent: (address: number) => boolean = () => true,
  ) {
    this.stream = new FetchStream(code);
  }

  /** The address uc_emu_start stops at (with exits in use, Unicorn ignores its `until`). */
  setUntil(until: number): void {
    if (this.until === until) return;
    if (this.until !== undefined && !this.stops.has(this.until)) this.exits.delete(this.until);
    this.until = until >>> 0;
    this.exits.add(this.until);
    this.applyExits([...this.exits]);
  }

  /** A run starts or a trap came: a translation in progress may have been abandoned. */
  restartFetchStream(): void {
    this.stream.restart();
  }

  /**
   * The translator fetches `size` code bytes at `address`. True lets it go on;
   * false drops this translation (the CPU stops with UC_ERR_FETCH_PROT and
   * takeRetranslation() says to start again where it was).
   */
  onCodeFetch(address: number, size: number): boolean {
    this.translatedPages.add(address >>> 12);
    this.translatedPages.add((address + size - 1) >>> 12);
    let added = false;
    const followed = this.stream.observe(address, size);
    // The byte before is included: the ModRM is often fetched on its own, after the ff.
    for (let i = -1; i < size; i++) {
      const at = (address + i) >>> 0;
      const kind = BYTE_KIND[this.code[at]!]!;
      if (kind === 0) continue;
      if (kind === FF && isFarBranchThroughRegister(this.code[(at + 1) >>> 0]!) && this.isPresent(at) && this.isPresent((at + 1) >>> 0)) {
        added = this.addStopsBefore(at, 'untranslatable') || added;
      }
      if (kind === IO_OPCODE && i >= 0 && followed && this.isPresent(at)) added = this.addPortIoStop(at) || added;
    }
    if (!added) return true;
    this.applyExits([...this.exits]);
    this.stream.restart();
    this.retranslate = true;
    return false;
  }

  /** After UC_ERR_FETCH_PROT: true when the guard caused it, so the CPU goes on where it was. */
  takeRetranslation(): boolean {
    const asked = this.retranslate;
    this.retranslate = false;
    return asked;
  }

  hasStop(eip: number): boolean {
    return this.stops.has(eip >>> 0);
  }

  /**
   * The CPU stopped at `eip`: why, when it is an instruction the guest must
   * get an exception for (#UD or #GP). A stop whose bytes were rewritten is
   * removed (and the block that ended there is translated again).
   */
  stopReachedAt(eip: number): GuardStop | undefined {
    const why = this.stops.get(eip >>> 0);
    if (why === undefined) return undefined;
    // A page trimmed since: its bytes are not the guest's; the fetch will fault it back in and the guard look again.
    if (this.decidableAt(eip >>> 0, why) && stillStopsAt(this.code, eip >>> 0, why)) return why;
    this.stops.delete(eip >>> 0);
    if (eip >>> 0 !== this.until) this.exits.delete(eip >>> 0);
    this.applyExits([...this.exits]);
    this.dropTranslations();
    return undefined;
  }

  /** The I/O opcode byte `at` was fetched: a stop at the instruction holding it if that is port I/O; true if new. */
  private addPortIoStop(at: number): boolean {
    const start = this.stream.instructionHolding(at);
    if (start === undefined) return this.addStopsBefore(at, 'port-io');
    return isPortIoInstructionAt(this.code, start >>> 0) && this.addStop(start >>> 0, 'port-io');
  }

  /** Stops at the opcode at `opcode` and at each prefix before it (wherever the instruction starts); true if any was new. */
  private addStopsBefore(opcode: number, why: GuardStop): boolean {
    let added = false;
    let at = opcode;
    for (let back = 0; back <= MAX_PREFIXES; back++) {
      added = this.addStop(at, why) || added;
      at = (at - 1) >>> 0;
      if (!X86_PREFIXES.has(this.code[at]!)) break;
    }
    return added;
  }

  /** Whether the bytes that decide a stop at `address` (its prefixes, the opcode, an ff's ModRM) are on present pages. */
  private decidableAt(address: number, why: GuardStop): boolean {
    let at = address;
    for (let prefixes = 0; prefixes <= MAX_PREFIXES; prefixes++) {
      if (!this.isPresent(at)) return false;
      if (!X86_PREFIXES.has(this.code[at]!)) break;
      at = (at + 1) >>> 0;
    }
    return why === 'port-io' || this.isPresent((at + 1) >>> 0);
  }

  private addStop(at: number, why: GuardStop): boolean {
    if (this.stops.has(at)) return false;
    this.stops.set(at, why);
    this.exits.add(at);
    return true;
  }
}
