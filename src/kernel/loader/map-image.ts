// Maps a checked image as Windows maps an image: an image section whose
// prototype PTEs point into the file for code and data and are demand-zero
// for .bss, viewed at the image's base as an image VAD. Code and read-only
// pages are shared with the file; writable pages are copy-on-write.
import type { AddressSpace } from '../../mm/address-space.js';
import { PAGE_SIZE, addressOfVpn, vpnOf } from '../../mm/layout.js';
import {
  MM_EXECUTE, MM_EXECUTE_READ, MM_EXECUTE_WRITECOPY, MM_NOACCESS, MM_READONLY, MM_WRITECOPY, type ProtectionMask,
} from '../../mm/protection.js';
import type { Vad } from '../../mm/vad.js';
import { KernelPanic } from '../../mm/panic.js';
import {
  createImageSection, dereferenceSection, type BackingFile, type ControlArea, type SectionObject,
} from '../../mm/section.js';
import { mapViewOfSection } from '../../mm/section-view.js';
import type { NtStatus } from '../../nt/status.js';
import type { ImageSegment, LoadableImage } from './loadable-image.js';

function segmentProtection(segment: Pick<ImageSegment, 'readable' | 'writable' | 'executable'>): ProtectionMask {
  if (segment.executable) return segment.writable ? MM_EXECUTE_WRITECOPY : segment.readable ? MM_EXECUTE_READ : MM_EXECUTE;
  if (segment.writable) return MM_WRITECOPY;
  return segment.readable ? MM_READONLY : MM_NOACCESS;
}

const segmentEnd = (segment: ImageSegment): number => segment.address + segment.memorySize;

/**
 * The image as a section's file sees it: page i is what the segments put at
 * base + i * 4096, assembled from the ELF's segments (a PE file is laid out
 * by sections in the same way, pe32.ts). Image pages are never written back: writable
 * pages are copy-on-write.
 */
export class ImageFile implements BackingFile {
  controlArea: ControlArea | undefined;
  readonly base: number;
  readonly pageCount: number;

  constructor(private readonly image: LoadableImage, private readonly onRelease: () => void = () => {}) {
    const used = image.segments.filter((s) => s.memorySize > 0);
    const first = image.pe ? vpnOf(image.pe.imageBase) : Math.min(...used.map((s) => vpnOf(s.address)));
    const last = Math.max(...used.map((s) => vpnOf(segmentEnd(s) - 1)));
    this.base = addressOfVpn(first);
    // A PE image's view spans SizeOfImage, whatever its sections cover.
    this.pageCount = image.pe ? image.pe.sizeOfImage / PAGE_SIZE : last - first + 1;
  }

  get name(): string { return this.image.fileName; }
  size(): number { return this.pageCount * PAGE_SIZE; }

  private segmentsOn(pageIndex: number): ImageSegment[] {
    const start = this.base + pageIndex * PAGE_SIZE;
    return this.image.segments.filter((s) => s.memorySize > 0 && s.address < start + PAGE_SIZE && segmentEnd(s) > start);
  }

  /** Pages shared by two segments get the rights of both; writable pages are copy-on-write. */
  protectionOf(pageIndex: number): ProtectionMask {
    const on = this.segmentsOn(pageIndex);
    if (on.length === 0) return MM_NOACCESS;
    return segmentProtection({
      readable: on.some((s) => s.readable),
      writable: on.some((s) => s.writable),
      executable: on.some((s) => s.executable),
    });
  }

  hasFileBytes(pageIndex: number): boolean {
    const start = this.base + pageIndex * PAGE_SIZE;
    return this.segmentsOn(pageIndex).some((s) => s.address < start + PAGE_SIZE && s.address + s.fileBytes.length > start);
  }

  read(offset: number, into: Uint8Array): number {
    const pageStart = this.base + offset;
    let copied = 0;
    for (const segment of this.segmentsOn(offset / PAGE_SIZE)) {
      const from = Math.max(pageStart, segment.address);
      const to = Math.min(pageStart + PAGE_SIZE, segment.address + segment.fileBytes.length);
      if (to <= from) continue;
      into.set(segment.fileBytes.subarray(from - segment.address, to - segment.address), from - pageStart);
      copied += to - from;
    }
    return copied;
  }

  write(): void {
    throw new KernelPanic(`${this.name}: an image page was written back (image pages are copy-on-write)`);
  }

  release(): void { this.onRelease(); }
}

/** An image section for a checked image (SEC_IMAGE). */
export function createImageSectionFor(space: AddressSpace, image: LoadableImage, onRelease?: () => void): SectionObject | NtStatus {
  const file = new ImageFile(image, onRelease);
  const protections = Uint8Array.from({ length: file.pageCount }, (_, i) => file.protectionOf(i));
  return createImageSection(space, {
    file, imageBase: file.base, protections, hasFileBytes: (i) => file.hasFileBytes(i), relocatable: image.pe?.relocatable ?? false,
  });
}

/** Maps the program as an image section view at its base (`section`: an image section of it, by default a new one): the image VAD. */
export function mapImage(space: AddressSpace, image: LoadableImage, section: SectionObject | NtStatus = createImageSectionFor(space, image)): Vad | NtStatus {
  if (typeof section === 'number') return section;
  const view = mapViewOfSection(space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: 0 });
  if (!('vad' in view)) {
    dereferenceSection(space, section);
    return view.status;
  }
  return view.vad;
}
