// The object manager's part that mmscope needs: kernel objects with a
// reference count, a per-process handle table (handles are multiples of 4,
// the lowest free one reused first, as Windows hands them out), and named
// objects (\BaseNamedObjects\...) that a second open finds.
import { POOL_BYTES, type PagedPool } from '../../mm/paged-pool.js';
import { STATUS_ACCESS_DENIED, STATUS_INVALID_HANDLE, STATUS_OBJECT_TYPE_MISMATCH, type NtStatus } from '../../nt/status.js';

export type ObjectTypeName = 'Section' | 'File' | 'Process' | 'Thread' | 'Event' | 'Mutant' | 'Semaphore';

export class KernelObject<T = unknown> {
  /** Handles (and other holders) referring to the object; at zero it is deleted. */
  references = 1;

  constructor(
    readonly type: ObjectTypeName,
    readonly body: T,
    private readonly onDelete: () => void,
    readonly name?: string,
  ) {}

  reference(): this {
    this.references++;
    return this;
  }

  dereference(): void {
    if (--this.references === 0) this.onDelete();
  }
}

/** Console pseudo-handles are 3, 7 and 11; table handles are multiples of 4 from 4 on, so they never collide. */
const FIRST_HANDLE = 4;
const MAX_HANDLES = 1 << 16;

/** Every right of every object type (SPECIFIC_RIGHTS_ALL | STANDARD_RIGHTS_ALL): what a handle grants unless told less. */
export const ALL_ACCESS = 0x001fffff;

export class HandleTable {
  private readonly entries = new Map<number, KernelObject>();
  /** The access mask each handle was granted (HANDLE_TABLE_ENTRY.GrantedAccess), generic rights already mapped. */
  private readonly access = new Map<number, number>();
  private readonly freed: number[] = [];
  private next = FIRST_HANDLE;

  /** `pool`: where each entry is charged (Windows keeps handle tables in paged pool). */
  constructor(private readonly pool?: PagedPool) {}

  get count(): number { return this.entries.size; }

  /** The open handles in order, with their objects (for !handle). */
  list(): [number, KernelObject][] { return [...this.entries].sort((a, b) => a[0] - b[0]); }

  /**
   * Takes over one reference of `object`, granting `grantedAccess` (an
   * ACCESS_MASK, generic rights already mapped); undefined when the table is
   * full or paged pool is exhausted.
   */
  insert(object: KernelObject, grantedAccess = ALL_ACCESS): number | undefined {
    if (this.entries.size >= MAX_HANDLES) return undefined;
    if (this.pool && !this.pool.tryCharge(POOL_BYTES.handle)) return undefined;
    this.freed.sort((a, b) => b - a);
    const handle = this.freed.pop() ?? this.allocate();
    this.entries.set(handle, object);
    this.access.set(handle, grantedAccess);
    return handle;
  }

  /** The object behind `handle` whatever its type, checked against `desiredAccess` (waits take any dispatcher object). */
  referenceAnyType(handle: number, desiredAccess: number): KernelObject | NtStatus {
    const object = this.entries.get(handle);
    if (!object) return STATUS_INVALID_HANDLE;
    return (desiredAccess & ~this.access.get(handle)!) === 0 ? object : STATUS_ACCESS_DENIED;
  }

  /** The object behind `handle`, checked against `type`. */
  lookup<T>(handle: number, type: ObjectTypeName): KernelObject<T> | NtStatus {
    const object = this.entries.get(handle);
    if (!object) return STATUS_INVALID_HANDLE;
    if (object.type !== type) return STATUS_OBJECT_TYPE_MISMATCH;
    return object as KernelObject<T>;
  }

  /**
   * ObReferenceObjectByHandle: the object behind `handle`, checked against
   * `type` and then against `desiredAccess` (every right asked for must have
   * been granted, else STATUS_ACCESS_DENIED — ObpValidateAccessMask/SeAccessCheck
   * order: type mismatch first, as in WRK ObReferenceObjectByHandle).
   */
  reference<T>(handle: number, type: ObjectTypeName, desiredAccess: number): KernelObject<T> | NtStatus {
    const object = this.lookup<T>(handle, type);
    if (typeof object === 'number') return object;
    return (desiredAccess & ~this.access.get(handle)!) === 0 ? object : STATUS_ACCESS_DENIED;
  }

  /** NtClose: false for a handle that is not open. */
  close(handle: number): boolean {
    const object = this.entries.get(handle);
    if (!object) return false;
    this.entries.delete(handle);
    this.access.delete(handle);
    this.freed.push(handle);
    this.pool?.release(POOL_BYTES.handle);
    object.dereference();
    return true;
  }

  /** Closes every handle (process exit). */
  closeAll(): void {
    for (const handle of [...this.entries.keys()]) this.close(handle);
  }

  private allocate(): number {
    const handle = this.next;
    this.next += 4;
    return handle;
  }
}

/** The object directory: names to live objects. A deleted object's name goes with it. */
export class ObjectNames {
  private readonly objects = new Map<string, KernelObject>();

  /** Names are case-insensitive, as in the NT namespace. */
  private static key(name: string): string { return name.toLowerCase(); }

  find(name: string): KernelObject | undefined { return this.objects.get(ObjectNames.key(name)); }
  add(name: string, object: KernelObject): void { this.objects.set(ObjectNames.key(name), object); }
  remove(name: string, object: KernelObject): void {
    if (this.objects.get(ObjectNames.key(name)) === object) this.objects.delete(ObjectNames.key(name));
  }
}
