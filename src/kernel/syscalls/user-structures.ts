// Reading the NT structures services take by pointer: OBJECT_ATTRIBUTES
// with its UNICODE_STRING name, and LARGE_INTEGER values.
import type { UserMemory } from '../../mm/user-memory.js';
import { STATUS_INVALID_PARAMETER, STATUS_OBJECT_NAME_INVALID, type NtStatus } from '../../nt/status.js';

export const OBJ_OPENIF = 0x80;
const OBJECT_ATTRIBUTES_SIZE = 24;
const MAX_NAME_BYTES = 0xfffe;

export interface ObjectAttributes { name: string | undefined; attributes: number; rootDirectory: number }

/** OBJECT_ATTRIBUTES { Length, RootDirectory, ObjectName, Attributes, SecurityDescriptor, SecurityQualityOfService }. */
export function readObjectAttributes(memory: UserMemory, address: number): ObjectAttributes | NtStatus {
  if (address === 0) return { name: undefined, attributes: 0, rootDirectory: 0 };
  const length = memory.readU32(address);
  if (length !== OBJECT_ATTRIBUTES_SIZE) return STATUS_INVALID_PARAMETER;
  const rootDirectory = memory.readU32(address + 4);
  const namePointer = memory.readU32(address + 8);
  const attributes = memory.readU32(address + 12);
  if (namePointer === 0) return { name: undefined, attributes, rootDirectory };
  const name = readUnicodeString(memory, namePointer);
  return typeof name === 'number' ? name : { name, attributes, rootDirectory };
}

/** UNICODE_STRING { USHORT Length; USHORT MaximumLength; PWSTR Buffer } (Length in bytes). */
export function readUnicodeString(memory: UserMemory, address: number): string | NtStatus {
  const header = memory.read(address, 8);
  const view = new DataView(header.buffer);
  const length = view.getUint16(0, true), maximum = view.getUint16(2, true), buffer = view.getUint32(4, true);
  if (length % 2 !== 0 || length > maximum || length > MAX_NAME_BYTES) return STATUS_OBJECT_NAME_INVALID;
  if (length === 0) return '';
  return Buffer.from(memory.read(buffer, length)).toString('utf16le');
}

/** A LARGE_INTEGER the services accept only below 4 GiB. */
export function readLargeInteger(memory: UserMemory, address: number): number | undefined {
  const low = memory.readU32(address), high = memory.readU32(address + 4);
  return high === 0 ? low : undefined;
}

/** Reads an in/out ULONG and proves it writable, as ProbeForWrite does before a service does any work. */
export function captureInOut(memory: UserMemory, address: number): number {
  const value = memory.readU32(address);
  memory.writeU32(address, value);
  return value;
}

/** The in/out BaseAddress and RegionSize (or ViewSize) of the region services, both probed for writing first. */
export function captureRegion(memory: UserMemory, baseAddress: number, regionSize: number): { base: number; size: number } {
  return { base: captureInOut(memory, baseAddress), size: captureInOut(memory, regionSize) };
}

/** Writes the region a service acted on back to the caller's BaseAddress and RegionSize. */
export function writeRegion(memory: UserMemory, baseAddress: number, regionSize: number, region: { base: number; size: number }): void {
  memory.writeU32(baseAddress, region.base);
  memory.writeU32(regionSize, region.size);
}

/** IO_STATUS_BLOCK { NTSTATUS Status; ULONG_PTR Information; } */
export function writeIoStatus(memory: UserMemory, address: number, status: NtStatus, information: number): void {
  memory.writeU32(address, status);
  memory.writeU32(address + 4, information);
}
