// NtCreateSection(SEC_IMAGE) on a file: the ELF is read and checked like the
// program itself, and one image control area serves every section of the
// same file (as the file's ImageSectionObject does on Windows). The cache
// holds a reference of its own, so a module loaded again finds its code
// pages still resident.
import { fstatSync, readSync } from 'node:fs';
import { referenceImageSection, type SectionObject } from '../../mm/section.js';
import { STATUS_INVALID_IMAGE_FORMAT, type NtStatus } from '../../nt/status.js';
import type { FileObjectBody } from '../io/file-object.js';
import type { Process } from '../process.js';
import { parseElf32 } from './elf32.js';
import { BadImageError } from './loadable-image.js';
import { createImageSectionFor } from './map-image.js';

const MAX_IMAGE_FILE = 256 << 20;

export function imageSectionForFile(process: Process, handle: number): SectionObject | NtStatus {
  const object = process.handles.lookup<FileObjectBody>(handle, 'File');
  if (typeof object === 'number') return object;
  const file = object.body;
  const stat = fstatSync(file.descriptor);
  const key = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  const imageControlAreas = process.imageControlAreas;
  const cached = imageControlAreas.get(key);
  if (cached && process.space.controlAreas.has(cached)) return referenceImageSection(cached);
  if (stat.size === 0 || stat.size > MAX_IMAGE_FILE) return STATUS_INVALID_IMAGE_FORMAT;
  const bytes = new Uint8Array(stat.size);
  readSync(file.descriptor, bytes, 0, stat.size, 0);
  try {
    const image = parseElf32(file.guestName, bytes);
    const section = createImageSectionFor(process.space, image, () => imageControlAreas.delete(key));
    if (typeof section === 'number') return section;
    // The cache's own reference keeps the image's pages resident (standby) after its last view goes, as Windows does.
    section.controlArea.numberOfSectionReferences++;
    imageControlAreas.set(key, section.controlArea);
    return section;
  } catch (error) {
    if (error instanceof BadImageError) return STATUS_INVALID_IMAGE_FORMAT;
    throw error;
  }
}
