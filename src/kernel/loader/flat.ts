// Flat binaries (nasm -f bin): the whole file is one read/write/execute
// segment at the given base, entered at its first byte.
import { PAGE_MASK, hex32 } from '../../mm/layout.js';
import { BadImageError, type LoadableImage } from './loadable-image.js';
import { checkImageLayout } from './image-checks.js';

export function parseFlatBinary(fileName: string, bytes: Uint8Array, base: number): LoadableImage {
  if (bytes.length === 0) throw new BadImageError(fileName, 'empty file');
  if (base & PAGE_MASK) throw new BadImageError(fileName, `base ${hex32(base)} is not page-aligned`);
  const image: LoadableImage = {
    fileName,
    entry: base,
    segments: [{ address: base, memorySize: bytes.length, fileBytes: bytes.slice(), readable: true, writable: true, executable: true }],
  };
  checkImageLayout(image);
  return image;
}
