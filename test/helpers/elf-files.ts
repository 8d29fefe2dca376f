// Hand-made ELF files for the loader's error paths.

export interface SegmentSpec { vaddr: number; memsz: number; filesz?: number; flags?: number; offset?: number }

/** A minimal ELF32 i386 ET_EXEC with the given PT_LOAD segments (file bytes are zeros). */
export function makeElf32(segments: SegmentSpec[], entry = segments[0]?.vaddr ?? 0x401000, patch?: (view: DataView) => void): Uint8Array {
  const headerSize = 52 + segments.length * 32;
  const dataSize = segments.reduce((n, s) => Math.max(n, (s.offset ?? 0x1000) + (s.filesz ?? 0)), headerSize);
  const bytes = new Uint8Array(Math.max(dataSize, 0x1000));
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 3, true); // EM_386
  view.setUint32(20, 1, true);
  view.setUint32(24, entry, true);
  view.setUint32(28, 52, true); // e_phoff
  view.setUint16(40, 52, true);
  view.setUint16(42, 32, true);
  view.setUint16(44, segments.length, true);
  segments.forEach((s, i) => {
    const at = 52 + i * 32;
    view.setUint32(at, 1, true); // PT_LOAD
    view.setUint32(at + 4, s.offset ?? 0x1000, true);
    view.setUint32(at + 8, s.vaddr, true);
    view.setUint32(at + 12, s.vaddr, true);
    view.setUint32(at + 16, s.filesz ?? 0, true);
    view.setUint32(at + 20, s.memsz, true);
    view.setUint32(at + 24, s.flags ?? 5, true);
    view.setUint32(at + 28, 0x1000, true);
  });
  patch?.(view);
  return bytes;
}
