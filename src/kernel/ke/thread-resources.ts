// What a thread owns in user space, created with the thread and freed when
// it ends, as Windows does (MmCreateTeb / MmDeleteTeb, and the stack the
// system created, freed in PspExitThread): a TEB page of its own, allocated
// top-down below the PEB as Windows XP places them (0x7FFDE000 for the first
// thread, 0x7FFDD000 for the next...), and a stack reservation with a guard
// page (user-stack.ts).
import type { AddressSpace } from '../../mm/address-space.js';
import { PAGE_SIZE, addressOfVpn, vpnOf } from '../../mm/layout.js';
import { MM_READWRITE } from '../../mm/protection.js';
import type { UserMemory } from '../../mm/user-memory.js';
import type { Vad } from '../../mm/vad.js';
import { releaseVad } from '../../mm/virtual-memory.js';
import { STATUS_NO_MEMORY, type NtStatus } from '../../nt/status.js';
import { PEB_ADDRESS, TEB } from '../process-environment.js';
import { createThreadStack } from '../user-stack.js';
import type { ThreadResources } from './thread.js';

/** TEB.TlsSlots: TLS_MINIMUM_AVAILABLE (64) pointers (TlsGetValue/TlsSetValue). */
export const TEB_TLS_SLOTS = 0xe10;
export const TLS_MINIMUM_AVAILABLE = 64;
/** How far down from the PEB the TEB search goes (Windows stops at MM_HIGHEST_VAD_ADDRESS's 64 KiB region too). */
const TEB_SEARCH_PAGES = 0x1000;

export interface TebInit {
  stackBase: number;
  stackLimit: number;
  deallocationStack: number;
  processId: number;
  threadId: number;
  pebAddress: number;
}

/** The TEB page's bytes (NT_TIB, ClientId, the PEB, DeallocationStack; the rest zero). */
export function encodeTeb(address: number, init: TebInit): Uint8Array {
  const teb = new DataView(new ArrayBuffer(PAGE_SIZE));
  teb.setUint32(TEB.ExceptionList, 0xffffffff, true);
  teb.setUint32(TEB.StackBase, init.stackBase, true);
  teb.setUint32(TEB.StackLimit, init.stackLimit, true);
  teb.setUint32(TEB.Self, address, true);
  teb.setUint32(TEB.UniqueProcess, init.processId, true);
  teb.setUint32(TEB.UniqueThread, init.threadId, true);
  teb.setUint32(TEB.ProcessEnvironmentBlock, init.pebAddress, true);
  teb.setUint32(TEB.DeallocationStack, init.deallocationStack, true);
  return new Uint8Array(teb.buffer);
}

/** The highest free page below the PEB, as a committed private VAD (MiCreatePebOrTeb); STATUS_NO_MEMORY if none. */
function createTebPage(space: AddressSpace): Vad | NtStatus {
  const top = vpnOf(PEB_ADDRESS) - 1;
  for (let vpn = top; vpn > top - TEB_SEARCH_PAGES; vpn--) {
    if (space.findVad(addressOfVpn(vpn))) continue;
    return space.createVad({ startingVpn: vpn, endingVpn: vpn, protection: MM_READWRITE, privateMemory: true, memCommit: true });
  }
  return STATUS_NO_MEMORY;
}

/**
 * A new thread's TEB and stack: `reserveBytes` reserved and `commitBytes`
 * committed (NtCreateThreadEx's MaximumStackSize and StackSize, already
 * defaulted). Returns the resources or the status that refused them
 * (STATUS_NO_MEMORY, STATUS_COMMITMENT_LIMIT); nothing is left behind on failure.
 */
export function createThreadResources(space: AddressSpace, memory: UserMemory, reserveBytes: number, commitBytes: number,
  ids: { processId: number; threadId: number }): ThreadResources | NtStatus {
  const stack = createThreadStack(space, reserveBytes, commitBytes);
  if (typeof stack === 'number') return stack;
  const tebVad = createTebPage(space);
  if (typeof tebVad === 'number') {
    releaseVad(space, stack.vad);
    return tebVad;
  }
  const tebAddress = tebVad.startAddress;
  memory.write(tebAddress, encodeTeb(tebAddress, {
    stackBase: stack.stackBase, stackLimit: stack.stackLimit, deallocationStack: stack.vad.startAddress, pebAddress: PEB_ADDRESS, ...ids,
  }));
  return { tebAddress, tebVad, stackVad: stack.vad, stackBase: stack.stackBase, stackLimit: stack.stackLimit };
}

/** Frees the thread's stack and TEB at its exit, unless the guest already released them (then the range may hold something else). */
export function releaseThreadResources(space: AddressSpace, resources: ThreadResources): void {
  for (const vad of [resources.stackVad, resources.tebVad]) {
    if (space.findVad(vad.startAddress) === vad) releaseVad(space, vad);
  }
}
