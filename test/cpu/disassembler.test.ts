import { describe, expect, it } from 'vitest';
import { Disassembler } from '../../src/cpu/disassembler.js';

describe('disassembler', () => {
  it('costs nothing until the first decode, then decodes synchronously', () => {
    const disassembler = new Disassembler();
    try {
      expect(disassembler.loaded).toBe(false);
      // 0F 01 /2 is LGDT m (Intel SDM vol. 2A); ModRM 0x10 = [eax], reg field 2.
      expect(disassembler.decode(Uint8Array.of(0x0f, 0x01, 0x10, 0x90), 0x401000)).toEqual({ text: 'lgdt [eax]', size: 3 });
      expect(disassembler.loaded).toBe(true);
      expect(disassembler.decode(Uint8Array.of(0x90), 0)).toEqual({ text: 'nop', size: 1 });
    } finally {
      disassembler.dispose();
    }
  });
});
