// A thread's wait on dispatcher objects (KeWaitForSingleObject,
// KeWaitForMultipleObjects): WaitAny ends when one object is signalled for
// the thread and takes that one; WaitAll ends when all are at once and takes
// them all; a timeout ends it with STATUS_TIMEOUT. What a satisfied wait
// returns: STATUS_WAIT_0 + n (the index of the object that ended it), with
// STATUS_ABANDONED_WAIT_0 added when that object was an abandoned mutant
// (for WaitAll: STATUS_ABANDONED_WAIT_0 when any was), as the WRK's
// KiWaitSatisfy* routines set Thread->WaitStatus.
import { STATUS_ABANDONED_WAIT_0, STATUS_WAIT_0, type NtStatus } from '../../nt/status.js';
import type { DispatcherObject } from './dispatcher-objects.js';
import type { KThread } from './thread.js';

export interface Wait {
  readonly thread: KThread;
  readonly objects: readonly DispatcherObject[];
  readonly waitAll: boolean;
  /** Scheduler time (see Scheduler.now) when the wait times out; undefined: never. */
  readonly deadline: number | undefined;
  /** What the wait returns when its time ends it: STATUS_TIMEOUT for object waits, STATUS_SUCCESS for a delay (Sleep). */
  readonly timeoutStatus: NtStatus;
}

/** Satisfies the wait now if it can (with the objects' side effects) and returns its status; undefined if it must block. */
export function trySatisfyWait(wait: Pick<Wait, 'thread' | 'objects' | 'waitAll'>): NtStatus | undefined {
  const { thread, objects } = wait;
  if (objects.length === 0) return undefined;
  if (wait.waitAll) {
    if (!objects.every((object) => object.isSignalledFor(thread))) return undefined;
    let abandoned = false;
    for (const object of objects) abandoned = object.satisfyWait(thread) || abandoned;
    return abandoned ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0;
  }
  const index = objects.findIndex((object) => object.isSignalledFor(thread));
  if (index < 0) return undefined;
  return (objects[index]!.satisfyWait(thread) ? STATUS_ABANDONED_WAIT_0 : STATUS_WAIT_0) + index;
}

/** Puts a blocked wait on each of its objects' wait lists. */
export function enqueueWait(wait: Wait): void {
  for (const object of new Set(wait.objects)) object.waitList.push(wait);
}

/** Takes a wait off its objects' wait lists (it was satisfied, timed out, or its thread ended). */
export function dequeueWait(wait: Wait): void {
  for (const object of new Set(wait.objects)) {
    const index = object.waitList.indexOf(wait);
    if (index >= 0) object.waitList.splice(index, 1);
  }
}
