// Section services: NtCreateSection, NtOpenSection, NtMapViewOfSection,
// NtUnmapViewOfSection and NtFlushVirtualMemory over the memory manager's
// sections (mm/section.ts) and views (mm/section-view.ts); section objects
// live in the handle table and, when named, in the object directory.
import { SectionObject, createSection, dereferenceSection, isSectionProtection, SEC_COMMIT, SEC_IMAGE } from '../../mm/section.js';
import { imageSectionForFile } from '../loader/image-sections.js';
import { flushViewOfSection, mapViewOfSection, unmapViewOfSection } from '../../mm/section-view.js';
import {
  STATUS_INVALID_FILE_FOR_SECTION, STATUS_INVALID_HANDLE, STATUS_INVALID_PAGE_PROTECTION, STATUS_INVALID_PARAMETER_4, STATUS_INVALID_PARAMETER_6,
  STATUS_INVALID_PARAMETER_8, STATUS_OBJECT_NAME_COLLISION, STATUS_OBJECT_NAME_EXISTS, STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_SUCCESS,
} from '../../nt/status.js';
import type { Process } from '../process.js';
import { KernelObject } from '../ob/handle-table.js';
import { fileForSection } from '../io/file-object.js';
import { isCurrentProcess, type NtService } from './nt-service.js';
import { insertHandle } from './object-services.js';
import {
  OBJ_OPENIF, captureRegion, readLargeInteger, readObjectAttributes, writeIoStatus, writeRegion,
} from './user-structures.js';

const ViewShare = 1, ViewUnmap = 2;

/** A section object that leaves the directory and drops its control-area reference when its last handle closes. */
function sectionObject(process: Process, section: SectionObject): KernelObject<SectionObject> {
  const object: KernelObject<SectionObject> = new KernelObject('Section', section, () => {
    if (section.name) process.objectNames.remove(section.name, object);
    dereferenceSection(process.space, section);
  }, section.name);
  return object;
}

/** NtCreateSection(*SectionHandle, DesiredAccess, ObjectAttributes, *MaximumSize, SectionPageProtection, AllocationAttributes, FileHandle) */
export const NtCreateSection: NtService = {
  number: 0x32,
  name: 'NtCreateSection',
  argCount: 7,
  handler({ process }, [sectionHandle, , objectAttributes, maximumSize, protect, attributes, fileHandle]) {
    process.memory.writeU32(sectionHandle!, 0);
    const object = readObjectAttributes(process.memory, objectAttributes!);
    if (typeof object === 'number') return object;
    const requested = maximumSize ? readLargeInteger(process.memory, maximumSize) : 0;
    if (requested === undefined) return STATUS_INVALID_PARAMETER_4;
    if (object.name) {
      const existing = process.objectNames.find(object.name);
      if (existing) {
        if (!(object.attributes & OBJ_OPENIF)) return STATUS_OBJECT_NAME_COLLISION;
        if (existing.type !== 'Section') return STATUS_OBJECT_NAME_COLLISION;
        const status = insertHandle(process, existing.reference(), sectionHandle!);
        return status === STATUS_SUCCESS ? STATUS_OBJECT_NAME_EXISTS : status;
      }
    }
    if (attributes! & ~0x1f000000) return STATUS_INVALID_PARAMETER_6;
    if (attributes! & SEC_IMAGE) {
      if (!fileHandle) return STATUS_INVALID_FILE_FOR_SECTION;
      const image = imageSectionForFile(process, fileHandle);
      return typeof image === 'number' ? image : insertHandle(process, sectionObject(process, image), sectionHandle!);
    }
    // The protection is checked before a file is looked at (and perhaps extended).
    if (!isSectionProtection(protect!)) return STATUS_INVALID_PAGE_PROTECTION;
    const file = fileHandle ? fileForSection(process, fileHandle, protect!, requested) : undefined;
    if (typeof file === 'number') return file;
    const section = createSection(process.space, {
      sizeBytes: file ? file.sectionSize : requested, protect: protect!, allocationAttributes: attributes! || SEC_COMMIT,
      ...(file ? { file: file.backing } : {}), ...(object.name ? { name: object.name } : {}),
    });
    if (typeof section === 'number') return section;
    const kernelObject = sectionObject(process, section);
    if (object.name) process.objectNames.add(object.name, kernelObject);
    return insertHandle(process, kernelObject, sectionHandle!);
  },
};

/** NtOpenSection(*SectionHandle, DesiredAccess, ObjectAttributes) */
export const NtOpenSection: NtService = {
  number: 0x7d,
  name: 'NtOpenSection',
  argCount: 3,
  handler({ process }, [sectionHandle, , objectAttributes]) {
    process.memory.writeU32(sectionHandle!, 0);
    const object = readObjectAttributes(process.memory, objectAttributes!);
    if (typeof object === 'number') return object;
    const existing = object.name ? process.objectNames.find(object.name) : undefined;
    if (!existing || existing.type !== 'Section') return STATUS_OBJECT_NAME_NOT_FOUND;
    return insertHandle(process, existing.reference(), sectionHandle!);
  },
};

/** NtMapViewOfSection(SectionHandle, ProcessHandle, *BaseAddress, ZeroBits, CommitSize, *SectionOffset, *ViewSize, InheritDisposition, AllocationType, Win32Protect) */
export const NtMapViewOfSection: NtService = {
  number: 0x6c,
  name: 'NtMapViewOfSection',
  argCount: 10,
  handler({ process }, [sectionHandle, processHandle, baseAddress, , , sectionOffset, viewSize, inherit, allocationType, protect]) {
    const { base, size } = captureRegion(process.memory, baseAddress!, viewSize!);
    // SectionOffset is in/out: probed for writing before any work, as ViewSize and BaseAddress are.
    if (sectionOffset) process.memory.write(sectionOffset, process.memory.read(sectionOffset, 8));
    const offset = sectionOffset ? readLargeInteger(process.memory, sectionOffset) : 0;
    if (offset === undefined) return STATUS_INVALID_PARAMETER_6;
    if (!isCurrentProcess(processHandle!)) return STATUS_INVALID_HANDLE;
    if (inherit !== ViewShare && inherit !== ViewUnmap) return STATUS_INVALID_PARAMETER_8;
    const section = process.handles.lookup<SectionObject>(sectionHandle!, 'Section');
    if (typeof section === 'number') return section;
    const result = mapViewOfSection(process.space, section.body, { base, offset, viewSize: size, allocationType: allocationType!, protect: protect! });
    if (!('base' in result)) return result.status;
    writeRegion(process.memory, baseAddress!, viewSize!, result);
    return STATUS_SUCCESS;
  },
};

/** NtUnmapViewOfSection(ProcessHandle, BaseAddress) */
export const NtUnmapViewOfSection: NtService = {
  number: 0x10b,
  name: 'NtUnmapViewOfSection',
  argCount: 2,
  handler({ process }, [processHandle, baseAddress]) {
    if (!isCurrentProcess(processHandle!)) return STATUS_INVALID_HANDLE;
    return unmapViewOfSection(process.space, baseAddress!);
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
