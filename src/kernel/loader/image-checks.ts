// Checks common to every loader: segments inside user space, not in the
// no-access first 64 KiB, not overlapping one another.
import { MM_HIGHEST_VAD_ADDRESS, MM_LOWEST_USER_ADDRESS, hex32 } from '../../mm/layout.js';
import { BadImageError, type LoadableImage } from './loadable-image.js';

/** Largest image mmscope accepts: all of user space that allocations may use. */
const MAX_IMAGE_SPAN = MM_HIGHEST_VAD_ADDRESS + 1 - MM_LOWEST_USER_ADDRESS;

/** `entryRequired` false: no entry point is fine (a PE DLL without DllMain). */
export function checkImageLayout(image: LoadableImage, options: { entryRequired?: boolean } = {}): void {
  const fail = (detail: string): never => { throw new BadImageError(image.fileName, detail); };
  if (image.segments.length === 0) fail('no loadable segments');
  const sorted = [...image.segments].sort((a, b) => a.address - b.address);
  let previousEnd = 0;
  for (const segment of sorted) {
    const end = segment.address + segment.memorySize; // one past the last byte
    if (segment.memorySize === 0) continue;
    if (segment.memorySize > MAX_IMAGE_SPAN) fail(`segment at ${hex32(segment.address)} is ${segment.memorySize} bytes: larger than the user address space`);
    if (segment.address < MM_LOWEST_USER_ADDRESS) fail(`segment at ${hex32(segment.address)} lies in the first 64 KiB, which is never accessible`);
    if (end - 1 > MM_HIGHEST_VAD_ADDRESS) fail(`segment ${hex32(segment.address)}-${hex32(end - 1)} reaches past user space (${hex32(MM_HIGHEST_VAD_ADDRESS)}) into KUSER_SHARED_DATA, the reserved area or kernel space`);
    if (segment.address < previousEnd) fail(`segments overlap at ${hex32(segment.address)}`);
    previousEnd = end;
  }
  if (options.entryRequired === false) return;
  const inside = sorted.some((s) => image.entry >= s.address && image.entry < s.address + s.memorySize && s.executable);
  if (!inside) fail(`entry point ${hex32(image.entry)} is not inside an executable segment`);
}
