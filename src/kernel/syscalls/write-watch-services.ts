// NtGetWriteWatch and NtResetWriteWatch over the memory manager's write
// watch (mm/write-watch.ts). Checks in Windows' order (WRK wrtwatch.c, Wine's
// test_write_watch for what kernel32 reports): flags, the in/out count and
// the granularity probed for writing, a count of 0, the address array
// probed, the process, then the range against the write-watch VAD.
import { getWriteWatch, resetWriteWatch, WRITE_WATCH_FLAG_RESET, WRITE_WATCH_GRANULARITY } from '../../mm/write-watch.js';
import { PAGE_SIZE } from '../../mm/layout.js';
import {
  STATUS_INVALID_HANDLE, STATUS_INVALID_PARAMETER_2, STATUS_INVALID_PARAMETER_6, STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { isCurrentProcess, type NtService } from './nt-service.js';
import { captureInOut } from './user-structures.js';

/** NtGetWriteWatch(ProcessHandle, Flags, BaseAddress, RegionSize, *UserAddressArray, *EntriesInUserAddressArray, *Granularity) */
export const NtGetWriteWatch: NtService = {
  number: 0x58,
  name: 'NtGetWriteWatch',
  argCount: 7,
  handler({ process }, [handle, flags, base, size, addressArray, entries, granularity]): NtStatus {
    const memory = process.memory;
    if (flags! & ~WRITE_WATCH_FLAG_RESET) return STATUS_INVALID_PARAMETER_2;
    const capacity = captureInOut(memory, entries!);
    captureInOut(memory, granularity!);
    if (capacity === 0) return STATUS_INVALID_PARAMETER_6;
    // ProbeForWrite of the array: as many entries as the range could report (the caller's count may be larger).
    const usable = Math.min(capacity, Math.ceil(((base! % PAGE_SIZE) + size!) / PAGE_SIZE) || 1);
    memory.write(addressArray!, memory.read(addressArray!, usable * 4));
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    const result = getWriteWatch(process.space, { flags: flags!, base: base!, size: size!, capacity });
    if (!result.addresses) return result.status;
    const bytes = new Uint8Array(result.addresses.length * 4);
    result.addresses.forEach((address, i) => new DataView(bytes.buffer).setUint32(i * 4, address, true));
    memory.write(addressArray!, bytes);
    memory.writeU32(entries!, result.addresses.length);
    memory.writeU32(granularity!, WRITE_WATCH_GRANULARITY);
    return STATUS_SUCCESS;
  },
};

/** NtResetWriteWatch(ProcessHandle, BaseAddress, RegionSize) */
export const NtResetWriteWatch: NtService = {
  number: 0xcb,
  name: 'NtResetWriteWatch',
  argCount: 3,
  handler({ process }, [handle, base, size]): NtStatus {
    if (!isCurrentProcess(handle!)) return STATUS_INVALID_HANDLE;
    return resetWriteWatch(process.space, base!, size!);
  },
};
