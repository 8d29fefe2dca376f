// The length of one i386 instruction in 32-bit protected mode, from its bytes
// alone: the translation guard (translation-guard.ts) follows the
// translator's code fetches instruction by instruction with it, so it must
// agree with QEMU's decoder on every instruction QEMU translates. Tables after
// the Intel SDM vol. 2, appendix A (opcode maps), checked against capstone
// (test/cpu/x86-length.test.ts). Instructions QEMU refuses (#UD) end the
// translated block, so their length never matters.

/** Prefix bytes (group 1-4) QEMU's decoder accepts before an opcode in 32-bit mode. */
export const X86_PREFIXES: ReadonlySet<number> = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]);
/** An instruction longer than 15 bytes is #GP: the decoder stops there. */
export const MAX_INSTRUCTION_LENGTH = 15;

// Operand kinds, one per opcode: what follows the opcode.
const NONE = 0, MODRM = 1, REGISTER = 15, IB = 2, IZ = 3, MODRM_IB = 4, MODRM_IZ = 5, IW = 6, ENTER = 7, FAR_POINTER = 8, MOFFS = 9, IV = 10, GROUP3 = 11, PREFIX = 12, ESCAPE = 13, VEX_OR_MODRM = 14;
type OperandKind = number;

/** Kinds of the one-byte opcodes, 16 to a row. */
const ONE_BYTE = Uint8Array.from([
  /* 0x */ MODRM, MODRM, MODRM, MODRM, IB, IZ, NONE, NONE, MODRM, MODRM, MODRM, MODRM, IB, IZ, NONE, ESCAPE,
  /* 1x */ MODRM, MODRM, MODRM, MODRM, IB, IZ, NONE, NONE, MODRM, MODRM, MODRM, MODRM, IB, IZ, NONE, NONE,
  /* 2x */ MODRM, MODRM, MODRM, MODRM, IB, IZ, PREFIX, NONE, MODRM, MODRM, MODRM, MODRM, IB, IZ, PREFIX, NONE,
  /* 3x */ MODRM, MODRM, MODRM, MODRM, IB, IZ, PREFIX, NONE, MODRM, MODRM, MODRM, MODRM, IB, IZ, PREFIX, NONE,
  /* 4x */ NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
  /* 5x */ NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
  /* 6x */ NONE, NONE, MODRM, MODRM, PREFIX, PREFIX, PREFIX, PREFIX, IZ, MODRM_IZ, IB, MODRM_IB, NONE, NONE, NONE, NONE,
  /* 7x */ IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB, IB,
  /* 8x */ MODRM_IB, MODRM_IZ, MODRM_IB, MODRM_IB, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 9x */ NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, FAR_POINTER, NONE, NONE, NONE, NONE, NONE,
  /* Ax */ MOFFS, MOFFS, MOFFS, MOFFS, NONE, NONE, NONE, NONE, IB, IZ, NONE, NONE, NONE, NONE, NONE, NONE,
  /* Bx */ IB, IB, IB, IB, IB, IB, IB, IB, IV, IV, IV, IV, IV, IV, IV, IV,
  /* Cx */ MODRM_IB, MODRM_IB, IW, NONE, VEX_OR_MODRM, VEX_OR_MODRM, MODRM_IB, MODRM_IZ, ENTER, NONE, IW, NONE, NONE, IB, NONE, NONE,
  /* Dx */ MODRM, MODRM, MODRM, MODRM, IB, IB, NONE, NONE, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* Ex */ IB, IB, IB, IB, IB, IB, IB, IB, IZ, IZ, FAR_POINTER, IB, NONE, NONE, NONE, NONE,
  /* Fx */ PREFIX, NONE, PREFIX, PREFIX, NONE, NONE, GROUP3, GROUP3, NONE, NONE, NONE, NONE, NONE, NONE, MODRM, MODRM,
]);

/** Kinds of the 0f xx opcodes; 0f 38 and 0f 3a are the three-byte maps. Mov to and from CR/DR (0f 20-23) ignore ModRM's mod: always a register. */
const TWO_BYTE = Uint8Array.from([
  /* 0x */ MODRM, MODRM, MODRM, MODRM, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, MODRM, NONE, MODRM_IB,
  /* 1x */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 2x */ REGISTER, REGISTER, REGISTER, REGISTER, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 3x */ NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, ESCAPE, NONE, ESCAPE, NONE, NONE, NONE, NONE, NONE,
  /* 4x */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 5x */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 6x */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 7x */ MODRM_IB, MODRM_IB, MODRM_IB, MODRM_IB, MODRM, MODRM, MODRM, NONE, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* 8x */ IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ, IZ,
  /* 9x */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* Ax */ NONE, NONE, NONE, MODRM, MODRM_IB, MODRM, MODRM, MODRM, NONE, NONE, NONE, MODRM, MODRM_IB, MODRM, MODRM, MODRM,
  /* Bx */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM_IB, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* Cx */ MODRM, MODRM, MODRM_IB, MODRM, MODRM_IB, MODRM_IB, MODRM_IB, MODRM, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
  /* Dx */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* Ex */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
  /* Fx */ MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM, MODRM,
]);

/** Opcodes of the VEX 0f map that take an imm8 (vcmpps, vpshufd, the shifts by immediate, vpinsrw, vpextrw, vshufps). */
const VEX_0F_WITH_IMM8 = new Set([0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6]);

/** The I/O instructions: in (e4, e5, ec, ed), out (e6, e7, ee, ef), ins (6c, 6d), outs (6e, 6f). */
export function isPortIoOpcode(opcode: number): boolean {
  return (opcode >= 0xe4 && opcode <= 0xe7) || (opcode >= 0xec && opcode <= 0xef) || (opcode >= 0x6c && opcode <= 0x6f);
}

// Prefix bytes by what they change (a table: the guard decodes thousands of instructions per translation).
const IS_PREFIX = 1, OPERAND_16 = 2, ADDRESS_16 = 4, LOCK = 8, REPNE = 16, REP = 32;
const PREFIX_FLAGS = new Uint8Array(256);
for (const prefix of X86_PREFIXES) PREFIX_FLAGS[prefix] = IS_PREFIX;
PREFIX_FLAGS[0x66] = IS_PREFIX | OPERAND_16;
PREFIX_FLAGS[0x67] = IS_PREFIX | ADDRESS_16;
PREFIX_FLAGS[0xf0] = IS_PREFIX | LOCK;
PREFIX_FLAGS[0xf2] = IS_PREFIX | REPNE;
PREFIX_FLAGS[0xf3] = IS_PREFIX | REP;

/**
 * Whether the instruction at `address` is in, out, ins or outs (with any
 * prefixes but lock, which makes it #UD instead): in ring 3 with IOPL 0, as
 * Windows runs user code, each is a #GP (Intel SDM vol. 1, 19.5.1).
 */
export function isPortIoInstructionAt(code: Uint8Array, address: number): boolean {
  let at = address >>> 0;
  for (let count = 0; PREFIX_FLAGS[code[at]!]! & IS_PREFIX; count++) {
    if (count >= MAX_INSTRUCTION_LENGTH - 1 || PREFIX_FLAGS[code[at]!]! & LOCK) return false;
    at = (at + 1) >>> 0;
  }
  return isPortIoOpcode(code[at]!);
}

/** Bytes of ModRM, SIB and displacement at `at` (the ModRM byte). */
function modrmLength(code: Uint8Array, at: number, address16: boolean): number {
  const modrm = code[at]!;
  const mod = modrm >> 6, rm = modrm & 7;
  if (mod === 3) return 1;
  if (address16) {
    if (mod === 0) return rm === 6 ? 3 : 1;
    return mod === 1 ? 2 : 3;
  }
  let length = 1;
  let base = rm;
  if (rm === 4) {
    length++;
    base = code[(at + 1) >>> 0]! & 7;
  }
  if (mod === 0) return base === 5 ? length + 4 : length;
  return mod === 1 ? length + 1 : length + 4;
}

/**
 * Length in bytes (1-15) of the instruction at `address`, as QEMU's i386
 * decoder consumes it in 32-bit mode; undefined when it is longer than 15
 * bytes (QEMU raises #GP) or a VEX form QEMU does not take.
 */
export function instructionLength(code: Uint8Array, address: number): number | undefined {
  const start = address >>> 0;
  let at = start, flags = 0;
  for (let count = 0; PREFIX_FLAGS[code[at]!]! & IS_PREFIX; count++) {
    if (count >= MAX_INSTRUCTION_LENGTH - 1) return undefined;
    flags |= PREFIX_FLAGS[code[at]!]!;
    at = (at + 1) >>> 0;
  }
  const operand16 = (flags & OPERAND_16) !== 0, address16 = (flags & ADDRESS_16) !== 0;
  const opcode = code[at]!;
  at = (at + 1) >>> 0;
  let kind = ONE_BYTE[opcode]!;
  if (kind === ESCAPE) {
    const second = code[at]!;
    at = (at + 1) >>> 0;
    kind = TWO_BYTE[second]!;
    // SSE4a extrq / insertq with immediates (66 or f2 before 0f 78; QEMU picks 66 first, then f3, then f2) take two imm8.
    if (second === 0x78 && (operand16 || (flags & (REPNE | REP)) === REPNE)) return finish(start, operandsEnd(code, MODRM, at, false, address16) + 2);
    if (kind === ESCAPE) {
      at = (at + 1) >>> 0;
      kind = second === 0x3a ? MODRM_IB : MODRM;
    }
  } else if (kind === GROUP3) {
    // f6 /0 and f7 /0 (test) take an immediate; so does /1, test's alias on real CPUs (QEMU: #UD).
    kind = ((code[at]! >> 3) & 7) <= 1 ? (opcode === 0xf6 ? MODRM_IB : MODRM_IZ) : MODRM;
  } else if (kind === VEX_OR_MODRM) {
    // In 32-bit mode c4/c5 are VEX only when the next byte's top bits are 11 (else LES/LDS).
    if ((code[at]! & 0xc0) === 0xc0) return finish(start, vexLength(code, opcode, at));
    kind = MODRM;
  }
  return finish(start, operandsEnd(code, kind, at, operand16, address16));
}

function finish(start: number, end: number | undefined): number | undefined {
  if (end === undefined) return undefined;
  const length = (end - start) >>> 0;
  return length <= MAX_INSTRUCTION_LENGTH ? length : undefined;
}

/** Where the operands of an opcode of `kind` that start at `at` end. */
function operandsEnd(code: Uint8Array, kind: OperandKind, at: number, operand16: boolean, address16: boolean): number {
  const immediate = operand16 ? 2 : 4;
  switch (kind) {
    case NONE: return at;
    case MODRM: return at + modrmLength(code, at, address16);
    case REGISTER: return at + 1;
    case IB: return at + 1;
    case IZ: case IV: return at + immediate;
    case MODRM_IB: return at + modrmLength(code, at, address16) + 1;
    case MODRM_IZ: return at + modrmLength(code, at, address16) + immediate;
    case IW: return at + 2;
    case ENTER: return at + 3;
    case FAR_POINTER: return at + immediate + 2;
    case MOFFS: return at + (address16 ? 2 : 4);
    default: return at + MAX_INSTRUCTION_LENGTH;
  }
}

/** VEX: c5 xx (map 0f) or c4 xx xx (map from mmmmm), then opcode and ModRM. */
function vexLength(code: Uint8Array, vex: number, at: number): number | undefined {
  let map = 1;
  if (vex === 0xc4) {
    map = code[at]! & 0x1f;
    at = (at + 1) >>> 0;
  }
  at = (at + 1) >>> 0;
  const opcode = code[at]!;
  at = (at + 1) >>> 0;
  if (map === 1 && opcode === 0x77) return at;
  if (map === 1) return at + modrmLength(code, at, false) + (VEX_0F_WITH_IMM8.has(opcode) ? 1 : 0);
  if (map === 2) return at + modrmLength(code, at, false);
  if (map === 3) return at + modrmLength(code, at, false) + 1;
  return undefined;
}
