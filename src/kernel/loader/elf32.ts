// Static ELF32 i386 executables (ET_EXEC with PT_LOAD segments). Headers are
// read as field tables with DataView; every size is checked against the file.
import { BadImageError, type ImageSegment, type LoadableImage } from './loadable-image.js';
import { checkImageLayout } from './image-checks.js';
import { findElfSymbol } from './elf-symbols.js';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1;
const ET_EXEC = 2, ET_DYN = 3, EM_386 = 3;
/** The largest stack a file may ask for: 1 GiB, half of user space. */
const MAX_STACK_RESERVE = 1 << 30;
const PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_GNU_STACK = 0x6474e551;
const PF_X = 1, PF_W = 2, PF_R = 4;
const ELF32_HEADER_SIZE = 52, ELF32_PHDR_SIZE = 32;
const MAX_PROGRAM_HEADERS = 256;

const MACHINES: Record<number, string> = { 0x3e: 'x86-64', 0x28: 'ARM', 0xb7: 'AArch64', 0x08: 'MIPS', 0xf3: 'RISC-V', 0x14: 'PowerPC' };

export const isElf = (bytes: Uint8Array): boolean => ELF_MAGIC.every((b, i) => bytes[i] === b);

export function parseElf32(fileName: string, bytes: Uint8Array): LoadableImage {
  const fail = (detail: string): never => { throw new BadImageError(fileName, detail); };
  if (bytes.length < 4 || !isElf(bytes)) fail('not an ELF file (to run a flat binary, give --base ADDRESS)');
  if (bytes.length < ELF32_HEADER_SIZE) fail(`truncated ELF header (${bytes.length} bytes)`);
  if (bytes[4] === ELFCLASS64) fail('a 64-bit ELF file; mmscope runs 32-bit i386 programs (build with gcc -m32)');
  if (bytes[4] !== ELFCLASS32) fail(`unknown ELF class ${bytes[4]}`);
  if (bytes[5] !== ELFDATA2LSB) fail('big-endian ELF; i386 programs are little-endian');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = {
    type: view.getUint16(16, true),
    machine: view.getUint16(18, true),
    entry: view.getUint32(24, true),
    phoff: view.getUint32(28, true),
    phentsize: view.getUint16(42, true),
    phnum: view.getUint16(44, true),
  };
  if (header.machine !== EM_386) fail(`built for ${MACHINES[header.machine] ?? `machine ${header.machine}`}, not i386`);
  if (header.type === ET_DYN) fail('a position-independent or shared object (ET_DYN); link a static executable (-static -no-pie)');
  if (header.type !== ET_EXEC) fail(`ELF type ${header.type} is not an executable (ET_EXEC)`);
  if (header.phnum === 0) fail('no program headers');
  if (header.phnum > MAX_PROGRAM_HEADERS) fail(`${header.phnum} program headers is absurd`);
  if (header.phentsize !== ELF32_PHDR_SIZE) fail(`program header size ${header.phentsize}, expected ${ELF32_PHDR_SIZE}`);
  if (header.phoff + header.phnum * ELF32_PHDR_SIZE > bytes.length) fail('truncated: program headers run past the end of the file');

  const segments: ImageSegment[] = [];
  let stackReserveBytes: number | undefined;
  for (let i = 0; i < header.phnum; i++) {
    const at = header.phoff + i * ELF32_PHDR_SIZE;
    const ph = {
      type: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      vaddr: view.getUint32(at + 8, true),
      filesz: view.getUint32(at + 16, true),
      memsz: view.getUint32(at + 20, true),
      flags: view.getUint32(at + 24, true),
    };
    if (ph.type === PT_INTERP || ph.type === PT_DYNAMIC) fail('dynamically linked; mmscope runs static executables (-static -nostdlib)');
    if (ph.type === PT_GNU_STACK && ph.memsz > 0) {
      if (ph.memsz > MAX_STACK_RESERVE) fail(`asks for a ${ph.memsz}-byte stack (PT_GNU_STACK); the most is ${MAX_STACK_RESERVE}`);
      stackReserveBytes = ph.memsz;
    }
    if (ph.type !== PT_LOAD) continue;
    if (ph.filesz > ph.memsz) fail(`segment ${i} has more file bytes (${ph.filesz}) than memory (${ph.memsz})`);
    if (ph.offset + ph.filesz > bytes.length) fail(`truncated: segment ${i} needs file bytes up to ${ph.offset + ph.filesz}, the file has ${bytes.length}`);
    if (ph.vaddr + ph.memsz > 2 ** 32) fail(`segment ${i} wraps past 4 GiB`);
    segments.push({
      address: ph.vaddr,
      memorySize: ph.memsz,
      fileBytes: bytes.slice(ph.offset, ph.offset + ph.filesz),
      readable: (ph.flags & PF_R) !== 0,
      writable: (ph.flags & PF_W) !== 0,
      executable: (ph.flags & PF_X) !== 0,
    });
  }
  const userThreadStart = findElfSymbol(bytes, 'RtlUserThreadStart');
  const image: LoadableImage = {
    fileName, entry: header.entry, segments, ...(stackReserveBytes ? { stackReserveBytes } : {}), ...(userThreadStart !== undefined ? { userThreadStart } : {}),
  };
  checkImageLayout(image);
  return image;
}
