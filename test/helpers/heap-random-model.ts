// What test/guests/heap-random.c must observe for a seed, computed here from
// the seed alone: the same generator and the same model of live blocks, with
// the C runtime's documented answers (Microsoft's CRT reference: malloc(0)
// returns a unique non-NULL block, realloc(p, 0) frees p and returns NULL).

const SLOTS = 256;

export interface HeapRandomFigures {
  malloc: number; free: number; realloc: number; validations: number;
  bytesReadBack: number; checksum: number;
}

/** The figures heap-random prints for `seed` and `operations`, when every block keeps its bytes. */
export function heapRandomFigures(seed: number, operations: number): HeapRandomFigures {
  let state = seed >>> 0;
  const next = (): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state >>> 8; };
  const randomSize = (): number => {
    const kind = next() % 100;
    if (kind < 70) return next() % 128;
    if (kind < 97) return next() % 2048;
    return 0x80000 + next() % 0x40000;
  };
  const nextByte = (k: number, size: number): number => (size <= 16384 || k < 4096 || k + 4096 >= size ? k + 1 : k + 509);
  const live = Array.from({ length: SLOTS }, () => ({ allocated: false, size: 0, tag: 0 }));
  const figures: HeapRandomFigures = { malloc: 0, free: 0, realloc: 0, validations: 0, bytesReadBack: 0, checksum: 0 };
  const readBack = (i: number, length: number): void => {
    const block = live[i]!;
    for (let k = 0; k < length; k = nextByte(k, block.size)) {
      figures.bytesReadBack++;
      figures.checksum = (Math.imul(figures.checksum, 31) + ((block.tag + k) & 0xff)) >>> 0;
    }
  };
  for (let n = 1; n <= operations; n++) {
    const i = next() % SLOTS;
    const action = next() % 3;
    const block = live[i]!;
    if (!block.allocated) {
      block.size = randomSize();
      block.allocated = true;
      figures.malloc++;
      block.tag = next() & 0xff;
    } else if (action === 0) {
      readBack(i, block.size);
      figures.free++;
      block.allocated = false;
    } else {
      const size = randomSize();
      figures.realloc++;
      block.allocated = size !== 0;
      readBack(i, Math.min(size, block.size));
      block.size = size;
    }
    if (n % 1000 === 0) figures.validations++;
  }
  live.forEach((block, i) => { if (block.allocated) { readBack(i, block.size); figures.free++; } });
  figures.validations++;
  return figures;
}

/** The line heap-random prints with these figures. */
export const heapRandomLine = (f: HeapRandomFigures): string =>
  `${f.malloc} malloc, ${f.free} free, ${f.realloc} realloc, ${f.validations} validations; ` +
  `${f.bytesReadBack} bytes read back, checksum ${f.checksum.toString(16).padStart(8, '0')}`;
