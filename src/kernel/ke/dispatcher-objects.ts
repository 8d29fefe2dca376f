// Dispatcher objects: what a thread can wait for (Windows Internals 7th ed.,
// ch. 8 "Synchronization": events, mutexes, semaphores, threads). Each keeps
// its signal state and the waits blocked on it, oldest first; a satisfied
// wait has the side effect its object type defines (KiWaitSatisfyAny/All in
// the WRK): a synchronization event resets, a semaphore's count drops, a
// mutant gets an owner.
import type { Wait } from './wait.js';
import type { KThread } from './thread.js';

export type DispatcherObjectType = 'Event' | 'Mutant' | 'Semaphore' | 'Thread' | 'Process';

export abstract class DispatcherObject {
  /** Waits blocked on this object, in the order they began (KiWaitTest walks them so). */
  readonly waitList: Wait[] = [];
  abstract readonly objectType: DispatcherObjectType;

  /** Whether a wait by `thread` would be satisfied now (a mutant its owner already holds is). */
  abstract isSignalledFor(thread: KThread): boolean;

  /** The side effect of a satisfied wait; true when `thread` takes an abandoned mutant. */
  satisfyWait(_thread: KThread): boolean { return false; }
}

/** EVENT_TYPE: a notification event stays set for every waiter; a synchronization event lets one through and resets. */
export const NotificationEvent = 0;
export const SynchronizationEvent = 1;

/** KEVENT (SetEvent, ResetEvent, PulseEvent). */
export class KEvent extends DispatcherObject {
  readonly objectType = 'Event';
  constructor(readonly eventType: typeof NotificationEvent | typeof SynchronizationEvent, public signalled: boolean) { super(); }
  isSignalledFor(): boolean { return this.signalled; }
  override satisfyWait(): boolean {
    if (this.eventType === SynchronizationEvent) this.signalled = false;
    return false;
  }
}

/**
 * KMUTANT: free, or owned by one thread with a recursion count. A thread
 * that ends while owning it abandons it: the next thread to acquire it gets
 * STATUS_ABANDONED_WAIT_0 + n (WAIT_ABANDONED) once, then it is a plain mutex.
 */
export class KMutant extends DispatcherObject {
  readonly objectType = 'Mutant';
  owner: KThread | undefined;
  recursion = 0;
  abandoned = false;

  isSignalledFor(thread: KThread): boolean { return this.owner === undefined || this.owner === thread; }

  override satisfyWait(thread: KThread): boolean {
    this.owner = thread;
    this.recursion++;
    thread.ownedMutants.add(this);
    const abandoned = this.abandoned;
    this.abandoned = false;
    return abandoned;
  }

  /** KeReleaseMutant's SignalState before a release: 1 free, 1 - recursion owned. */
  get signalState(): number { return 1 - this.recursion; }

  /** One release by the owner; the mutant is free once the recursion reaches 0. */
  release(): void {
    if (--this.recursion > 0) return;
    this.owner?.ownedMutants.delete(this);
    this.owner = undefined;
  }

  /** The owner ended (KeRundownThread): the mutant becomes free and abandoned. */
  abandon(): void {
    this.owner?.ownedMutants.delete(this);
    this.owner = undefined;
    this.recursion = 0;
    this.abandoned = true;
  }
}

/** KSEMAPHORE: a count between 0 and a limit; each satisfied wait takes one. */
export class KSemaphore extends DispatcherObject {
  readonly objectType = 'Semaphore';
  constructor(public count: number, readonly limit: number) { super(); }
  isSignalledFor(): boolean { return this.count > 0; }
  override satisfyWait(): boolean {
    this.count--;
    return false;
  }
}
