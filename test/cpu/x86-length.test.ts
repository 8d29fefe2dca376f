// The instruction-length decoder the translation guard follows the translator
// with. Expected lengths: the encodings of the Intel SDM vol. 2 (written out
// by hand below), and capstone (an independent decoder) on random bytes.
import { describe, expect, it } from 'vitest';
import { instructionLength, isPortIoInstructionAt } from '../../src/cpu/x86-length.js';
import { Disassembler } from '../../src/cpu/disassembler.js';

/** Guest memory with `bytes` at 0x401000 and nops after them. */
function at(bytes: readonly number[]): Uint8Array {
  const code = new Uint8Array(0x401000 + 32).fill(0x90);
  code.set(bytes, 0x401000);
  return code;
}
const lengthOf = (bytes: readonly number[]) => instructionLength(at(bytes), 0x401000);

describe('instructionLength', () => {
  it.each([
    ['in al, dx', [0xec], 1],
    ['in al, 0x60', [0xe4, 0x60], 2],
    ['out dx, ax', [0x66, 0xef], 2],
    ['rep insb', [0xf3, 0x6c], 2],
    ['lea eax, [ebp-0x14]', [0x8d, 0x45, 0xec], 3],
    ['lea eax, [esp+disp32] (SIB, disp32)', [0x8d, 0x84, 0x24, 0xec, 0xe5, 0xe6, 0xe7], 7],
    ['mov eax, [disp32] (mod 00, rm 101)', [0x8b, 0x05, 1, 2, 3, 4], 6],
    ['mov eax, [ebp+eax*2] through SIB base 101 and mod 00: disp32', [0x8b, 0x04, 0x45, 1, 2, 3, 4], 7],
    ['lea eax, [bp-0x13] (67: 16-bit addressing, disp8)', [0x67, 0x8d, 0x46, 0xed], 4],
    ['mov eax, [0x1234] with 67 (mod 00, rm 110: disp16)', [0x67, 0x8b, 0x06, 0x34, 0x12], 5],
    ['mov ax, 0xefee (66: imm16)', [0x66, 0xb8, 0xee, 0xef], 4],
    ['mov eax, imm32', [0xb8, 1, 2, 3, 4], 5],
    ['add dword [eax], imm32', [0x81, 0x00, 1, 2, 3, 4], 6],
    ['add word [eax], imm16', [0x66, 0x81, 0x00, 1, 2], 5],
    ['imul eax, ecx, imm8', [0x6b, 0xc1, 0x05], 3],
    ['test al, 1', [0xf6, 0xc0, 0x01], 3],
    ['test dword [disp32], imm32', [0xf7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8], 10],
    ['not dword [eax] (f7 /2: no immediate)', [0xf7, 0x10], 2],
    ['mov eax, [moffs32]', [0xa1, 1, 2, 3, 4], 5],
    ['mov eax, [moffs16] with 67', [0x67, 0xa1, 1, 2], 4],
    ['call far ptr16:32', [0x9a, 1, 2, 3, 4, 5, 6], 7],
    ['call far ptr16:16 with 66', [0x66, 0x9a, 1, 2, 3, 4], 6],
    ['enter 0x10, 1', [0xc8, 0x10, 0x00, 0x01], 4],
    ['ret 8', [0xc2, 0x08, 0x00], 3],
    ['jmp rel32', [0xe9, 1, 2, 3, 4], 5],
    ['jz rel32', [0x0f, 0x84, 1, 2, 3, 4], 6],
    ['mov eax, cr3 (0f 20 ignores mod: always a register)', [0x0f, 0x20, 0x18], 3],
    ['shld eax, ecx, 4', [0x0f, 0xa4, 0xc8, 0x04], 4],
    ['pshufb mm0, mm1 (0f 38)', [0x0f, 0x38, 0x00, 0xc1], 4],
    ['palignr mm0, mm1, 8 (0f 3a)', [0x0f, 0x3a, 0x0f, 0xc1, 0x08], 5],
    ['pshufw mm0, mm1, 0x1b', [0x0f, 0x70, 0xc1, 0x1b], 4],
    ['pmulhrw (3DNow!, suffix byte)', [0x0f, 0x0f, 0xc1, 0xb7], 4],
    ['extrq xmm0, 4, 8 (SSE4a: 66 0f 78 /0 ib ib)', [0x66, 0x0f, 0x78, 0xc0, 0x04, 0x08], 6],
    ['insertq xmm0, xmm1, 4, 8 (f2 0f 78 /r ib ib)', [0xf2, 0x0f, 0x78, 0xc1, 0x04, 0x08], 6],
    ['vmread eax, ecx (0f 78 without 66/f2)', [0x0f, 0x78, 0xc8], 3],
    ['fld dword [eax]', [0xd9, 0x00], 2],
    ['les eax, [esi] (c4 with mod 00: not VEX)', [0xc4, 0x06], 2],
    ['vzeroupper (c5 VEX)', [0xc5, 0xf8, 0x77], 3],
    ['andn eax, eax, ecx (c4 VEX map 0f38)', [0xc4, 0xe2, 0x78, 0xf2, 0xc1], 5],
    ['rorx eax, ecx, 5 (c4 VEX map 0f3a)', [0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x05], 6],
    ['vpshufd xmm0, xmm1, 0x1b (c5, 0f 70 takes imm8)', [0xc5, 0xf9, 0x70, 0xc1, 0x1b], 5],
  ])('%s: %s bytes', (_name, bytes, length) => {
    expect(lengthOf(bytes)).toBe(length);
  });

  it('more than 15 bytes is no instruction (#GP)', () => {
    expect(lengthOf([...Array<number>(14).fill(0x66), 0xb8, 1, 2])).toBeUndefined();
    expect(lengthOf([...Array<number>(13).fill(0x2e), 0x90])).toBe(14);
  });

  it('agrees with capstone on 60,000 random byte strings (ud0 and ud1, #UD anyway, aside)', () => {
    const disassembler = new Disassembler();
    try {
      let seed = 0x2545f491;
      const random = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) & 0xff; };
      const leads = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a], [0x66], [0x67], [0xf3], [0xc4], [0xc5], [0x66, 0x0f]];
      const disagreements: string[] = [];
      const code = at([]);
      let compared = 0;
      for (let i = 0; i < 60_000; i++) {
        const lead = leads[i % leads.length]!;
        const bytes = [...lead, ...Array.from({ length: 16 - lead.length }, random)];
        code.set(bytes, 0x401000);
        const decoded = disassembler.decode(Uint8Array.from(bytes), 0x401000);
        if (decoded.text.startsWith('db ') || /^ud[01]\b/.test(decoded.text)) continue;
        compared++;
        const length = instructionLength(code, 0x401000);
        if (length !== decoded.size) disagreements.push(`${decoded.text}: capstone ${decoded.size}, here ${length}`);
      }
      expect(disagreements.slice(0, 10)).toEqual([]);
      expect(compared).toBeGreaterThan(40_000);
    } finally {
      disassembler.dispose();
    }
  });
});

describe('isPortIoInstructionAt', () => {
  const IO = [0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d, 0x6e, 0x6f];
  it('is true for the twelve I/O opcodes, bare or behind prefixes, and for nothing else', () => {
    const found = Array.from({ length: 256 }, (_, opcode) => opcode).filter((opcode) => isPortIoInstructionAt(at([opcode, 0]), 0x401000));
    expect(found).toEqual([...IO].sort((a, b) => a - b));
    for (const prefixes of [[0x66], [0xf3], [0x2e, 0x3e], [0x67, 0x66, 0xf2]]) {
      for (const opcode of IO) expect(isPortIoInstructionAt(at([...prefixes, opcode]), 0x401000)).toBe(true);
    }
  });

  it('is false behind lock (a #UD, not a #GP) and for an opcode reached only past 15 bytes', () => {
    expect(isPortIoInstructionAt(at([0xf0, 0xec]), 0x401000)).toBe(false);
    expect(isPortIoInstructionAt(at([...Array<number>(15).fill(0x66), 0xec]), 0x401000)).toBe(false);
    expect(isPortIoInstructionAt(at([...Array<number>(14).fill(0x66), 0xec]), 0x401000)).toBe(true);
    expect(isPortIoInstructionAt(at([0x0f, 0xec]), 0x401000)).toBe(false);
  });
});
