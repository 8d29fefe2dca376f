// Threads as the debugger and the outputs show them (WinDbg's `~` and
// `!thread`: id, state, TEB, stack, start address), and the checks that
// keep the scheduler's structures consistent with the address space.
import { KernelPanic } from '../../mm/panic.js';
import type { Process } from '../process.js';
import type { Scheduler } from './scheduler.js';
import type { KThread, ThreadState } from './thread.js';

export interface ThreadView {
  /** The process it belongs to (WinDbg's `~` shows `Id: pid.tid`). */
  pid: number;
  tid: number;
  state: ThreadState;
  suspendCount: number;
  /** STILL_ACTIVE (0x103) while it runs. */
  exitStatus: number;
  startAddress: number;
  teb: number;
  /** The stack reservation [start, end] (inclusive), released when the thread ended. */
  stack: { start: number; end: number };
  /** Instructions it ran while the scheduler metered quanta (0 while it was the only thread). */
  instructions: number;
  /** Times the CPU was switched to it (KTHREAD.ContextSwitches). */
  contextSwitches: number;
  current: boolean;
}

export function describeThreads(scheduler: Scheduler): ThreadView[] {
  return scheduler.threads.map((thread) => ({
    pid: thread.process.id, tid: thread.tid, state: thread.state, suspendCount: thread.suspendCount, exitStatus: thread.exitStatus,
    startAddress: thread.startAddress, teb: thread.tebAddress,
    stack: { start: thread.resources.stackVad.startAddress, end: thread.resources.stackVad.endAddress - 1 },
    instructions: thread.instructions, contextSwitches: thread.contextSwitches, current: thread === scheduler.current,
  }));
}

/**
 * Throws KernelPanic when a thread's resources or scheduling state are
 * inconsistent: two live threads sharing a TEB or a stack, a live thread's
 * TEB or stack VAD replaced by another VAD, an ended thread's TEB or stack
 * still in the VAD tree (they are released at exit unless the whole process
 * ended), a waiting thread missing from its objects' wait lists, the
 * stack-growth VAD not the running thread's stack.
 */
export function checkThreadInvariants(scheduler: Scheduler): void {
  // Regions by process: every process has its own address space (two first threads both have their TEB at 0x7FFDE000).
  const seen = new Map<Process, Map<number, KThread>>();
  for (const thread of scheduler.threads) {
    const space = thread.process.space;
    if (!seen.has(thread.process)) seen.set(thread.process, new Map());
    const ownRegions = seen.get(thread.process)!;
    const { tebVad, stackVad } = thread.resources;
    const ended = thread.terminated;
    for (const vad of [tebVad, stackVad]) {
      const found = space.findVad(vad.startAddress);
      if (!ended) {
        const owner = ownRegions.get(vad.startAddress);
        if (owner) fail(`threads ${owner.tid} and ${thread.tid} share the region at ${hex(vad.startAddress)}`);
        ownRegions.set(vad.startAddress, thread);
        if (found && found !== vad) fail(`thread ${thread.tid}'s ${vad === tebVad ? 'TEB' : 'stack'} at ${hex(vad.startAddress)} is another VAD`);
      } else if (found === vad && !thread.process.terminated) {
        fail(`thread ${thread.tid} ended but its ${vad === tebVad ? 'TEB' : 'stack'} at ${hex(vad.startAddress)} was not released`);
      }
    }
    if (thread.state === 'waiting') {
      if (!thread.wait) fail(`thread ${thread.tid} waits with no wait block`);
      for (const object of thread.wait!.objects) {
        if (!object.waitList.includes(thread.wait!)) fail(`thread ${thread.tid}'s wait is missing from a ${object.objectType}'s wait list`);
      }
    } else if (thread.wait) {
      fail(`thread ${thread.tid} is ${thread.state} but still has a wait block`);
    }
  }
  const current = scheduler.current;
  if (!current.terminated && !current.process.terminated && current.process.space.userStack !== current.resources.stackVad) {
    fail(`the stack that grows on guard-page faults is not thread ${current.tid}'s`);
  }
}

const hex = (value: number): string => '0x' + (value >>> 0).toString(16).padStart(8, '0');

function fail(message: string): never {
  throw new KernelPanic(`thread invariant: ${message}`);
}
