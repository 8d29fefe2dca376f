// Bytes Unicorn 2.0.1 cannot translate (it aborts the host process on them)
// must reach the guest as the #UD a real CPU raises: STATUS_ILLEGAL_INSTRUCTION;
// port I/O it would run must reach it as #GP: STATUS_PRIVILEGED_INSTRUCTION.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest } from '../helpers/guests.js';
import { STATUS_ACCESS_VIOLATION, STATUS_ILLEGAL_INSTRUCTION, STATUS_PRIVILEGED_INSTRUCTION } from '../../src/nt/status.js';

const FLAT_BASE = 0x400000;
const directory = mkdtempSync(join(tmpdir(), 'mmscope-untranslatable-'));

function flatGuest(name: string, bytes: number[]): string {
  const path = join(directory, `${name}.bin`);
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

/** Every ModRM byte with mod = 3 and reg = 3 (call far) or 5 (jmp far): 16 values. */
const FAR_THROUGH_REGISTER = [3, 5].flatMap((reg) => [0, 1, 2, 3, 4, 5, 6, 7].map((rm) => 0xc0 | (reg << 3) | rm));

describe('far call and far jump through a register', () => {
  it.each(FAR_THROUGH_REGISTER.map((modrm) => [modrm.toString(16)]))('ff %s as the first instruction ends the process with STATUS_ILLEGAL_INSTRUCTION', async (modrm) => {
    const run = await runGuest(flatGuest(`ff-${modrm}`, [0xff, parseInt(modrm, 16)]), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_ILLEGAL_INSTRUCTION, exception: { eip: FLAT_BASE, vector: 6 } });
  });

  it.each([
    ['after other instructions', [0x90, 0x31, 0xc0, 0xff, 0xd8], 3],
    ['behind an operand-size prefix', [0x66, 0xff, 0xe8], 0],
    ['behind a lock prefix', [0xf0, 0xff, 0xdd], 0],
    ['behind several prefixes, after a push -1 whose ff byte is no opcode', [0x6a, 0xff, 0x2e, 0x66, 0xff, 0xea], 2],
  ])('%s', async (name, bytes, offset) => {
    const run = await runGuest(flatGuest(name.replace(/\W+/g, '-'), bytes), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_ILLEGAL_INSTRUCTION, exception: { eip: FLAT_BASE + offset } });
  });

  it('in code the program writes at run time, caught by a handler that steps over it, 64 times in a row', async () => {
    const run = await runGuest(guestElf('test/guests/untranslatable.c'));
    expect(run.stdout).not.toContain('FAIL');
    expect(run.stdout).toBe('caught 128 of 128\n');
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
  });

  it('without a handler the process ends with STATUS_ILLEGAL_INSTRUCTION at the written code', async () => {
    const run = await runGuest(guestElf('test/guests/untranslatable.c'), { args: ['one'] });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_ILLEGAL_INSTRUCTION });
    expect(run.stdout).not.toContain('survived');
  });
});

describe('bytes the disassembler cannot decode', () => {
  it('0f 04 is shown as its bytes and the guest gets the #UD the CPU raised', async () => {
    const run = await runGuest(flatGuest('0f04', [0x0f, 0x04]), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_ILLEGAL_INSTRUCTION, exception: { instruction: 'db 0f 04', eip: FLAT_BASE } });
  });
});

describe('far returns and iret in user mode', () => {
  it.each([
    ['retf', 0xcb],
    ['iretd', 0xcf],
  ])('%s with ESP = 0 is an access violation at 0, not a kernel panic', async (_name, opcode) => {
    // xor esp, esp; retf/iretd: QEMU pops the frame with supervisor loads, so the #PF lacks the U/S bit.
    const run = await runGuest(flatGuest(`pop-${opcode}`, [0x31, 0xe4, opcode]), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_ACCESS_VIOLATION, exception: { address: 0, eip: FLAT_BASE + 2, why: 'no-vad' } });
  });

  it('a valid retf whose stack is a page of the image not touched yet pages it in and returns', async () => {
    // mov esp, 0x401000; retf — the far pointer (0x400010, cs 0x1b) is in the file's second page; then exit(7).
    const code = new Uint8Array(0x1008);
    code.set([0xbc, 0x00, 0x10, 0x40, 0x00, 0xcb]);
    code.set([0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, 0x07, 0x00, 0x00, 0x00, 0xcd, 0x80], 0x10); // mov eax,1; mov ebx,7; int 0x80
    code.set([0x10, 0x00, 0x40, 0x00, 0x1b, 0x00, 0x00, 0x00], 0x1000);
    const run = await runGuest(flatGuest('retf-valid', [...code]), { flatBase: FLAT_BASE });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 7 });
    // The code fault's read cluster brought the second page in too (to standby): the retf's fault is a soft one.
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'page-fault', address: 0x401000, eip: FLAT_BASE + 5, resolution: 'transition' }));
  });
});

// Port I/O: Unicorn 2.0.1 runs in/out/ins/outs in ring 3 (its I/O permission
// check is compiled out); the translation guard stops before each one so the
// guest gets the #GP a CPU raises with IOPL 0: STATUS_PRIVILEGED_INSTRUCTION at
// the instruction's first prefix. Its opcode bytes inside other instructions
// must stop nothing. Encodings from the Intel SDM vol. 2 (IN, OUT, INS, OUTS).
/** mov eax, 1; mov ebx, 7; int 0x80: exit(7). */
const EXIT_7 = [0xb8, 0x01, 0x00, 0x00, 0x00, 0xbb, 0x07, 0x00, 0x00, 0x00, 0xcd, 0x80];
/** Instructions whose ModRM, displacement or immediate bytes are I/O opcodes (ec, ed, e4-e7, 6c-6f). */
const IO_BYTES_INSIDE = [
  0x8d, 0x45, 0xec, // lea eax, [ebp-0x14]
  0xb8, 0xec, 0xe4, 0x6c, 0x6d, // mov eax, 0x6d6ce4ec
  0x66, 0xb8, 0xee, 0xef, // mov ax, 0xefee (66: a 16-bit immediate)
  0x67, 0x8d, 0x46, 0xed, // lea eax, [bp-0x13] (67: 16-bit addressing, disp8)
  0x6a, 0xe5, // push -0x1b
  0xc1, 0xe0, 0x6e, // shl eax, 0x6e
  0x0f, 0xba, 0xe0, 0xe7, // bt eax, 0xe7
  0x8d, 0x84, 0x24, 0xec, 0xe5, 0xe6, 0xe7, // lea eax, [esp-0x18191a14]
];

describe('in, out, ins and outs in ring 3', () => {
  it.each([
    ['in al, dx as the first instruction', [0xec], 0],
    ['in al, 0x60 after instructions holding I/O bytes', [...IO_BYTES_INSIDE, 0xe4, 0x60], IO_BYTES_INSIDE.length],
    ['out dx, eax after them', [...IO_BYTES_INSIDE, 0xef], IO_BYTES_INSIDE.length],
    ['out dx, ax behind its operand-size prefix', [0x90, 0x66, 0xef], 1],
    ['rep insb behind rep', [0x31, 0xc0, 0xf3, 0x6c], 2],
    ['outsd behind segment prefixes', [0x90, 0x2e, 0x3e, 0x6f], 1],
    ['in eax, 0x71 (e5)', [0x40, 0xe5, 0x71], 1],
    ['out 0x80, al (e6)', [0x40, 0xe6, 0x80], 1],
    ['out 0x80, eax (e7)', [0x40, 0xe7, 0x80], 1],
    ['in eax, dx (ed)', [0x40, 0xed], 1],
    ['out dx, al (ee)', [0x40, 0xee], 1],
    ['insd (6d)', [0x40, 0x6d], 1],
    ['outsb (6e)', [0x40, 0x6e], 1],
  ])('%s raises STATUS_PRIVILEGED_INSTRUCTION there', async (name, bytes, offset) => {
    const run = await runGuest(flatGuest(`io-${name.replace(/\W+/g, '-')}`, [...bytes, ...EXIT_7]), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_PRIVILEGED_INSTRUCTION, exception: { eip: FLAT_BASE + offset, vector: 13 } });
  });

  it('I/O opcode bytes inside other instructions stop nothing: the program runs to its exit', async () => {
    const run = await runGuest(flatGuest('io-bytes-inside', [...IO_BYTES_INSIDE, ...IO_BYTES_INSIDE, ...EXIT_7]), { flatBase: FLAT_BASE });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 7 });
  });

  it('after an instruction that crosses a page (its immediate fetched as two loads), and in the first block of the next page', async () => {
    // jmp 0x400ffd; at 0x400ffd: mov eax, 0xecececec (5 bytes, to 0x401002); in al, 0x60 at 0x401002.
    const code = new Uint8Array(0x1010).fill(0x90);
    code.set([0xe9, 0xf8, 0x0f, 0x00, 0x00]);
    code.set([0xb8, 0xec, 0xec, 0xec, 0xec, 0xe4, 0x60], 0xffd);
    const run = await runGuest(flatGuest('io-page-crossing', [...code]), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_PRIVILEGED_INSTRUCTION, exception: { eip: FLAT_BASE + 0x1002 } });
  });

  it('an I/O instruction whose bytes cross a page stops at its first byte', async () => {
    // jmp 0x400ffe; at 0x400ffe: nop; 66 at 0x400fff, ef at 0x401000 (out dx, ax).
    const code = new Uint8Array(0x1008).fill(0x90);
    code.set([0xe9, 0xf9, 0x0f, 0x00, 0x00]);
    code.set([0x90, 0x66, 0xef], 0xffe);
    const run = await runGuest(flatGuest('io-split', [...code]), { flatBase: FLAT_BASE });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_PRIVILEGED_INSTRUCTION, exception: { eip: FLAT_BASE + 0xfff } });
  });
});
