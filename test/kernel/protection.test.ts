// NtProtectVirtualMemory from a guest: every answer compared with the status
// Windows returns, and the hardware PTEs compared with raw x86 words.
import { describe, expect, it } from 'vitest';
import { expectExited, guestElf, runGuest } from '../helpers/guests.js';
import type { PteDumpEvent } from '../../src/trace/events.js';

const GUEST = 'test/guests/protect-pte.c';

describe('NtProtectVirtualMemory answers', () => {
  it('each bad argument with its own NTSTATUS, and a failed call leaves *OldAccessProtection alone', async () => {
    const run = await runGuest(guestElf(GUEST), { args: ['status'], machine: { checkInvariantsAfterServices: true } });
    expectExited(run, 0);
    // Values from ntstatus.h; which check answers is ReactOS ARM3 virtual.c
    // (NtProtectVirtualMemory, MiProtectVirtualMemory) and Wine's tests.
    expect(run.stdout).toBe([
      'committed 0x00000000',               // STATUS_SUCCESS
      'other-process-handle 0xc0000008',    // STATUS_INVALID_HANDLE
      'kernel-base 0xc00000f0',             // STATUS_INVALID_PARAMETER_2
      'zero-size 0xc00000f1',               // STATUS_INVALID_PARAMETER_3
      'size-past-user-space 0xc00000f1',    // STATUS_INVALID_PARAMETER_3
      'free-memory 0xc00000a0',             // STATUS_MEMORY_NOT_ALLOCATED
      'past-the-allocation 0xc0000018',     // STATUS_CONFLICTING_ADDRESSES
      'reserved-page 0xc000002d',           // STATUS_NOT_COMMITTED
      'bad-protection 0xc0000045',          // STATUS_INVALID_PAGE_PROTECTION
      'writecopy-private 0xc0000045',
      'nocache-with-noaccess 0xc0000045',
      'bad-old-pointer 0xc0000005',         // STATUS_ACCESS_VIOLATION
      'view 0x00000000',                    // STATUS_SUCCESS: PAGE_READONLY inside a read-write data view
      'old-protection 0x00000004',          // PAGE_READWRITE, the view's, from the last call that succeeded
      '',
    ].join('\n'));
  });
});

describe('hardware PTEs after VirtualAlloc and VirtualProtect', () => {
  // x86 PTE bits (Intel SDM vol. 3A, table 4-6): P 0x001, R/W 0x002, U/S 0x004,
  // PWT 0x008, PCD 0x010, A 0x020, D 0x040; the frame in bits 12-31.
  it('keep the frame, Accessed and Dirty; PAGE_NOCACHE sets PCD; an untouched committed page has a zero PTE', async () => {
    const run = await runGuest(guestElf(GUEST), { args: ['pte'], machine: { checkInvariantsAfterServices: true } });
    expectExited(run, 0);
    const [p, n] = run.stdout.trim().split('\n').at(-1)!.split(' ').map((a) => parseInt(a, 16));
    const dumps = run.events.filter((e): e is PteDumpEvent => e.type === 'pte-dump').map((e) => ({ address: e.pte.address, pte: e.pte.pte >>> 0 }));
    const frameOf = (address: number) => dumps.find((d) => d.address === address)!.pte >>> 12;
    const word = (address: number, low: number) => ({ address, pte: ((frameOf(address) << 12) | low) >>> 0 });
    expect(dumps).toEqual([
      word(p!, 0x067),            // written: P R/W U/S A D
      word(p! + 0x1000, 0x027),   // read only: no D
      word(p!, 0x065),            // PAGE_READONLY: R/W gone, D kept
      word(p! + 0x1000, 0x025),
      word(p!, 0x077),            // PAGE_READWRITE | PAGE_NOCACHE: PCD
      word(n!, 0x077),            // committed with PAGE_NOCACHE, then written
      word(n!, 0x075),            // PAGE_READONLY | PAGE_NOCACHE
      { address: p! + 0x2000, pte: 0 },
    ]);
    expect(frameOf(p!)).not.toBe(frameOf(p! + 0x1000));
    expect(frameOf(p!)).toBeGreaterThan(0);
  });
});
