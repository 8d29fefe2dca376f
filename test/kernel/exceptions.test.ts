// Guest mistakes end the process with the NTSTATUS Windows would raise and a report.
import { describe, expect, it } from 'vitest';
import { expectExited, guestElf, runGuest } from '../helpers/guests.js';
import {
  STATUS_ACCESS_VIOLATION, STATUS_BREAKPOINT, STATUS_ILLEGAL_INSTRUCTION, STATUS_INTEGER_DIVIDE_BY_ZERO,
  STATUS_PRIVILEGED_INSTRUCTION,
} from '../../src/nt/status.js';
import { formatExceptionReport } from '../../src/kernel/exception-report.js';

describe('access violations', () => {
  it.each([
    ['read of kernel space', ['80000000'], 'kernel-address', false],
    ['write of the page directory self-map', ['c0300000', 'w'], 'kernel-address', true],
    ['read of the never-accessible first 64 KiB', ['00001000'], 'no-vad', false],
    ['write of the 64 KiB no-access area below kernel space', ['7fff0000', 'w'], 'no-vad', true],
    ['read of unallocated user space', ['20000000'], 'no-vad', false],
    ['write to read-only code', ['00401000', 'w'], 'write-to-read-only', true],
  ])('%s', async (_name, args, why, write) => {
    const run = await runGuest(guestElf('test/guests/kernel-touch.c'), { args });
    expect(run.outcome.reason).toBe('exception');
    if (run.outcome.reason !== 'exception') return;
    const address = parseInt(args[0]!, 16);
    expect(run.outcome.exitStatus).toBe(STATUS_ACCESS_VIOLATION);
    expect(run.outcome.exception).toMatchObject({ code: STATUS_ACCESS_VIOLATION, address, write, why });
    expect(run.outcome.exception.errorCode! & 4).toBe(4);
    expect(run.stdout).not.toContain('still alive');
    const report = formatExceptionReport(run.outcome.exception);
    expect(report).toContain('STATUS_ACCESS_VIOLATION (0xC0000005)');
    expect(report).toContain(`0x${address.toString(16).padStart(8, '0')}`);
    expect(report).toMatch(/at eip 0x004[0-9a-f]{5}: mov/);
    // The runtime's dispatcher sees it first, finds no handler, and raises it again as unhandled.
    const events = run.events.filter((e) => e.type === 'exception');
    expect(events).toMatchObject([
      { code: STATUS_ACCESS_VIOLATION, address, firstChance: true },
      { code: STATUS_ACCESS_VIOLATION, address, firstChance: false },
    ]);
  });
});

describe('other CPU exceptions', () => {
  it.each([
    ['div', STATUS_INTEGER_DIVIDE_BY_ZERO],
    ['ud2', STATUS_ILLEGAL_INSTRUCTION],
    ['hlt', STATUS_PRIVILEGED_INSTRUCTION],
    ['cli', STATUS_PRIVILEGED_INSTRUCTION],
    ['int3', STATUS_BREAKPOINT],
    ['int21', STATUS_ACCESS_VIOLATION],
  ])('%s raises its NTSTATUS and ends the process with it', async (what, status) => {
    const run = await runGuest(guestElf('test/guests/cpu-exceptions.c'), { args: [what] });
    expect(run.outcome.reason).toBe('exception');
    expect(run.outcome.exitStatus).toBe(status);
    expect(run.stdout).toBe(`doing ${what}\n`);
  });
});

describe('in and out in ring 3', () => {
  // Windows x86 runs user code with IOPL 0 and no I/O permission bitmap, so every
  // in/out/ins/outs is a #GP that Windows raises as STATUS_PRIVILEGED_INSTRUCTION
  // (0xC0000096). Unicorn 2.0.1 does not check I/O permission at all
  // (translate.c, gen_check_io: "Unicorn: allow all I/O instructions"); the
  // translation guard stops before each one (test/kernel/untranslatable.test.ts
  // has the encodings one by one).
  it('each form raises STATUS_PRIVILEGED_INSTRUCTION and a handler can step over it', async () => {
    const run = await runGuest(guestElf('test/guests/cpu-exceptions.c'), { args: ['io'] });
    expect(run.stdout).toBe(`doing io\nio: 8 raised${' c0000096'.repeat(8)}\nsurvived\n`);
    expectExited(run, 0);
  });

  it.each(['in', 'out'])('an unhandled %s ends the process with 0xC0000096', async (what) => {
    const run = await runGuest(guestElf('test/guests/cpu-exceptions.c'), { args: [what] });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: 0xc0000096 });
    expect(run.stdout).toBe(`doing ${what}\n`);
  });
});

describe('CPU exceptions a handler steps over', () => {
  it('#UD, hlt and cli are delivered again and again and execution goes on after each', async () => {
    const run = await runGuest(guestElf('test/guests/cpu-exceptions.c'), { args: ['caught', '50'] });
    expect(run.outcome).toMatchObject({ reason: 'exited', exitStatus: 0 });
    expect(run.stdout).toBe('doing caught\ncaught 150\nsurvived\n');
    const codes = run.events.filter((e) => e.type === 'exception').map((e) => e.type === 'exception' && e.code);
    expect(codes.filter((c) => c === STATUS_ILLEGAL_INSTRUCTION)).toHaveLength(50);
    expect(codes.filter((c) => c === STATUS_PRIVILEGED_INSTRUCTION)).toHaveLength(100);
  });

  it('the instruction budget holds across #UD, which restarts the CPU each time', async () => {
    const run = await runGuest(guestElf('test/guests/cpu-exceptions.c'), { args: ['ud2-forever'], run: { maxInstructions: 300_000 } });
    expect(run.outcome.reason).toBe('instruction-limit');
    const raised = run.events.filter((e) => e.type === 'exception').length;
    // A round trip through the runtime's dispatcher and NtContinue costs some 50 instructions.
    expect(raised).toBeGreaterThan(1000);
    expect(raised).toBeLessThan(300_000 / 30);
  });
});
