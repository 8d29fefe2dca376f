// The translation guard without a CPU: fetch sequences as Unicorn 2.0.1's
// translator makes them (recorded from a run: each instruction's bytes in
// order, one fetch per prefix/opcode/ModRM byte and per immediate, a
// page-crossing load repeated as two aligned loads), and the stops it asks for.
import { describe, expect, it } from 'vitest';
import { TranslationGuard } from '../../src/cpu/translation-guard.js';

function guardOver(code: Uint8Array) {
  const exits: number[][] = [];
  let drops = 0;
  const guard = new TranslationGuard(code, (list) => exits.push([...list].sort((a, b) => a - b)), () => drops++);
  guard.setUntil(0xffffffff);
  return { guard, lastExits: () => exits.at(-1)!.filter((exit) => exit !== 0xffffffff), drops: () => drops };
}

/** 24 KiB of nops with `bytes` at `base`. */
function codeAt(base: number, bytes: readonly number[], code = new Uint8Array(0x6000).fill(0x90)): Uint8Array {
  code.set(bytes, base);
  return code;
}

/** Feeds the fetches in order; the index of the first one refused, or -1. */
function translate(guard: TranslationGuard, fetches: ReadonlyArray<readonly [number, number]>): number {
  guard.restartFetchStream();
  return fetches.findIndex(([address, size]) => !guard.onCodeFetch(address, size));
}

describe('translation guard: port I/O', () => {
  // lea eax, [ebp-0x14] (8d 45 ec); mov eax, 0x6d6cedec (b8 ec ed 6c 6d); in al, dx (ec) at 0x1008.
  const BLOCK = [0x8d, 0x45, 0xec, 0xb8, 0xec, 0xed, 0x6c, 0x6d, 0xec];
  const FETCHES = [[0x1000, 1], [0x1001, 1], [0x1002, 1], [0x1003, 1], [0x1004, 4], [0x1008, 1]] as const;

  it('stops before the in at its start, not at I/O bytes inside other instructions, and refuses the fetch once', () => {
    const { guard, lastExits } = guardOver(codeAt(0x1000, BLOCK));
    expect(translate(guard, FETCHES)).toBe(5);
    expect(lastExits()).toEqual([0x1008]);
    expect(guard.takeRetranslation()).toBe(true);
    expect(guard.takeRetranslation()).toBe(false);
    // The retranslation fetches the same bytes (Unicorn ends the block at the exit before fetching the in).
    expect(translate(guard, FETCHES.slice(0, 5))).toBe(-1);
    expect(guard.stopReachedAt(0x1008)).toBe('port-io');
    expect(guard.stopReachedAt(0x1003)).toBeUndefined();
  });

  it('stops at the first prefix of a prefixed I/O instruction, found when its opcode is fetched', () => {
    // nop; rep insb behind cs and data-size prefixes (2e 66 f3 6d) at 0x2001.
    const { guard, lastExits } = guardOver(codeAt(0x2000, [0x90, 0x2e, 0x66, 0xf3, 0x6d]));
    expect(translate(guard, [[0x2000, 1], [0x2001, 1], [0x2002, 1], [0x2003, 1], [0x2004, 1]])).toBe(4);
    expect(lastExits()).toEqual([0x2001]);
  });

  it('follows a page-crossing immediate fetched again as two aligned loads', () => {
    // mov eax, 0xecececec at 0x2ffd (to 0x3002), then in al, 0x60: the fetches a run recorded.
    const { guard, lastExits } = guardOver(codeAt(0x2ffd, [0xb8, 0xec, 0xec, 0xec, 0xec, 0xe4, 0x60]));
    expect(translate(guard, [[0x2ffd, 1], [0x2ffe, 4], [0x2ffc, 4], [0x3000, 4], [0x3002, 1]])).toBe(4);
    expect(lastExits()).toEqual([0x3002]);
  });

  it('a fetch that is not the next one starts a new block, decoded from there', () => {
    // Block 1 at 0x1000: mov eax, 0xececec00. Block 2 at 0x5000: out dx, al.
    const code = codeAt(0x5000, [0xee], codeAt(0x1000, [0xb8, 0x00, 0xec, 0xec, 0xec]));
    const { guard, lastExits } = guardOver(code);
    guard.restartFetchStream();
    expect(guard.onCodeFetch(0x1000, 1)).toBe(true);
    expect(guard.onCodeFetch(0x1001, 4)).toBe(true);
    expect(guard.onCodeFetch(0x5000, 1)).toBe(false);
    expect(lastExits()).toEqual([0x5000]);
  });

  it('after bytes the decoder cannot follow, every I/O byte of the block stops, with the prefixes before it', () => {
    // 15 prefixes and an opcode: no instruction (QEMU: #GP); then bytes holding ec, 66 ef and 6c.
    const bytes = [...Array<number>(15).fill(0x2e), 0x90, 0xb8, 0xec, 0x66, 0xef, 0x00, 0x6c];
    const { guard, lastExits } = guardOver(codeAt(0x1000, bytes));
    const fetches = bytes.map((_, i) => [0x1000 + i, 1] as const);
    expect(translate(guard, fetches)).toBe(17);
    expect(lastExits()).toEqual([0x1011]);
    expect(translate(guard, fetches.slice(0, 17))).toBe(-1);
    expect(translate(guard, fetches)).toBe(19);
    expect(lastExits()).toEqual([0x1011, 0x1012, 0x1013]);
  });

  it('LES re-reading the byte after c4 is no new block', () => {
    // les ebp, [esp+8] (c4 6c 24 08: 6c is inside it), then outsb at 0x1004.
    const { guard, lastExits } = guardOver(codeAt(0x1000, [0xc4, 0x6c, 0x24, 0x08, 0x6e]));
    expect(translate(guard, [[0x1000, 1], [0x1001, 1], [0x1001, 1], [0x1002, 1], [0x1003, 1], [0x1004, 1]])).toBe(5);
    expect(lastExits()).toEqual([0x1004]);
  });

  it('a stop whose bytes were rewritten is dropped, with the translations', () => {
    const code = codeAt(0x1000, BLOCK);
    const { guard, lastExits, drops } = guardOver(code);
    translate(guard, FETCHES);
    code[0x1008] = 0x90;
    expect(guard.stopReachedAt(0x1008)).toBeUndefined();
    expect(lastExits()).toEqual([]);
    expect(drops()).toBe(1);
    expect(guard.hasStop(0x1008)).toBe(false);
  });

  it('lock in is no port I/O stop (a CPU raises #UD for it)', () => {
    const { guard } = guardOver(codeAt(0x1000, [0xf0, 0xec]));
    expect(translate(guard, [[0x1000, 1], [0x1001, 1]])).toBe(-1);
  });
});

describe('translation guard: far branches through a register', () => {
  it('stops before ff d8 and the prefixes before it, found in any fetch', () => {
    // push -1 (6a ff) whose ff is no opcode; then cs, data-size, ff ea (jmp far edx) at 0x1002.
    const { guard, lastExits } = guardOver(codeAt(0x1000, [0x6a, 0xff, 0x2e, 0x66, 0xff, 0xea]));
    expect(translate(guard, [[0x1000, 1], [0x1001, 1], [0x1002, 1], [0x1003, 1], [0x1004, 1], [0x1005, 1]])).toBe(4);
    expect(lastExits()).toEqual([0x1002, 0x1003, 0x1004]);
    expect(guard.stopReachedAt(0x1002)).toBe('untranslatable');
  });
});

describe('translation guard: pages that are not present', () => {
  // The fetch hook runs before the translator's page walk: a fetch from a page that is not present
  // is about to fault, and what the host shows there is not the guest's (a frame mapped ahead, or nothing).
  it('bytes of a page that is not present make no stop; once the page is in, the same fetches do', () => {
    const code = codeAt(0x2000, [0xec, 0xff, 0xd8]);
    let present = false;
    const exits: number[][] = [];
    const guard = new TranslationGuard(code, (list) => exits.push([...list]), () => {}, (address) => present || address < 0x2000);
    guard.setUntil(0xffffffff);
    expect(translate(guard, [[0x2000, 1]])).toBe(-1);
    expect(translate(guard, [[0x2001, 1], [0x2002, 1]])).toBe(-1);
    expect(guard.hasStop(0x2000)).toBe(false);
    expect(guard.hasStop(0x2001)).toBe(false);
    present = true;
    expect(translate(guard, [[0x2000, 1]])).toBe(0);
    expect(translate(guard, [[0x2001, 1]])).toBe(0);
    expect(guard.stopReachedAt(0x2000)).toBe('port-io');
    expect(guard.stopReachedAt(0x2001)).toBe('untranslatable');
  });

  it('a stop reached on a page trimmed since is dropped (the fetch faults the page back and the guard looks again)', () => {
    const code = codeAt(0x2000, [0xec]);
    let present = true, drops = 0;
    const guard = new TranslationGuard(code, () => {}, () => drops++, () => present);
    guard.setUntil(0xffffffff);
    expect(translate(guard, [[0x2000, 1]])).toBe(0);
    present = false;
    expect(guard.stopReachedAt(0x2000)).toBeUndefined();
    expect(guard.hasStop(0x2000)).toBe(false);
    expect(drops).toBe(1);
  });

  it('an ff at the end of a present page with its ModRM on a page that is not present waits for that page', () => {
    const code = codeAt(0x1ffe, [0x90, 0xff, 0xd8]);
    let present = false;
    const guard = new TranslationGuard(code, () => {}, () => {}, (address) => address < 0x2000 || present);
    guard.setUntil(0xffffffff);
    expect(translate(guard, [[0x1ffe, 1], [0x1fff, 1], [0x2000, 1]])).toBe(-1);
    present = true;
    expect(translate(guard, [[0x1ffe, 1], [0x1fff, 1], [0x2000, 1]])).toBe(1);
    expect(guard.stopReachedAt(0x1fff)).toBe('untranslatable');
  });
});
