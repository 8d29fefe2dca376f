// Maps a checked image into an address space as one image VAD whose pages
// are filled from the file (or zeroed, for .bss) on first touch.
import type { AddressSpace } from '../../mm/address-space.js';
import { PAGE_SIZE, addressOfVpn, vpnOf, type Vpn } from '../../mm/layout.js';
import {
  MM_EXECUTE, MM_EXECUTE_READ, MM_EXECUTE_READWRITE, MM_EXECUTE_WRITECOPY, MM_NOACCESS, MM_READONLY, MM_READWRITE,
  type ProtectionMask,
} from '../../mm/protection.js';
import { Vad, VadType, type ImagePageSource } from '../../mm/vad.js';
import type { NtStatus } from '../../nt/status.js';
import type { ImageSegment, LoadableImage } from './loadable-image.js';

function segmentProtection(segment: Pick<ImageSegment, 'readable' | 'writable' | 'executable'>): ProtectionMask {
  if (segment.executable) return segment.writable ? MM_EXECUTE_READWRITE : segment.readable ? MM_EXECUTE_READ : MM_EXECUTE;
  if (segment.writable) return MM_READWRITE;
  return segment.readable ? MM_READONLY : MM_NOACCESS;
}

const segmentEnd = (segment: ImageSegment): number => segment.address + segment.memorySize;

/** Page contents and protections of an image, from its segments. */
export class SegmentPageSource implements ImagePageSource {
  constructor(private readonly image: LoadableImage) {}

  get fileName(): string { return this.image.fileName; }

  private segmentsOn(vpn: Vpn): ImageSegment[] {
    const start = addressOfVpn(vpn);
    return this.image.segments.filter((s) => s.memorySize > 0 && s.address < start + PAGE_SIZE && segmentEnd(s) > start);
  }

  /** Pages shared by two segments get the rights of both. */
  protectionOf(vpn: Vpn): ProtectionMask {
    const on = this.segmentsOn(vpn);
    if (on.length === 0) return MM_NOACCESS;
    return segmentProtection({
      readable: on.some((s) => s.readable),
      writable: on.some((s) => s.writable),
      executable: on.some((s) => s.executable),
    });
  }

  fill(vpn: Vpn, frame: Uint8Array): number {
    const pageStart = addressOfVpn(vpn);
    let copied = 0;
    for (const segment of this.segmentsOn(vpn)) {
      const from = Math.max(pageStart, segment.address);
      const to = Math.min(pageStart + PAGE_SIZE, segment.address + segment.fileBytes.length);
      if (to <= from) continue;
      frame.set(segment.fileBytes.subarray(from - segment.address, to - segment.address), from - pageStart);
      copied += to - from;
    }
    return copied;
  }
}

/** Creates the image VAD; every page of it is committed (charged) up front, as a private copy will back it. */
export function mapImage(space: AddressSpace, image: LoadableImage): Vad | NtStatus {
  const used = image.segments.filter((s) => s.memorySize > 0);
  const startingVpn = Math.min(...used.map((s) => vpnOf(s.address)));
  const endingVpn = Math.max(...used.map((s) => vpnOf(segmentEnd(s) - 1)));
  return space.createVad({
    startingVpn,
    endingVpn,
    protection: MM_EXECUTE_WRITECOPY,
    privateMemory: false,
    memCommit: true,
    vadType: VadType.VadImageMap,
    imageSource: new SegmentPageSource(image),
  });
}
