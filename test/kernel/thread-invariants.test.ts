// The thread invariants (src/kernel/ke/thread-view.ts) on a real address
// space without the CPU: a consistent set of threads passes; two live
// threads on one stack, an ended thread whose stack is still reserved, and a
// waiting thread missing from its object's wait list each fail loudly.
import { describe, expect, it } from 'vitest';
import { createAddressSpace } from '../helpers/memory-manager.js';
import { MM_READWRITE } from '../../src/mm/protection.js';
import { KernelPanic } from '../../src/mm/panic.js';
import { releaseVad } from '../../src/mm/virtual-memory.js';
import { KThread, type ThreadResources } from '../../src/kernel/ke/thread.js';
import { KEvent, SynchronizationEvent } from '../../src/kernel/ke/dispatcher-objects.js';
import { checkThreadInvariants } from '../../src/kernel/ke/thread-view.js';
import type { Scheduler } from '../../src/kernel/ke/scheduler.js';
import type { Process } from '../../src/kernel/process.js';
import type { AddressSpace } from '../../src/mm/address-space.js';

function setUp() {
  const { space } = createAddressSpace(1024);
  const process = { space, terminated: false } as unknown as Process;
  const region = (startingVpn: number, pages: number) => {
    const vad = space.createVad({ startingVpn, endingVpn: startingVpn + pages - 1, protection: MM_READWRITE, privateMemory: true, memCommit: false });
    if (typeof vad === 'number') throw new Error('no VAD');
    return vad;
  };
  const resources = (stackVpn: number, tebVpn: number): ThreadResources => {
    const stackVad = region(stackVpn, 16), tebVad = region(tebVpn, 1);
    return { stackVad, tebVad, tebAddress: tebVad.startAddress, stackBase: stackVad.endAddress, stackLimit: stackVad.endAddress - 0x1000 };
  };
  const main = new KThread(8, process, resources(0x100, 0x7ffde), 0x401000);
  const worker = new KThread(12, process, resources(0x200, 0x7ffdd), 0x401100);
  main.state = 'running';
  space.userStack = main.resources.stackVad;
  const scheduler = { threads: [main, worker], current: main } as unknown as Scheduler;
  return { space: space as AddressSpace, process, main, worker, scheduler };
}

describe('thread invariants', () => {
  it('a consistent set of threads passes', () => {
    const { scheduler } = setUp();
    expect(() => checkThreadInvariants(scheduler)).not.toThrow();
  });

  it('two live threads on one stack fail', () => {
    const { scheduler, main, process } = setUp();
    const intruder = new KThread(16, process, { ...main.resources, tebVad: main.resources.tebVad }, 0x401200);
    (scheduler.threads as KThread[]).push(intruder);
    expect(() => checkThreadInvariants(scheduler)).toThrow(KernelPanic);
  });

  it('an ended thread whose stack and TEB are still reserved fails; released, it passes', () => {
    const { scheduler, worker, space } = setUp();
    worker.state = 'terminated';
    expect(() => checkThreadInvariants(scheduler)).toThrow(/not released/);
    releaseVad(space, worker.resources.stackVad);
    releaseVad(space, worker.resources.tebVad);
    expect(() => checkThreadInvariants(scheduler)).not.toThrow();
  });

  it('a waiting thread missing from its object\'s wait list fails', () => {
    const { scheduler, worker } = setUp();
    const event = new KEvent(SynchronizationEvent, false);
    worker.state = 'waiting';
    worker.wait = { thread: worker, objects: [event], waitAll: false, deadline: undefined, timeoutStatus: 0x102 };
    expect(() => checkThreadInvariants(scheduler)).toThrow(/wait list/);
    event.waitList.push(worker.wait);
    expect(() => checkThreadInvariants(scheduler)).not.toThrow();
  });

  it('the stack that grows on guard-page faults must be the running thread\'s', () => {
    const { scheduler, worker, space } = setUp();
    space.userStack = worker.resources.stackVad;
    expect(() => checkThreadInvariants(scheduler)).toThrow(/grows on guard-page faults/);
  });
});
