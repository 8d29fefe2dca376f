// The initial thread's stack: a reservation with its top committed and a
// guard page that moves down as the stack grows; the TEB records the bounds.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { STATUS_STACK_OVERFLOW } from '../../src/nt/status.js';
import { formatExceptionReport } from '../../src/kernel/exception-report.js';
import { PROJECT_ROOT, guestElf, runChecks, runGuest } from '../helpers/guests.js';
import type { PageFaultEvent } from '../../src/trace/events.js';

const SOURCE = 'test/guests/stack-growth.c';

describe('the TEB, the PEB and the stack they describe', () => {
  it('FS reaches the TEB; StackBase, StackLimit and DeallocationStack match the VAD and the guard page', async () => {
    const run = await runChecks(SOURCE, ['env', '0x100000']);
    expect(run.stdout).toMatch(/^16 checks, 0 failed$/m);
  });

  it('the reservation comes from --stack, else from the ELF (PT_GNU_STACK), rounded to 64 KiB', async () => {
    await runChecks(SOURCE, ['env', '0x40000'], { stackReserveBytes: 200 * 1024 });
    const elf = join(mkdtempSync(join(tmpdir(), 'mmscope-stack-')), 'stack.elf');
    buildGuest({ sources: [join(PROJECT_ROOT, SOURCE)], output: elf, stackReserveBytes: 0x30000 });
    const run = await runGuest(elf, { args: ['env', '0x30000'] });
    expect(run.stdout).toMatch(/^16 checks, 0 failed$/m);
    const option = await runGuest(elf, { args: ['env', '0x20000'], machine: { stackReserveBytes: 0x20000 } });
    expect(option.stdout).toMatch(/^16 checks, 0 failed$/m);
  });
});

describe('stack growth through the guard page', () => {
  it('each new page moves the guard and StackLimit down one page, inside the kernel, with commit growing', async () => {
    const run = await runChecks(SOURCE, ['grow', '40']);
    const growth = run.events.filter((e): e is PageFaultEvent => e.type === 'page-fault' && e.resolution === 'stack-growth');
    expect(growth.length).toBeGreaterThanOrEqual(40);
    growth.forEach((event, i) => {
      expect(event.stackLimit).toBe((event.address & ~0xfff) >>> 0);
      if (i > 0) expect(growth[i - 1]!.stackLimit! - event.stackLimit!).toBe(0x1000);
    });
    expect(run.events.some((e) => e.type === 'exception')).toBe(false);
    const stack = run.machine.stackVad;
    expect(stack.endAddress - stack.startAddress).toBe(0x100000);
    // Committed: the pages from the last StackLimit up to StackBase, plus the new guard page.
    expect(stack.commitCharge).toBe((stack.endAddress - growth.at(-1)!.stackLimit!) / 0x1000 + 1);
  });

  it('frames larger than a page are probed top-down, so they never skip the guard page', async () => {
    await runChecks(SOURCE, ['big-frames']);
  });

  it('running into the end of the reservation raises STATUS_STACK_OVERFLOW, which a vectored handler catches', async () => {
    const run = await runChecks(SOURCE, ['overflow']);
    const exceptions = run.events.filter((e) => e.type === 'exception');
    expect(exceptions).toMatchObject([{ code: STATUS_STACK_OVERFLOW, firstChance: true }]);
    const overflow = run.events.find((e): e is PageFaultEvent => e.type === 'page-fault' && e.resolution === 'stack-overflow');
    expect(overflow?.stackLimit).toBe(run.machine.stackVad.startAddress + 0x2000);
  });

  it('unhandled, it ends the process with 0xC00000FD and the report', async () => {
    const run = await runGuest(guestElf(SOURCE), { args: ['unhandled'] });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_STACK_OVERFLOW });
    if (run.outcome.reason !== 'exception') return;
    expect(formatExceptionReport(run.outcome.exception)).toContain('STATUS_STACK_OVERFLOW (0xC00000FD)');
  });
});
