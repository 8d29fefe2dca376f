// Bytes Unicorn 2.0.1 cannot translate (it aborts the host process on them)
// must reach the guest as the #UD a real CPU raises: STATUS_ILLEGAL_INSTRUCTION.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest } from '../helpers/guests.js';
import { STATUS_ACCESS_VIOLATION, STATUS_ILLEGAL_INSTRUCTION } from '../../src/nt/status.js';

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
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'page-fault', address: 0x401000, eip: FLAT_BASE + 5, resolution: 'section-file' }));
  });
});
