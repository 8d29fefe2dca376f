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

/** x86 prefixes that may stand before the opcode (operand/address size, lock, rep, segments). */
const PREFIXES = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]);
/** An instruction is at most 15 bytes: at most 14 prefixes before the opcode. */
const MAX_PREFIXES = 14;

/** `ff` with this ModRM byte is call far (reg 3) or jmp far (reg 5) with a register operand. */
export function isFarBranchThroughRegister(modrm: number): boolean {
  const reg = (modrm >> 3) & 7;
  return (modrm & 0xc0) === 0xc0 && (reg === 3 || reg === 5);
}

/** Whether the bytes at `address` (prefixes, then an opcode) are an instruction Unicorn 2.0.1 cannot translate. */
export function isUntranslatableAt(byteAt: (address: number) => number, address: number): boolean {
  let at = address >>> 0;
  for (let prefixes = 0; prefixes <= MAX_PREFIXES && PREFIXES.has(byteAt(at)); prefixes++) at = (at + 1) >>> 0;
  return byteAt(at) === 0xff && isFarBranchThroughRegister(byteAt((at + 1) >>> 0));
}

export class TranslationGuard {
  /** Addresses where the CPU must stop before translating (the `until` address among them). */
  private readonly exits = new Set<number>();
  private readonly untranslatable = new Set<number>();
  private until: number | undefined;
  private retranslate = false;

  constructor(
    private readonly byteAt: (address: number) => number,
    private readonly applyExits: (exits: readonly number[]) => void,
    private readonly dropTranslations: () => void,
  ) {}

  /** The address uc_emu_start stops at (with exits in use, Unicorn ignores its `until`). */
  setUntil(until: number): void {
    if (this.until === until) return;
    if (this.until !== undefined) this.exits.delete(this.until);
    this.until = until >>> 0;
    this.exits.add(this.until);
    this.applyExits([...this.exits]);
  }

  /**
   * The translator fetches `size` code bytes at `address`. True lets it go on;
   * false drops this translation (the CPU stops with UC_ERR_FETCH_PROT and
   * takeRetranslation() says to start again where it was).
   */
  onCodeFetch(address: number, size: number): boolean {
    // The byte before is included: the ModRM is often fetched on its own, after the ff.
    for (let i = -1; i < size; i++) {
      const at = (address + i) >>> 0;
      if (this.byteAt(at) === 0xff && isFarBranchThroughRegister(this.byteAt((at + 1) >>> 0)) && this.addStopsBefore(at)) {
        this.retranslate = true;
        return false;
      }
    }
    return true;
  }

  /** After UC_ERR_FETCH_PROT: true when the guard caused it, so the CPU goes on where it was. */
  takeRetranslation(): boolean {
    const asked = this.retranslate;
    this.retranslate = false;
    return asked;
  }

  hasStop(eip: number): boolean {
    return this.untranslatable.has(eip >>> 0);
  }

  /**
   * The CPU stopped at `eip`: true when it is an untranslatable instruction the
   * guest must get #UD for. A stop whose bytes were rewritten is removed (and
   * the block that ended there is translated again).
   */
  stoppedAtUntranslatable(eip: number): boolean {
    if (!this.untranslatable.has(eip >>> 0)) return false;
    if (isUntranslatableAt(this.byteAt, eip)) return true;
    this.untranslatable.delete(eip >>> 0);
    this.exits.delete(eip >>> 0);
    this.applyExits([...this.exits]);
    this.dropTranslations();
    return false;
  }

  /** Stops at the ff at `opcode` and at each prefix before it; true if any was new. */
  private addStopsBefore(opcode: number): boolean {
    let added = false;
    let at = opcode;
    for (let back = 0; back <= MAX_PREFIXES; back++) {
      if (!this.exits.has(at)) {
        this.exits.add(at);
        this.untranslatable.add(at);
        added = true;
      }
      at = (at - 1) >>> 0;
      if (!PREFIXES.has(this.byteAt(at))) break;
    }
    if (added) this.applyExits([...this.exits]);
    return added;
  }
}
