// Copying to and from user memory on the kernel's behalf (system-call
// arguments and buffers), page by page through the page tables, as
// ProbeForRead/ProbeForWrite plus the copy would. Committed pages that are
// not resident are faulted in; anything else raises UserAccessViolation,
// which the system-call dispatcher turns into STATUS_ACCESS_VIOLATION.
import type { AddressSpace } from './address-space.js';
import { PAGE_SIZE, PAGE_MASK, isUserAddress, vpnOf } from './layout.js';
import { resolvePageFault, type FaultInput, type FaultResolution } from './fault-handler.js';
import { STATUS_ACCESS_VIOLATION, STATUS_IN_PAGE_ERROR, type NtStatus } from '../nt/status.js';
import { isValidPte, isWritePte, pfnOfPte, PTE_ACCESSED, PTE_DIRTY } from './pte.js';

export class UserAccessViolation extends Error {
  /**
   * The status a system service answers with: STATUS_ACCESS_VIOLATION, or
   * STATUS_IN_PAGE_ERROR when the page could not be read from the page file
   * (the service's exception handler returns the exception code, as Windows' do).
   */
  constructor(readonly address: number, readonly write: boolean, readonly status: NtStatus = STATUS_ACCESS_VIOLATION) {
    super(`user ${write ? 'write to' : 'read of'} 0x${(address >>> 0).toString(16)} is not allowed`);
    this.name = 'UserAccessViolation';
  }
}

/** Told about every fault the kernel takes while touching user memory. */
export type KernelFaultObserver = (input: FaultInput, resolution: FaultResolution) => void;

export class UserMemory {
  constructor(private readonly space: AddressSpace, private readonly observeFault?: KernelFaultObserver) {}

  read(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.forEachPage(address, length, false, (offset, physical, count) => {
      out.set(this.space.memory.bytes.subarray(physical, physical + count), offset);
    });
    return out;
  }

  write(address: number, bytes: Uint8Array): void {
    this.forEachPage(address, bytes.length, true, (offset, physical, count) => {
      this.space.memory.bytes.set(bytes.subarray(offset, offset + count), physical);
    });
  }

  readU32(address: number): number {
    const bytes = this.read(address, 4);
    return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  }

  /**
   * Fills out[0..count) with the little-endian u32 values at `address` (a
   * system call's arguments) without allocating; faults pages in and throws
   * UserAccessViolation as read() does, before anything is copied.
   */
  readU32s(address: number, count: number, out: number[]): void {
    if (count === 0) return;
    const end = address + count * 4 - 1;
    if (!isUserAddress(address) || !isUserAddress(end) || end < address) throw new UserAccessViolation(address, false);
    const lastPage = end - (end & PAGE_MASK), firstPage = address - (address & PAGE_MASK);
    // Highest page first, as forEachPage.
    const lastFrame = this.probePage(lastPage, false);
    const firstFrame = firstPage === lastPage ? lastFrame : this.probePage(firstPage, false);
    const ram = this.space.memory.bytes;
    for (let i = 0; i < count; i++) {
      let value = 0;
      for (let b = 3; b >= 0; b--) {
        const at = address + i * 4 + b;
        const frame = at >= lastPage ? lastFrame : firstFrame;
        value = (value << 8) | ram[frame + (at & PAGE_MASK)]!;
      }
      out[i] = value >>> 0;
    }
  }

  writeU32(address: number, value: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
    this.write(address, bytes);
  }

  /**
   * Reads resident bytes without faulting anything in or touching A/D bits
   * (for traces and reports); undefined if any page is not resident.
   */
  peek(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      const pte = this.space.pageTables.readPte(address + i);
      if (!isValidPte(pte)) return i === 0 ? undefined : out.subarray(0, i);
      out[i] = this.space.memory.bytes[pfnOfPte(pte) * PAGE_SIZE + ((address + i) & PAGE_MASK)]!;
    }
    return out;
  }

  /** A NUL-terminated string of at most `limit` bytes. */
  readCString(address: number, limit = 4096): string {
    let text = '';
    for (let i = 0; i < limit; i++) {
      const byte = this.read(address + i, 1)[0]!;
      if (byte === 0) break;
      text += String.fromCharCode(byte);
    }
    return text;
  }

  /** Checks the whole range first (nothing is copied if any page fails), then copies page by page. */
  private forEachPage(address: number, length: number, write: boolean, copy: (offset: number, physical: number, count: number) => void): void {
    if (length === 0) return;
    const end = address + length - 1;
    if (!isUserAddress(address) || !isUserAddress(end) || end < address) throw new UserAccessViolation(address, write);
    // Highest page first: a frame pushed onto the stack meets the guard page
    // before the reserved pages below it, as the CPU's own pushes would.
    // Probed pages stay locked in the working set until the copy is done (MmProbeAndLockPages), so the
    // working-set manager, running for a later page's fault, cannot take an earlier one's frame away.
    const physical: number[] = [];
    const locked: number[] = [];
    const workingSet = this.space.workingSet;
    try {
      for (let page = end - (end & PAGE_MASK); page >= address - (address & PAGE_MASK); page -= PAGE_SIZE) {
        physical.unshift(this.probePage(page, write));
        workingSet.lockForIo(vpnOf(page));
        locked.push(vpnOf(page));
      }
      let offset = 0;
      let cursor = address;
      for (const frameBase of physical) {
        const count = Math.min(PAGE_SIZE - (cursor & PAGE_MASK), length - offset);
        copy(offset, frameBase + (cursor & PAGE_MASK), count);
        offset += count;
        cursor += count;
      }
    } finally {
      for (const vpn of locked) workingSet.unlockForIo(vpn);
    }
  }

  /** Makes the page resident and accessible for the access; returns its frame's byte offset. */
  private probePage(page: number, write: boolean): number {
    const tables = this.space.pageTables;
    let pte = tables.readPte(page);
    // At most two faults: the stack's guard page moving down, then the page itself.
    for (let attempt = 0; !isValidPte(pte) || (write && !isWritePte(pte)); attempt++) {
      const input: FaultInput = { address: page, write, user: false };
      const resolution = resolvePageFault(this.space, input);
      this.observeFault?.(input, resolution);
      const retry = resolution.kind === 'stack-growth' && attempt === 0;
      if (resolution.kind === 'in-page-error') throw new UserAccessViolation(page, write, STATUS_IN_PAGE_ERROR);
      if (resolution.kind !== 'resolved' && !retry) throw new UserAccessViolation(page, write);
      pte = tables.readPte(page);
    }
    // Set Accessed/Dirty as the MMU would have for this access.
    const touched = pte | PTE_ACCESSED | (write ? PTE_DIRTY : 0);
    if (touched !== pte) tables.updateValidPte(page, touched >>> 0);
    return pfnOfPte(pte) * PAGE_SIZE;
  }
}
