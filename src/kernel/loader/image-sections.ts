// NtCreateSection(SEC_IMAGE) on a file: the ELF or PE32 file (told apart by
// content) is read and checked like the program itself, and one image
// control area serves every section of the same file (as the file's
// ImageSectionObject does on Windows). The cache holds a reference of its
// own, so a module loaded again finds its code pages still resident; the
// system DLLs the kernel maps into a new process (ntdll.dll) go through the
// same cache, so a guest that maps them again shares their pages.
import { createHash } from 'node:crypto';
import { fstatSync, readSync, statSync, type Stats } from 'node:fs';
import { readFileSync } from 'node:fs';
import type { AddressSpace } from '../../mm/address-space.js';
import { referenceImageSection, type ControlArea, type SectionObject } from '../../mm/section.js';
import { STATUS_INVALID_IMAGE_FORMAT, STATUS_OBJECT_NAME_NOT_FOUND, type NtStatus } from '../../nt/status.js';
import type { FileObjectBody } from '../io/file-object.js';
import type { Process } from '../process.js';
import { parseElf32 } from './elf32.js';
import { isPe, parsePe32 } from './pe32.js';
import { BadImageError, type LoadableImage } from './loadable-image.js';
import { createImageSectionFor } from './map-image.js';

const MAX_IMAGE_FILE = 256 << 20;

/** The parsed image a cached section came from, by control area (the kernel reads a DLL's exports from it). */
const imagesBySection = new WeakMap<object, LoadableImage>();

/** The image a section maps, if it is an image section made here. */
export const imageOfSection = (section: SectionObject): LoadableImage | undefined => imagesBySection.get(section.controlArea);

export function imageSectionForFile(process: Process, handle: number): SectionObject | NtStatus {
  const object = process.handles.lookup<FileObjectBody>(handle, 'File');
  if (typeof object === 'number') return object;
  const file = object.body;
  const stat = fstatSync(file.descriptor);
  return cachedImageSection(process, stat, file.guestName, (bytes) => readSync(file.descriptor, bytes, 0, bytes.length, 0));
}

/** The image section of a host file the kernel itself maps (a system DLL), named `guestName` in the guest. */
export function imageSectionForHostFile(process: Process, hostPath: string, guestName: string): SectionObject | NtStatus {
  let stat: Stats;
  try {
    stat = statSync(hostPath);
  } catch {
    return STATUS_OBJECT_NAME_NOT_FOUND;
  }
  return cachedImageSection(process, stat, guestName, (bytes) => { bytes.set(readFileSync(hostPath).subarray(0, bytes.length)); return bytes.length; });
}

function cachedImageSection(process: Process, stat: Stats, guestName: string, read: (into: Uint8Array) => number): SectionObject | NtStatus {
  const key = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  const imageControlAreas = process.imageControlAreas;
  const cached = imageControlAreas.get(key);
  if (cached && process.space.controlAreas.has(cached)) return referenceImageSection(cached);
  if (stat.size === 0 || stat.size > MAX_IMAGE_FILE) return STATUS_INVALID_IMAGE_FORMAT;
  const bytes = new Uint8Array(stat.size);
  read(bytes);
  try {
    const image = isPe(bytes) ? parsePe32(guestName, bytes) : parseElf32(guestName, bytes);
    const section = createImageSectionFor(process.space, image, () => imageControlAreas.delete(key));
    if (typeof section === 'number') return section;
    // The cache's own reference keeps the image's pages resident (standby) after its last view goes, as Windows does.
    section.controlArea.numberOfSectionReferences++;
    imageControlAreas.set(key, section.controlArea);
    imagesBySection.set(section.controlArea, image);
    return section;
  } catch (error) {
    if (error instanceof BadImageError) return error.status;
    throw error;
  }
}

/**
 * The image section of a program a process runs (the first program, or one
 * NtCreateUserProcess starts): every process running the same program maps
 * one control area, as every process of one EXE maps its file's one image
 * section on Windows, so their code pages are the same frames (and an
 * address-space switch between them keeps them mapped and translated).
 * Keyed by the image's contents rather than the file (the first program may
 * be given as bytes): the same bytes at the same addresses, the same section.
 * No reference of the cache's own: the section goes with the last process
 * that maps it.
 */
export function programImageSection(space: AddressSpace, imageControlAreas: Map<string, ControlArea>, image: LoadableImage): SectionObject | NtStatus {
  const key = `program:${imageDigest(image)}`;
  const cached = imageControlAreas.get(key);
  if (cached && space.controlAreas.has(cached)) return referenceImageSection(cached);
  const section = createImageSectionFor(space, image, () => imageControlAreas.delete(key));
  if (typeof section === 'number') return section;
  imageControlAreas.set(key, section.controlArea);
  imagesBySection.set(section.controlArea, image);
  return section;
}

/** What an image section is made of: each segment's place, size, protection and file bytes, and whether it can be relocated. */
function imageDigest(image: LoadableImage): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ entry: image.entry, relocatable: image.pe?.relocatable ?? false }));
  for (const segment of image.segments) {
    hash.update(JSON.stringify({ address: segment.address, memorySize: segment.memorySize, readable: segment.readable, writable: segment.writable, executable: segment.executable }));
    hash.update(segment.fileBytes);
  }
  return hash.digest('hex');
}
