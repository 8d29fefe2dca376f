// Synchronisation services over the dispatcher objects (ke/): events,
// mutants, semaphores, and the waits on them and on threads. Named objects
// go in the object directory (\BaseNamedObjects\...) as sections do;
// creating an existing name with OBJ_OPENIF opens it (STATUS_OBJECT_NAME_EXISTS),
// without it is STATUS_OBJECT_NAME_COLLISION, and another type's name is
// STATUS_OBJECT_TYPE_MISMATCH (ObInsertObject).
import {
  STATUS_INVALID_PARAMETER, STATUS_INVALID_PARAMETER_1, STATUS_INVALID_PARAMETER_3,
  STATUS_INVALID_PARAMETER_MIX, STATUS_MUTANT_NOT_OWNED, STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_EXISTS, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_OBJECT_TYPE_MISMATCH, STATUS_PENDING,
  STATUS_SEMAPHORE_LIMIT_EXCEEDED, STATUS_SUCCESS, STATUS_TIMEOUT, type NtStatus,
} from '../../nt/status.js';
import { KernelObject, type ObjectTypeName } from '../ob/handle-table.js';
import type { Process } from '../process.js';
import {
  DispatcherObject, KEvent, KMutant, KSemaphore, NotificationEvent, SynchronizationEvent,
} from '../ke/dispatcher-objects.js';
import { NtCurrentThread, type NtService, type NtServiceContext } from './nt-service.js';
import { insertHandle } from './object-services.js';
import { OBJ_OPENIF, readObjectAttributes } from './user-structures.js';

/** Access rights (winnt.h): waiting needs SYNCHRONIZE, changing an event or semaphore *_MODIFY_STATE. */
export const SYNCHRONIZE = 0x00100000;
const EVENT_MODIFY_STATE = 0x0002;
const SEMAPHORE_MODIFY_STATE = 0x0002;
const EVENT_ALL_ACCESS = 0x001f0003, MUTANT_ALL_ACCESS = 0x001f0001, SEMAPHORE_ALL_ACCESS = 0x001f0003;
const GENERIC_ALL = 0x10000000, MAXIMUM_ALLOWED = 0x02000000;
/** MAXIMUM_WAIT_OBJECTS (winnt.h). */
const MAXIMUM_WAIT_OBJECTS = 64;
const WaitAll = 0, WaitAny = 1;
/** The most negative LARGE_INTEGER: kernel32's "forever" for Sleep(INFINITE). */
const INFINITE_INTERVAL = -(1n << 63n);

const grantedAccess = (desired: number, all: number): number => (desired & (GENERIC_ALL | MAXIMUM_ALLOWED)) ? all : desired;

/**
 * Puts a new dispatcher object in the handle table under its name, or opens
 * the object of that name (see the file comment). `create` is called only
 * when a new object is needed.
 */
function createNamedObject(process: Process, type: ObjectTypeName, handleOut: number, objectAttributes: number, access: number,
  create: () => DispatcherObject): NtStatus {
  process.memory.writeU32(handleOut, 0);
  const attributes = readObjectAttributes(process.memory, objectAttributes);
  if (typeof attributes === 'number') return attributes;
  const name = attributes.name || undefined;
  const existing = name ? process.objectNames.find(name) : undefined;
  if (existing) {
    if (existing.type !== type) return STATUS_OBJECT_TYPE_MISMATCH;
    if (!(attributes.attributes & OBJ_OPENIF)) return STATUS_OBJECT_NAME_COLLISION;
    const status = insertHandle(process, existing.reference(), handleOut, access);
    return status === STATUS_SUCCESS ? STATUS_OBJECT_NAME_EXISTS : status;
  }
  const object: KernelObject = new KernelObject(type, create(), () => { if (name) process.objectNames.remove(name, object); }, name);
  if (name) process.objectNames.add(name, object);
  return insertHandle(process, object, handleOut, access);
}

/** NtOpenEvent, NtOpenMutant, NtOpenSemaphore: the named object of that type. */
function openNamedObject(process: Process, type: ObjectTypeName, handleOut: number, objectAttributes: number, access: number): NtStatus {
  process.memory.writeU32(handleOut, 0);
  const attributes = readObjectAttributes(process.memory, objectAttributes);
  if (typeof attributes === 'number') return attributes;
  if (!attributes.name) return STATUS_OBJECT_NAME_NOT_FOUND;
  const existing = process.objectNames.find(attributes.name);
  if (!existing) return STATUS_OBJECT_NAME_NOT_FOUND;
  if (existing.type !== type) return STATUS_OBJECT_TYPE_MISMATCH;
  return insertHandle(process, existing.reference(), handleOut, access);
}

function referenceBody<T>(process: Process, handle: number, type: ObjectTypeName, access: number): T | NtStatus {
  const object = process.handles.reference<T>(handle, type, access);
  return typeof object === 'number' ? object : object.body;
}

const writeOptional = (process: Process, address: number, value: number): void => { if (address) process.memory.writeU32(address, value >>> 0); };

/** NtCreateEvent(*EventHandle, DesiredAccess, ObjectAttributes, EventType, InitialState) */
export const NtCreateEvent: NtService = {
  number: 0x23,
  name: 'NtCreateEvent',
  argCount: 5,
  handler({ process }, [handle, access, attributes, eventType, initialState]) {
    if (eventType !== NotificationEvent && eventType !== SynchronizationEvent) return STATUS_INVALID_PARAMETER;
    return createNamedObject(process, 'Event', handle!, attributes!, grantedAccess(access!, EVENT_ALL_ACCESS),
      () => new KEvent(eventType, (initialState! & 0xff) !== 0));
  },
};

/** NtOpenEvent(*EventHandle, DesiredAccess, ObjectAttributes) */
export const NtOpenEvent: NtService = {
  number: 0x72,
  name: 'NtOpenEvent',
  argCount: 3,
  handler({ process }, [handle, access, attributes]) {
    return openNamedObject(process, 'Event', handle!, attributes!, grantedAccess(access!, EVENT_ALL_ACCESS));
  },
};

/** Set, reset or pulse an event; *PreviousState gets the state before (KeSetEvent/KeResetEvent/KePulseEvent). */
function changeEvent(context: NtServiceContext, handle: number, previousState: number, change: (event: KEvent) => void): NtStatus {
  const event = referenceBody<KEvent>(context.process, handle, 'Event', EVENT_MODIFY_STATE);
  if (typeof event === 'number') return event;
  const previous = event.signalled ? 1 : 0;
  change(event);
  writeOptional(context.process, previousState, previous);
  return STATUS_SUCCESS;
}

/** NtSetEvent(EventHandle, *PreviousState): waiters end in the order they began; a synchronization event lets one through. */
export const NtSetEvent: NtService = {
  number: 0xdb,
  name: 'NtSetEvent',
  argCount: 2,
  handler(context, [handle, previousState]) {
    return changeEvent(context, handle!, previousState!, (event) => {
      event.signalled = true;
      context.scheduler.signal(event);
    });
  },
};

/** NtResetEvent(EventHandle, *PreviousState) */
export const NtResetEvent: NtService = {
  number: 0xca,
  name: 'NtResetEvent',
  argCount: 2,
  handler(context, [handle, previousState]) {
    return changeEvent(context, handle!, previousState!, (event) => { event.signalled = false; });
  },
};

/** NtPulseEvent(EventHandle, *PreviousState): sets the event, ends the waits it can, resets it. */
export const NtPulseEvent: NtService = {
  number: 0x8a,
  name: 'NtPulseEvent',
  argCount: 2,
  handler(context, [handle, previousState]) {
    return changeEvent(context, handle!, previousState!, (event) => {
      event.signalled = true;
      context.scheduler.signal(event);
      event.signalled = false;
    });
  },
};

/** NtCreateMutant(*MutantHandle, DesiredAccess, ObjectAttributes, InitialOwner): owned by the caller when InitialOwner. */
export const NtCreateMutant: NtService = {
  number: 0x2b,
  name: 'NtCreateMutant',
  argCount: 4,
  handler({ process, scheduler }, [handle, access, attributes, initialOwner]) {
    return createNamedObject(process, 'Mutant', handle!, attributes!, grantedAccess(access!, MUTANT_ALL_ACCESS), () => {
      const mutant = new KMutant();
      if (initialOwner! & 0xff) mutant.satisfyWait(scheduler.current);
      return mutant;
    });
  },
};

/** NtOpenMutant(*MutantHandle, DesiredAccess, ObjectAttributes) */
export const NtOpenMutant: NtService = {
  number: 0x78,
  name: 'NtOpenMutant',
  argCount: 3,
  handler({ process }, [handle, access, attributes]) {
    return openNamedObject(process, 'Mutant', handle!, attributes!, grantedAccess(access!, MUTANT_ALL_ACCESS));
  },
};

/** NtReleaseMutant(MutantHandle, *PreviousCount): only the owner may (STATUS_MUTANT_NOT_OWNED); *PreviousCount is the SignalState before. */
export const NtReleaseMutant: NtService = {
  number: 0xbc,
  name: 'NtReleaseMutant',
  argCount: 2,
  handler({ process, scheduler }, [handle, previousCount]) {
    const mutant = referenceBody<KMutant>(process, handle!, 'Mutant', 0);
    if (typeof mutant === 'number') return mutant;
    if (mutant.owner !== scheduler.current) return STATUS_MUTANT_NOT_OWNED;
    const previous = mutant.signalState;
    mutant.release();
    if (!mutant.owner) scheduler.signal(mutant);
    writeOptional(process, previousCount!, previous);
    return STATUS_SUCCESS;
  },
};

/** NtCreateSemaphore(*SemaphoreHandle, DesiredAccess, ObjectAttributes, InitialCount, MaximumCount): 0 <= initial <= maximum, maximum > 0. */
export const NtCreateSemaphore: NtService = {
  number: 0x33,
  name: 'NtCreateSemaphore',
  argCount: 5,
  handler({ process }, [handle, access, attributes, initialCount, maximumCount]) {
    const initial = initialCount! | 0, maximum = maximumCount! | 0;
    if (maximum <= 0 || initial < 0 || initial > maximum) return STATUS_INVALID_PARAMETER;
    return createNamedObject(process, 'Semaphore', handle!, attributes!, grantedAccess(access!, SEMAPHORE_ALL_ACCESS), () => new KSemaphore(initial, maximum));
  },
};

/** NtOpenSemaphore(*SemaphoreHandle, DesiredAccess, ObjectAttributes) */
export const NtOpenSemaphore: NtService = {
  number: 0x7e,
  name: 'NtOpenSemaphore',
  argCount: 3,
  handler({ process }, [handle, access, attributes]) {
    return openNamedObject(process, 'Semaphore', handle!, attributes!, grantedAccess(access!, SEMAPHORE_ALL_ACCESS));
  },
};

/** NtReleaseSemaphore(SemaphoreHandle, ReleaseCount, *PreviousCount): past the maximum is STATUS_SEMAPHORE_LIMIT_EXCEEDED, the count unchanged. */
export const NtReleaseSemaphore: NtService = {
  number: 0xbd,
  name: 'NtReleaseSemaphore',
  argCount: 3,
  handler({ process, scheduler }, [handle, releaseCount, previousCount]) {
    const release = releaseCount! | 0;
    if (release <= 0) return STATUS_INVALID_PARAMETER;
    const semaphore = referenceBody<KSemaphore>(process, handle!, 'Semaphore', SEMAPHORE_MODIFY_STATE);
    if (typeof semaphore === 'number') return semaphore;
    if (semaphore.count + release > semaphore.limit) return STATUS_SEMAPHORE_LIMIT_EXCEEDED;
    const previous = semaphore.count;
    semaphore.count += release;
    scheduler.signal(semaphore);
    writeOptional(process, previousCount!, previous);
    return STATUS_SUCCESS;
  },
};

/**
 * A wait's timeout in scheduler ns from a *Timeout LARGE_INTEGER pointer:
 * NULL is infinite (undefined), negative a relative time in 100 ns units,
 * positive an absolute system time, 0 a poll.
 */
export function readTimeout(context: NtServiceContext, address: number): number | undefined {
  if (address === 0) return undefined;
  const bytes = context.process.memory.read(address, 8);
  const value = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
  return intervalToNs(context, value);
}

function intervalToNs(context: NtServiceContext, interval: bigint): number | undefined {
  if (interval === INFINITE_INTERVAL) return undefined;
  const hundredNs = interval <= 0n ? -interval : interval - context.process.clock.systemTime();
  return hundredNs > 0n ? Number(hundredNs) * 100 : 0;
}

/** The dispatcher object a handle names, for a wait: NtCurrentThread() is the caller; sections and files are not waitable here. */
function referenceWaitable(context: NtServiceContext, handle: number): DispatcherObject | NtStatus {
  if (handle === NtCurrentThread) return context.scheduler.current;
  const object = context.process.handles.referenceAnyType(handle, SYNCHRONIZE);
  if (typeof object === 'number') return object;
  return object.body instanceof DispatcherObject ? object.body : STATUS_OBJECT_TYPE_MISMATCH;
}

/** Blocks or answers: a satisfied or timed-out wait's status, or STATUS_PENDING while the thread waits (EAX gets the real status when it runs again). */
function waitFor(context: NtServiceContext, objects: DispatcherObject[], waitAll: boolean, timeoutAddress: number): NtStatus {
  const timeout = readTimeout(context, timeoutAddress);
  return context.scheduler.wait(objects, waitAll, timeout, STATUS_TIMEOUT) ?? STATUS_PENDING;
}

/** NtWaitForSingleObject(Handle, Alertable, *Timeout): STATUS_WAIT_0, STATUS_ABANDONED_WAIT_0 or STATUS_TIMEOUT (no APCs: never STATUS_USER_APC). */
export const NtWaitForSingleObject: NtService = {
  number: 0x10f,
  name: 'NtWaitForSingleObject',
  argCount: 3,
  handler(context, [handle, , timeout]) {
    const object = referenceWaitable(context, handle!);
    if (typeof object === 'number') return object;
    return waitFor(context, [object], false, timeout!);
  },
};

/**
 * NtWaitForMultipleObjects(Count, Handles, WaitType, Alertable, *Timeout): Count 1-64
 * (STATUS_INVALID_PARAMETER_1), WaitType WaitAll 0 or WaitAny 1 (STATUS_INVALID_PARAMETER_3),
 * one object twice in a WaitAll is STATUS_INVALID_PARAMETER_MIX (ObpWaitForMultipleObjects).
 */
export const NtWaitForMultipleObjects: NtService = {
  number: 0x10e,
  name: 'NtWaitForMultipleObjects',
  argCount: 5,
  handler(context, [count, handles, waitType, , timeout]) {
    if (count! === 0 || count! > MAXIMUM_WAIT_OBJECTS) return STATUS_INVALID_PARAMETER_1;
    if (waitType !== WaitAll && waitType !== WaitAny) return STATUS_INVALID_PARAMETER_3;
    const values = new Array<number>(count!).fill(0);
    context.process.memory.readU32s(handles!, count!, values);
    const objects: DispatcherObject[] = [];
    for (const handle of values) {
      const object = referenceWaitable(context, handle);
      if (typeof object === 'number') return object;
      objects.push(object);
    }
    if (waitType === WaitAll && new Set(objects).size !== objects.length) return STATUS_INVALID_PARAMETER_MIX;
    return waitFor(context, objects, waitType === WaitAll, timeout!);
  },
};

/**
 * NtDelayExecution(Alertable, *DelayInterval): DelayInterval in 100 ns units, negative
 * relative, positive an absolute system time; 0 only yields. STATUS_SUCCESS when the
 * time has passed (no APCs: never STATUS_ALERTED or STATUS_USER_APC). The kernel
 * clock moves ahead when no thread can run (see ke/scheduler.ts); an infinite delay
 * with nothing else to run ends the run as `waits-forever`.
 */
export const NtDelayExecution: NtService = {
  number: 0x3b,
  name: 'NtDelayExecution',
  argCount: 2,
  handler(context, [, intervalAddress]) {
    const bytes = context.process.memory.read(intervalAddress!, 8);
    const interval = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
    if (interval === 0n) {
      context.scheduler.yieldCpu();
      return STATUS_SUCCESS;
    }
    return context.scheduler.wait([], false, intervalToNs(context, interval), STATUS_SUCCESS) ?? STATUS_PENDING;
  },
};
