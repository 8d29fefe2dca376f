// NT system services through int 0x2e: results, bad pointers and unknown services.
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest, syscallEvents } from '../helpers/guests.js';
import type { PageFaultEvent, SystemCallEvent } from '../../src/trace/events.js';

describe('NT system services', () => {
  it('answer every misuse with the NTSTATUS Windows gives and keep the kernel intact', async () => {
    const run = await runGuest(guestElf('test/guests/nt-services.c'));
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    const results = Object.fromEntries(run.stdout.trim().split('\n').map((line) => line.split(' ') as [string, string]));
    expect(results).toMatchObject({
      'bad-buffer': 'c0000005',
      'kernel-iosb': 'c0000005',
      'null-iosb': 'c0000005',
      'bad-handle': 'c0000008',
      'stdin-handle': 'c0000008',
      'unknown-service': 'c000001c',
      'bad-edx': 'c0000005',
      'bad-terminate-handle': 'c0000008',
      'fresh-iosb': '00000000',
    });
    expect(run.stdout).toContain('iosb 00000000 10\n');
    expect(run.stderr).toBe('to stderr\n');
  });

  it('trace each call with its name, arguments and result, and the faults the kernel takes on the guest\'s behalf', async () => {
    const run = await runGuest(guestElf('test/guests/nt-services.c'));
    const calls = syscallEvents(run.events) as SystemCallEvent[];
    const unknown = calls.find((c) => c.number === 0x9999)!;
    expect(unknown).toMatchObject({ abi: 'nt', name: 'service_0x9999', result: 0xc000001c, resultName: 'STATUS_INVALID_SYSTEM_SERVICE' });
    const write = calls.find((c) => c.name === 'NtWriteFile' && c.args[0] === 11)!;
    expect(write.args).toHaveLength(9);
    expect(write.result).toBe(0);
    const kernelFault = run.events.find((e) => e.type === 'page-fault' && e.inSystemCall) as PageFaultEvent;
    expect(kernelFault).toMatchObject({ resolution: 'demand-zero', address: write.args[4], inSystemCall: 'service 0x112' });
    expect(kernelFault.errorCode & 4).toBe(0); // taken in kernel mode
    expect(calls.at(-1)).toMatchObject({ name: 'NtTerminateProcess', args: [0xffffffff, 0] });
  });
});
