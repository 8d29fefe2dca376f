// The PEB and the initial thread's TEB, at the addresses Windows XP gives
// them (PEB 0x7FFDF000, first TEB 0x7FFDE000), each a private committed
// page with a VAD of its own. The guest reaches the TEB through FS, whose
// GDT descriptor (selector 0x3B, as Windows' KGDT_R3_TEB) has the TEB as
// its base: FS:[0x18] is the TEB's own address and TEB+0x30 the PEB. Only
// the fields below are filled; the rest are zero.
import { PAGE_SIZE, vpnOf } from '../mm/layout.js';
import type { AddressSpace } from '../mm/address-space.js';
import { MM_READWRITE } from '../mm/protection.js';
import { UserAccessViolation, type UserMemory } from '../mm/user-memory.js';
import type { NtStatus } from '../nt/status.js';
import { encodeTeb } from './ke/thread-resources.js';

export const PEB_ADDRESS = 0x7ffdf000;
export const TEB_ADDRESS = 0x7ffde000;

/** _NT_TIB / _TEB offsets (x86). */
export const TEB = {
  ExceptionList: 0x00,
  StackBase: 0x04,
  StackLimit: 0x08,
  Self: 0x18,
  UniqueProcess: 0x20,
  UniqueThread: 0x24,
  ProcessEnvironmentBlock: 0x30,
  LastErrorValue: 0x34,
  DeallocationStack: 0xe0c,
} as const;

/** _PEB offsets (x86). */
export const PEB = {
  BeingDebugged: 0x02,
  ImageBaseAddress: 0x08,
  ProcessHeap: 0x18,
  NtGlobalFlag: 0x68,
  NumberOfProcessors: 0x64,
  OSMajorVersion: 0xa4,
  OSMinorVersion: 0xa8,
  OSBuildNumber: 0xac,
  OSPlatformId: 0xb0,
} as const;

/** NtGlobalFlag bits for heap checking (gflags' hfc and hpc). */
export const FLG_HEAP_ENABLE_FREE_CHECK = 0x20;
export const FLG_HEAP_VALIDATE_PARAMETERS = 0x40;

/** The ids in the first process's TEB's ClientId (and what Linux getpid answers). */
export const PROCESS_ID = 4;
export const THREAD_ID = 8;
/** The initial thread's id, as ke/ names it. */
export const INITIAL_THREAD_ID = THREAD_ID;
const VER_PLATFORM_WIN32_NT = 2;

export interface EnvironmentInit {
  imageBase: number;
  stackBase: number;
  stackLimit: number;
  deallocationStack: number;
  ntGlobalFlag: number;
  /** The TEB's ClientId (default: the first process's, PROCESS_ID and its first thread). */
  processId?: number;
  threadId?: number;
}

/** Creates the PEB and TEB pages and fills them; a status when the address range or commit is not available. */
export function createProcessEnvironment(space: AddressSpace, memory: UserMemory, init: EnvironmentInit): NtStatus | undefined {
  for (const address of [PEB_ADDRESS, TEB_ADDRESS]) {
    const vad = space.createVad({ startingVpn: vpnOf(address), endingVpn: vpnOf(address), protection: MM_READWRITE, privateMemory: true, memCommit: true });
    if (typeof vad === 'number') return vad;
  }
  const teb = new DataView(new ArrayBuffer(PAGE_SIZE));
  teb.setUint32(TEB.ExceptionList, 0xffffffff, true);
  teb.setUint32(TEB.StackBase, init.stackBase, true);
  teb.setUint32(TEB.StackLimit, init.stackLimit, true);
  teb.setUint32(TEB.Self, TEB_ADDRESS, true);
  teb.setUint32(TEB.UniqueProcess, init.processId ?? PROCESS_ID, true);
  teb.setUint32(TEB.UniqueThread, init.threadId ?? THREAD_ID, true);
  teb.setUint32(TEB.ProcessEnvironmentBlock, PEB_ADDRESS, true);
  teb.setUint32(TEB.DeallocationStack, init.deallocationStack, true);
  memory.write(TEB_ADDRESS, new Uint8Array(teb.buffer));

  const peb = new DataView(new ArrayBuffer(PAGE_SIZE));
  peb.setUint32(PEB.ImageBaseAddress, init.imageBase, true);
  peb.setUint32(PEB.NtGlobalFlag, init.ntGlobalFlag, true);
  peb.setUint32(PEB.NumberOfProcessors, 1, true);
  peb.setUint32(PEB.OSMajorVersion, 5, true);
  peb.setUint32(PEB.OSMinorVersion, 1, true);
  peb.setUint16(PEB.OSBuildNumber, 2600, true);
  peb.setUint32(PEB.OSPlatformId, VER_PLATFORM_WIN32_NT, true);
  memory.write(PEB_ADDRESS, new Uint8Array(peb.buffer));
  return undefined;
}

/**
 * Records the stack's new StackLimit in the TEB, as MiCheckForUserStackOverflow
 * does. The TEB is the guest's memory: if the guest freed or protected it,
 * the update is skipped, as it would be lost on Windows too.
 */
export function updateStackLimit(memory: UserMemory, stackLimit: number, tebAddress = TEB_ADDRESS): void {
  try {
    memory.writeU32(tebAddress + TEB.StackLimit, stackLimit);
  } catch (error) {
    if (!(error instanceof UserAccessViolation)) throw error;
  }
}
