// Section services: NtCreateSection, NtOpenSection, NtMapViewOfSection,
// NtUnmapViewOfSection and NtFlushVirtualMemory over the memory manager's
// sections (mm/section.ts) and views (mm/section-view.ts); section objects
// live in the handle table and, when named, in the object directory.
import {
  SectionObject, createSection, dereferenceSection, isSectionProtection, SEC_COMMIT, SEC_IMAGE, SEC_NOCACHE, SEC_RESERVE,
} from '../../mm/section.js';
import { imageSectionForFile } from '../loader/image-sections.js';
import { flushViewOfSection, mapViewOfSection, unmapViewOfSection } from '../../mm/section-view.js';
import {
  STATUS_INVALID_FILE_FOR_SECTION, STATUS_INVALID_HANDLE, STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_PARAMETER_4, STATUS_INVALID_PARAMETER_6,
  STATUS_INVALID_PARAMETER_3, STATUS_INVALID_PARAMETER_9, STATUS_NOT_MAPPED_VIEW,
  STATUS_INVALID_PARAMETER_8, STATUS_OBJECT_NAME_COLLISION, STATUS_OBJECT_NAME_EXISTS, STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS, type NtStatus,
} from '../../nt/status.js';
import { MM_HIGHEST_USER_ADDRESS, MM_HIGHEST_VAD_ADDRESS } from '../../mm/layout.js';
import { MM_PROTECT_ACCESS, makeProtectionMask } from '../../mm/protection.js';
import { MAXIMUM_ZERO_BITS, MEM_LARGE_PAGES, MEM_RESERVE, MEM_TOP_DOWN } from '../../mm/virtual-memory.js';
import type { UserMemory } from '../../mm/user-memory.js';
import { runArgumentChecks, type ArgumentCheck } from '../../mm/argument-checks.js';

import type { Process } from '../process.js';
import { KernelObject } from '../ob/handle-table.js';
import { fileForSection } from '../io/file-object.js';
import { isCurrentProcess, processForMemoryService, type NtService } from './nt-service.js';
import { PROCESS_VM_OPERATION } from '../ps/process-access.js';
import { insertHandle } from './object-services.js';
import {
  OBJ_OPENIF, captureRegion, readLargeInteger, readObjectAttributes, writeIoStatus, writeRegion, type ObjectAttributes,
} from './user-structures.js';

const ViewShare = 1, ViewUnmap = 2;
/** AllocationType bits NtMapViewOfSection knows besides MEM_TOP_DOWN, MEM_RESERVE and MEM_LARGE_PAGES. */
const SEC_NO_CHANGE = 0x400000, MEM_DOS_LIM = 0x40000000;

/** A section object that leaves the directory and drops its control-area reference when its last handle closes. */
function sectionObject(process: Process, section: SectionObject): KernelObject<SectionObject> {
  const object: KernelObject<SectionObject> = new KernelObject('Section', section, () => {
    if (section.name) process.objectNames.remove(section.name, object);
    dereferenceSection(process.space, section);
  }, section.name);
  return object;
}

/** What NtCreateSection's check rows read and capture. */
interface CreateSectionArgs {
  args: readonly number[];
  process: Process;
  object: ObjectAttributes;
  requested: number | undefined;
}
const attributesOf = (c: CreateSectionArgs): number => c.args[5]!;

/**
 * NtCreateSection's checks, in Windows' order (WRK NtCreateSection, then
 * MmCreateSection's protection check): AllocationAttributes, the probes,
 * the protection. The name is looked up after them (Windows inserts the
 * object last, so a bad argument beats STATUS_OBJECT_NAME_COLLISION), and the
 * file after the name (Windows looks at the file first; mmscope does not
 * extend a file for a section it then refuses).
 */
export const CREATE_SECTION_CHECKS: readonly ArgumentCheck<CreateSectionArgs>[] = [
  { check: 'unknown AllocationAttributes bits', fails: (c) => (attributesOf(c) & ~0x1f000000) !== 0, status: STATUS_INVALID_PARAMETER_6 },
  { check: 'none of SEC_COMMIT, SEC_RESERVE, SEC_IMAGE', fails: (c) => (attributesOf(c) & (SEC_COMMIT | SEC_RESERVE | SEC_IMAGE)) === 0, status: STATUS_INVALID_PARAMETER_6 },
  {
    check: 'SEC_IMAGE with SEC_COMMIT, SEC_RESERVE or SEC_NOCACHE',
    fails: (c) => (attributesOf(c) & SEC_IMAGE) !== 0 && (attributesOf(c) & (SEC_COMMIT | SEC_RESERVE | SEC_NOCACHE)) !== 0, status: STATUS_INVALID_PARAMETER_6,
  },
  { check: 'SEC_COMMIT with SEC_RESERVE', fails: (c) => (attributesOf(c) & SEC_COMMIT) !== 0 && (attributesOf(c) & SEC_RESERVE) !== 0, status: STATUS_INVALID_PARAMETER_6 },
  {
    capture: 'probe *SectionHandle for writing, read *MaximumSize and ObjectAttributes',
    run: (c) => {
      c.process.memory.writeU32(c.args[0]!, 0);
      c.requested = c.args[3] ? readLargeInteger(c.process.memory, c.args[3]) : 0;
      const object = readObjectAttributes(c.process.memory, c.args[2]!);
      if (typeof object === 'number') throw new BadObjectAttributes(object);
      c.object = object;
    },
  },
  { check: 'MaximumSize of 4 GiB or more', fails: (c) => c.requested === undefined, status: STATUS_INVALID_PARAMETER_4 },
  { check: 'SectionPageProtection not a section protection', fails: (c) => !(attributesOf(c) & SEC_IMAGE) && !isSectionProtection(c.args[4]!), status: STATUS_INVALID_PAGE_PROTECTION },
  { check: 'SEC_IMAGE without a file', fails: (c) => (attributesOf(c) & SEC_IMAGE) !== 0 && !c.args[6], status: STATUS_INVALID_FILE_FOR_SECTION },
];

/** ObjectAttributes that cannot be used: its status ends the capture row. */
class BadObjectAttributes extends Error {
  constructor(readonly status: NtStatus) { super('bad OBJECT_ATTRIBUTES'); }
}

/** A named section that exists already: STATUS_OBJECT_NAME_COLLISION, or with OBJ_OPENIF a handle to it and STATUS_OBJECT_NAME_EXISTS. */
function openExistingSection(process: Process, object: ObjectAttributes, sectionHandle: number, access: number): NtStatus | undefined {
  const existing = object.name ? process.objectNames.find(object.name) : undefined;
  if (!existing) return undefined;
  if (!(object.attributes & OBJ_OPENIF) || existing.type !== 'Section') return STATUS_OBJECT_NAME_COLLISION;
  const status = insertHandle(process, existing.reference(), sectionHandle, access);
  return status === STATUS_SUCCESS ? STATUS_OBJECT_NAME_EXISTS : status;
}

/** NtCreateSection(*SectionHandle, DesiredAccess, ObjectAttributes, *MaximumSize, SectionPageProtection, AllocationAttributes, FileHandle) */
export const NtCreateSection: NtService = {
  number: 0x32,
  name: 'NtCreateSection',
  argCount: 7,
  handler({ process }, args) {
    const [sectionHandle, desiredAccess, , , protect, attributes, fileHandle] = args;
    const access = sectionGrantedAccess(desiredAccess!);
    const c: CreateSectionArgs = { args, process, object: { name: undefined, attributes: 0, rootDirectory: 0 }, requested: 0 };
    let refused: NtStatus | undefined;
    try {
      refused = runArgumentChecks(CREATE_SECTION_CHECKS, c);
    } catch (error) {
      if (error instanceof BadObjectAttributes) return error.status;
      throw error;
    }
    if (refused !== undefined) return refused;
    const opened = openExistingSection(process, c.object, sectionHandle!, access);
    if (opened !== undefined) return opened;
    if (attributes! & SEC_IMAGE) {
      const image = imageSectionForFile(process, fileHandle!);
      return typeof image === 'number' ? image : insertHandle(process, sectionObject(process, image), sectionHandle!, access);
    }
    const file = fileHandle ? fileForSection(process, fileHandle, protect!, c.requested!) : undefined;
    if (typeof file === 'number') return file;
    const section = createSection(process.space, {
      sizeBytes: file ? file.sectionSize : c.requested!, protect: protect!, allocationAttributes: attributes!,
      ...(file ? { file: file.backing } : {}), ...(c.object.name ? { name: c.object.name } : {}),
    });
    if (typeof section === 'number') return section;
    const kernelObject = sectionObject(process, section);
    if (c.object.name) process.objectNames.add(c.object.name, kernelObject);
    return insertHandle(process, kernelObject, sectionHandle!, access);
  },
};

/** NtOpenSection(*SectionHandle, DesiredAccess, ObjectAttributes) */
export const NtOpenSection: NtService = {
  number: 0x7d,
  name: 'NtOpenSection',
  argCount: 3,
  handler({ process }, [sectionHandle, desiredAccess, objectAttributes]) {
    process.memory.writeU32(sectionHandle!, 0);
    const object = readObjectAttributes(process.memory, objectAttributes!);
    if (typeof object === 'number') return object;
    const existing = object.name ? process.objectNames.find(object.name) : undefined;
    if (!existing || existing.type !== 'Section') return STATUS_OBJECT_NAME_NOT_FOUND;
    return insertHandle(process, existing.reference(), sectionHandle!, sectionGrantedAccess(desiredAccess!));
  },
};

/** Section rights (winnt.h SECTION_*). */
export const SECTION_QUERY = 0x1;
export const SECTION_MAP_WRITE = 0x2;
export const SECTION_MAP_READ = 0x4;
export const SECTION_MAP_EXECUTE = 0x8;
export const SECTION_ALL_ACCESS = 0x000f001f;
const STANDARD_RIGHTS_READ = 0x00020000;
const MAXIMUM_ALLOWED = 0x02000000;
const GENERIC_ALL = 0x10000000;
const GENERIC_EXECUTE = 0x20000000;
const GENERIC_WRITE = 0x40000000;
const GENERIC_READ = 0x80000000;

/**
 * What a section handle is granted for a DesiredAccess: generic rights mapped
 * through the section type's GENERIC_MAPPING (WRK MiSectionMapping: read =
 * STANDARD_RIGHTS_READ|SECTION_QUERY|SECTION_MAP_READ, write = …|SECTION_MAP_WRITE,
 * execute = …|SECTION_MAP_EXECUTE, all = SECTION_ALL_ACCESS), MAXIMUM_ALLOWED as
 * everything (mmscope has no security descriptors to deny anything).
 */
export function sectionGrantedAccess(desiredAccess: number): number {
  if (desiredAccess & (MAXIMUM_ALLOWED | GENERIC_ALL)) return SECTION_ALL_ACCESS;
  let granted = desiredAccess & 0x00ffffff;
  if (desiredAccess & GENERIC_READ) granted |= STANDARD_RIGHTS_READ | SECTION_QUERY | SECTION_MAP_READ;
  if (desiredAccess & GENERIC_WRITE) granted |= STANDARD_RIGHTS_READ | SECTION_MAP_WRITE;
  if (desiredAccess & GENERIC_EXECUTE) granted |= STANDARD_RIGHTS_READ | SECTION_MAP_EXECUTE;
  return granted;
}

/**
 * The right a view's protection needs on the section handle, indexed by the
 * protection mask's MM_* access bits (WRK MmMakeSectionAccess; ReactOS ARM3
 * MmMakeSectionAccess): a copy-on-write view needs only SECTION_MAP_READ.
 */
const MM_MAKE_SECTION_ACCESS: readonly number[] = [
  SECTION_MAP_READ, // MM_ZERO_ACCESS
  SECTION_MAP_READ, // MM_READONLY
  SECTION_MAP_EXECUTE, // MM_EXECUTE
  SECTION_MAP_EXECUTE | SECTION_MAP_READ, // MM_EXECUTE_READ
  SECTION_MAP_WRITE, // MM_READWRITE
  SECTION_MAP_READ, // MM_WRITECOPY
  SECTION_MAP_EXECUTE | SECTION_MAP_WRITE, // MM_EXECUTE_READWRITE
  SECTION_MAP_EXECUTE | SECTION_MAP_READ, // MM_EXECUTE_WRITECOPY
];

/** What NtMapViewOfSection's check rows read and capture. */
interface MapViewArgs { args: readonly number[]; memory: UserMemory; base: number; size: number; offset: number | undefined; processStatus?: NtStatus }
const MAP_ALLOCATION_TYPES = MEM_TOP_DOWN | MEM_RESERVE | MEM_LARGE_PAGES | SEC_NO_CHANGE | MEM_DOS_LIM;

/**
 * NtMapViewOfSection's checks, in Windows' order (WRK NtMapViewOfSection;
 * ReactOS ARM3 section.c): ZeroBits, InheritDisposition, AllocationType and
 * the protection before any pointer is touched, then the probes, then the
 * range against MM_HIGHEST_VAD_ADDRESS and against what ZeroBits allows,
 * then the process. The section handle, the alignment and the view's size
 * (compared in bytes with the section's) come after, in section-view.ts.
 */
export const MAP_VIEW_CHECKS: readonly ArgumentCheck<MapViewArgs>[] = [
  { check: 'ZeroBits above 21', fails: (c) => c.args[3]! > MAXIMUM_ZERO_BITS, status: STATUS_INVALID_PARAMETER_4 },
  { check: 'InheritDisposition not ViewShare or ViewUnmap', fails: (c) => c.args[7] !== ViewShare && c.args[7] !== ViewUnmap, status: STATUS_INVALID_PARAMETER_8 },
  { check: 'unknown AllocationType bits', fails: (c) => (c.args[8]! & ~MAP_ALLOCATION_TYPES) !== 0, status: STATUS_INVALID_PARAMETER_9 },
  { check: 'Win32Protect not a protection', fails: (c) => makeProtectionMask(c.args[9]!) === undefined, status: STATUS_INVALID_PAGE_PROTECTION },
  {
    capture: 'probe *BaseAddress, *ViewSize and *SectionOffset for writing and read them',
    run: (c) => {
      const { base, size } = captureRegion(c.memory, c.args[2]!, c.args[6]!);
      c.base = base; c.size = size;
      const sectionOffset = c.args[5]!;
      if (sectionOffset) c.memory.write(sectionOffset, c.memory.read(sectionOffset, 8));
      c.offset = sectionOffset ? readLargeInteger(c.memory, sectionOffset) : 0;
    },
  },
  { check: 'SectionOffset of 4 GiB or more', fails: (c) => c.offset === undefined, status: STATUS_INVALID_PARAMETER_6 },
  { check: 'BaseAddress above MM_HIGHEST_VAD_ADDRESS', fails: (c) => c.base > MM_HIGHEST_VAD_ADDRESS, status: STATUS_INVALID_PARAMETER_3 },
  { check: 'ViewSize past MM_HIGHEST_VAD_ADDRESS', fails: (c) => MM_HIGHEST_VAD_ADDRESS - c.base < c.size, status: STATUS_INVALID_PARAMETER_3 },
  { check: 'the range above what ZeroBits allows', fails: (c) => c.base + c.size > 0xffffffff >>> c.args[3]!, status: STATUS_INVALID_PARAMETER_4 },
  { check: 'ProcessHandle', fails: (c) => c.processStatus !== undefined, status: STATUS_INVALID_HANDLE, statusOf: (c) => c.processStatus ?? STATUS_INVALID_HANDLE },
];

/** NtMapViewOfSection(SectionHandle, ProcessHandle, *BaseAddress, ZeroBits, CommitSize, *SectionOffset, *ViewSize, InheritDisposition, AllocationType, Win32Protect) */
export const NtMapViewOfSection: NtService = {
  number: 0x6c,
  name: 'NtMapViewOfSection',
  argCount: 10,
  handler(context, args) {
    const { process } = context;
    // MapViewOfFile2 / NtMapViewOfSection into another process: the handle needs PROCESS_VM_OPERATION.
    const target = processForMemoryService(context, args[1]!, PROCESS_VM_OPERATION);
    const c: MapViewArgs = { args, memory: process.memory, base: 0, size: 0, offset: 0, ...(target.status !== undefined ? { processStatus: target.status } : {}) };
    const refused = runArgumentChecks(MAP_VIEW_CHECKS, c);
    if (refused !== undefined) return refused;
    // ObReferenceObjectByHandle with the access the view's protection needs
    // (WRK NtMapViewOfSection): a SECTION_MAP_READ handle cannot map a
    // PAGE_READWRITE view (Wine test_MapViewOfFile: ERROR_ACCESS_DENIED).
    const needed = MM_MAKE_SECTION_ACCESS[makeProtectionMask(args[9]!)! & MM_PROTECT_ACCESS]!;
    const section = process.handles.reference<SectionObject>(args[0]!, 'Section', needed);
    if (typeof section === 'number') return section;
    const result = mapViewOfSection(target.process.space, section.body, { base: c.base, offset: c.offset!, viewSize: c.size, allocationType: args[8]!, protect: args[9]! });
    if (!('base' in result)) return result.status;
    writeRegion(process.memory, args[2]!, args[6]!, result);
    return result.status;
  },
};

/** NtUnmapViewOfSection's checks (WRK NtUnmapViewOfSection): an address above user space is no view, before the process is looked at. */
export const UNMAP_VIEW_CHECKS: readonly ArgumentCheck<{ args: readonly number[]; processStatus?: NtStatus }>[] = [
  { check: 'BaseAddress above MM_HIGHEST_USER_ADDRESS', fails: (c) => c.args[1]! > MM_HIGHEST_USER_ADDRESS, status: STATUS_NOT_MAPPED_VIEW },
  { check: 'ProcessHandle', fails: (c) => c.processStatus !== undefined, status: STATUS_INVALID_HANDLE, statusOf: (c) => c.processStatus ?? STATUS_INVALID_HANDLE },
];

/** NtUnmapViewOfSection(ProcessHandle, BaseAddress) */
export const NtUnmapViewOfSection: NtService = {
  number: 0x10b,
  name: 'NtUnmapViewOfSection',
  argCount: 2,
  handler(context, args) {
    const target = processForMemoryService(context, args[0]!, PROCESS_VM_OPERATION);
    const refused = runArgumentChecks(UNMAP_VIEW_CHECKS, { args, ...(target.status !== undefined ? { processStatus: target.status } : {}) });
    return refused ?? unmapViewOfSection(target.process.space, args[1]!);
  },
};

/** NtFlushVirtualMemory(ProcessHandle, *BaseAddress, *RegionSize, IoStatusBlock) */
export const NtFlushVirtualMemory: NtService = {
  number: 0x50,
  name: 'NtFlushVirtualMemory',
  argCount: 4,
  handler({ process }, [processHandle, baseAddress, regionSize, ioStatusBlock]) {
    const { base, size } = captureRegion(process.memory, baseAddress!, regionSize!);
    writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, 0);
    if (!isCurrentProcess(processHandle!)) return STATUS_INVALID_HANDLE;
    const result = flushViewOfSection(process.space, base, size);
    if (!result.region) return result.status;
    writeRegion(process.memory, baseAddress!, regionSize!, result.region);
    writeIoStatus(process.memory, ioStatusBlock!, STATUS_SUCCESS, result.region.size);
    return STATUS_SUCCESS;
  },
};
