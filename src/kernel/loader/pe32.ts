// PE32 images (i386 .exe and .dll, as mingw-w64 and MSVC write them): the
// headers read as field tables with DataView, every size and offset checked
// against the file, then laid out as Windows' MiCreateImageFileMap lays an
// image section out (WRK creasect.c; ReactOS ARM3): the headers on their own
// read-only page(s), each section at ImageBase + VirtualAddress with the
// protection its characteristics give (MmImageProtectionArray), the part of
// a section past its raw data demand-zero. An image whose SectionAlignment
// is below the page size is mapped "flat": file offset = RVA, one
// PAGE_EXECUTE_WRITECOPY range. Statuses are NtCreateSection(SEC_IMAGE)'s
// for such files: not MZ, no PE signature, NE/LE, 64-bit, everything else
// STATUS_INVALID_IMAGE_FORMAT.
import { MM_HIGHEST_VAD_ADDRESS, PAGE_SIZE, hex32 } from '../../mm/layout.js';
import {
  STATUS_INVALID_IMAGE_LE_FORMAT, STATUS_INVALID_IMAGE_NE_FORMAT, STATUS_INVALID_IMAGE_NOT_MZ, STATUS_INVALID_IMAGE_PROTECT,
  STATUS_INVALID_IMAGE_WIN_64, type NtStatus,
} from '../../nt/status.js';
import { checkImageLayout } from './image-checks.js';
import { BadImageError, type ImageSegment, type LoadableImage } from './loadable-image.js';

const IMAGE_DOS_SIGNATURE = 0x5a4d; // MZ
const IMAGE_NT_SIGNATURE = 0x00004550; // PE\0\0
const IMAGE_OS2_SIGNATURE = 0x454e; // NE
const IMAGE_VXD_SIGNATURE = 0x454c; // LE
const IMAGE_FILE_MACHINE_I386 = 0x14c;
const IMAGE_FILE_RELOCS_STRIPPED = 0x0001;
const IMAGE_FILE_DLL = 0x2000;
const PE32_MAGIC = 0x10b, PE32_PLUS_MAGIC = 0x20b;
const FILE_HEADER_SIZE = 20, SECTION_HEADER_SIZE = 40;
/** The optional header up to NumberOfRvaAndSizes, and each data directory entry. */
const OPTIONAL_HEADER_FIXED = 96, DATA_DIRECTORY_SIZE = 8;
/** Windows refuses more sections than fit in the two header pages it reads (WRK MM_MAXIMUM_IMAGE_SECTIONS). */
const MAX_SECTIONS = 96;
/** WRK's MM_SIZE_OF_LARGEST_IMAGE. */
const MAX_IMAGE_SIZE = 0x77000000;
const ALLOCATION_GRANULARITY = 0x10000;
const DIRECTORY_EXPORT = 0, DIRECTORY_IMPORT = 1, DIRECTORY_BASERELOC = 5;

const IMAGE_SCN_MEM_EXECUTE = 0x20000000, IMAGE_SCN_MEM_READ = 0x40000000, IMAGE_SCN_MEM_WRITE = 0x80000000;

const MACHINES: Record<number, string> = { 0x8664: 'x64', 0x1c0: 'ARM', 0x1c4: 'ARM Thumb-2', 0xaa64: 'ARM64', 0x200: 'Itanium' };

interface FileHeader { machine: number; numberOfSections: number; sizeOfOptionalHeader: number; characteristics: number }

interface OptionalHeader {
  addressOfEntryPoint: number; imageBase: number; sectionAlignment: number; fileAlignment: number;
  sizeOfImage: number; sizeOfHeaders: number; sizeOfStackReserve: number; sizeOfStackCommit: number;
  directories: { rva: number; size: number }[];
}

export interface PeSection { name: string; virtualAddress: number; virtualSize: number; rawOffset: number; rawSize: number; characteristics: number }

export const isPe = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x4d && bytes[1] === 0x5a;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

/** Parses and checks a PE32 file; BadImageError (with the NTSTATUS) for anything Windows would refuse or mmscope cannot map. */
export function parsePe32(fileName: string, bytes: Uint8Array): LoadableImage {
  const fail = (detail: string, status?: NtStatus): never => { throw new BadImageError(fileName, detail, status); };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || view.getUint16(0, true) !== IMAGE_DOS_SIGNATURE) fail('not an MZ executable (no DOS header)', STATUS_INVALID_IMAGE_NOT_MZ);
  const ntOffset = view.getUint32(0x3c, true);
  if (ntOffset > bytes.length - 4 - FILE_HEADER_SIZE || ntOffset < 4) fail(`e_lfanew ${hex32(ntOffset)} points outside the file (${bytes.length} bytes)`, STATUS_INVALID_IMAGE_PROTECT);
  checkNtSignature(view, ntOffset, fail);
  const file = readFileHeader(view, ntOffset + 4, fail);
  const optionalOffset = ntOffset + 4 + FILE_HEADER_SIZE;
  const optional = readOptionalHeader(view, optionalOffset, file, fail);
  const sections = readSections(view, optionalOffset + file.sizeOfOptionalHeader, file.numberOfSections, fail);
  checkSections(sections, optional, bytes.length, fail);
  const base = optional.imageBase;
  const flat = optional.sectionAlignment < PAGE_SIZE;
  const sizeOfImage = roundUp(optional.sizeOfImage, PAGE_SIZE);
  const segments = flat ? flatSegments(bytes, base, sizeOfImage) : sectionSegments(bytes, base, optional, sections);
  const dll = (file.characteristics & IMAGE_FILE_DLL) !== 0;
  const relocations = optional.directories[DIRECTORY_BASERELOC];
  const rvaReader = new RvaReader(view, sections, flat);
  const image: LoadableImage = {
    fileName,
    entry: (base + optional.addressOfEntryPoint) >>> 0,
    segments,
    stackReserveBytes: optional.sizeOfStackReserve,
    pe: {
      imageBase: base,
      sizeOfImage,
      dll,
      relocatable: (file.characteristics & IMAGE_FILE_RELOCS_STRIPPED) === 0 && (relocations?.size ?? 0) > 0,
      stackCommitBytes: optional.sizeOfStackCommit,
      ...readExports(rvaReader, optional.directories[DIRECTORY_EXPORT]),
      importedDlls: readImportedDlls(rvaReader, optional.directories[DIRECTORY_IMPORT]),
    },
  };
  // A DLL need not have an entry point (AddressOfEntryPoint 0: no DllMain).
  checkImageLayout(image, { entryRequired: !(dll && optional.addressOfEntryPoint === 0) });
  return image;
}

function checkNtSignature(view: DataView, at: number, fail: (detail: string, status?: NtStatus) => never): void {
  const signature = view.getUint32(at, true);
  if (signature === IMAGE_NT_SIGNATURE) return;
  const short = signature & 0xffff;
  if (short === IMAGE_OS2_SIGNATURE) fail('a 16-bit Windows (NE) executable', STATUS_INVALID_IMAGE_NE_FORMAT);
  if (short === IMAGE_VXD_SIGNATURE) fail('a virtual device driver (LE) file', STATUS_INVALID_IMAGE_LE_FORMAT);
  fail('an MS-DOS program, not a Windows one (no PE signature at e_lfanew)', STATUS_INVALID_IMAGE_PROTECT);
}

function readFileHeader(view: DataView, at: number, fail: (detail: string, status?: NtStatus) => never): FileHeader {
  const header = {
    machine: view.getUint16(at, true),
    numberOfSections: view.getUint16(at + 2, true),
    sizeOfOptionalHeader: view.getUint16(at + 16, true),
    characteristics: view.getUint16(at + 18, true),
  };
  if (header.machine === 0x8664 || header.machine === 0xaa64) fail(`a 64-bit (${MACHINES[header.machine]}) image; mmscope runs 32-bit i386 programs (build with i686-w64-mingw32-gcc)`, STATUS_INVALID_IMAGE_WIN_64);
  if (header.machine !== IMAGE_FILE_MACHINE_I386) fail(`built for ${MACHINES[header.machine] ?? `machine ${hex32(header.machine)}`}, not i386`);
  if (header.numberOfSections === 0) fail('no sections');
  if (header.numberOfSections > MAX_SECTIONS) fail(`${header.numberOfSections} sections (Windows maps at most ${MAX_SECTIONS})`);
  return header;
}

function readOptionalHeader(view: DataView, at: number, file: FileHeader, fail: (detail: string, status?: NtStatus) => never): OptionalHeader {
  if (file.sizeOfOptionalHeader < OPTIONAL_HEADER_FIXED || at + file.sizeOfOptionalHeader > view.byteLength) fail(`optional header of ${file.sizeOfOptionalHeader} bytes is truncated`);
  const magic = view.getUint16(at, true);
  if (magic === PE32_PLUS_MAGIC) fail('a PE32+ (64-bit) optional header', STATUS_INVALID_IMAGE_WIN_64);
  if (magic !== PE32_MAGIC) fail(`optional header magic ${hex32(magic)} is not PE32 (0x10b)`);
  const count = view.getUint32(at + 92, true);
  if (count > 16 || OPTIONAL_HEADER_FIXED + count * DATA_DIRECTORY_SIZE > file.sizeOfOptionalHeader) fail(`${count} data directories do not fit the optional header`);
  const directories = Array.from({ length: count }, (_, i) => ({
    rva: view.getUint32(at + OPTIONAL_HEADER_FIXED + i * DATA_DIRECTORY_SIZE, true),
    size: view.getUint32(at + OPTIONAL_HEADER_FIXED + i * DATA_DIRECTORY_SIZE + 4, true),
  }));
  const header: OptionalHeader = {
    addressOfEntryPoint: view.getUint32(at + 16, true),
    imageBase: view.getUint32(at + 28, true),
    sectionAlignment: view.getUint32(at + 32, true),
    fileAlignment: view.getUint32(at + 36, true),
    sizeOfImage: view.getUint32(at + 56, true),
    sizeOfHeaders: view.getUint32(at + 60, true),
    sizeOfStackReserve: view.getUint32(at + 72, true),
    sizeOfStackCommit: view.getUint32(at + 76, true),
    directories,
  };
  checkOptionalHeader(header, fail);
  return header;
}

/** MiVerifyImageHeader's checks on the alignments, the base and the sizes. */
function checkOptionalHeader(h: OptionalHeader, fail: (detail: string) => never): void {
  if (!isPowerOfTwo(h.sectionAlignment) || !isPowerOfTwo(h.fileAlignment)) fail(`SectionAlignment ${hex32(h.sectionAlignment)} and FileAlignment ${hex32(h.fileAlignment)} must be powers of two`);
  if (h.sectionAlignment < h.fileAlignment) fail(`SectionAlignment ${hex32(h.sectionAlignment)} is below FileAlignment ${hex32(h.fileAlignment)}`);
  if (h.sectionAlignment < PAGE_SIZE && h.fileAlignment !== h.sectionAlignment) fail(`SectionAlignment ${hex32(h.sectionAlignment)} below the page size needs FileAlignment equal to it`);
  if (h.sectionAlignment >= PAGE_SIZE && (h.fileAlignment < 512 || h.fileAlignment > ALLOCATION_GRANULARITY)) fail(`FileAlignment ${hex32(h.fileAlignment)} is outside 512 bytes to 64 KiB`);
  if (h.imageBase % ALLOCATION_GRANULARITY !== 0) fail(`ImageBase ${hex32(h.imageBase)} is not a multiple of 64 KiB`);
  if (h.sizeOfImage === 0 || h.sizeOfImage > MAX_IMAGE_SIZE) fail(`SizeOfImage ${hex32(h.sizeOfImage)} is out of range`);
  if (h.imageBase + roundUp(h.sizeOfImage, PAGE_SIZE) - 1 > MM_HIGHEST_VAD_ADDRESS) fail(`image ${hex32(h.imageBase)}+${hex32(h.sizeOfImage)} reaches past user space`);
  if (h.sizeOfHeaders === 0 || h.sizeOfHeaders > h.sizeOfImage) fail(`SizeOfHeaders ${hex32(h.sizeOfHeaders)} is outside the image`);
  if (h.addressOfEntryPoint >= h.sizeOfImage) fail(`AddressOfEntryPoint ${hex32(h.addressOfEntryPoint)} is outside the image`);
  if (h.sizeOfStackCommit > h.sizeOfStackReserve) fail(`SizeOfStackCommit ${hex32(h.sizeOfStackCommit)} exceeds SizeOfStackReserve ${hex32(h.sizeOfStackReserve)}`);
  if (h.sizeOfStackReserve > 1 << 30) fail(`asks for a ${h.sizeOfStackReserve}-byte stack; the most is 1 GiB`);
  for (const d of h.directories) if (d.size > 0 && (d.rva >= h.sizeOfImage || d.size > h.sizeOfImage - d.rva)) fail(`a data directory (${hex32(d.rva)}, ${d.size} bytes) lies outside the image`);
}

function readSections(view: DataView, at: number, count: number, fail: (detail: string) => never): PeSection[] {
  if (at + count * SECTION_HEADER_SIZE > view.byteLength) fail('truncated: the section table runs past the end of the file');
  return Array.from({ length: count }, (_, i) => {
    const s = at + i * SECTION_HEADER_SIZE;
    const nameBytes = new Uint8Array(view.buffer, view.byteOffset + s, 8);
    const end = nameBytes.indexOf(0);
    const name = String.fromCharCode(...nameBytes.subarray(0, end < 0 ? 8 : end));
    const rawSize = view.getUint32(s + 16, true);
    const virtualSize = view.getUint32(s + 8, true) || rawSize;
    return { name, virtualSize, virtualAddress: view.getUint32(s + 12, true), rawSize, rawOffset: view.getUint32(s + 20, true), characteristics: view.getUint32(s + 36, true) };
  });
}

/** Sections in ascending, aligned, non-overlapping order inside SizeOfImage, with their raw data in the file (MiCreateImageFileMap's checks). */
function checkSections(sections: readonly PeSection[], h: OptionalHeader, fileSize: number, fail: (detail: string) => never): void {
  const flat = h.sectionAlignment < PAGE_SIZE;
  let next = flat ? h.sizeOfHeaders : roundUp(h.sizeOfHeaders, h.sectionAlignment);
  for (const s of sections) {
    const label = `section ${JSON.stringify(s.name)}`;
    if (s.virtualAddress % h.sectionAlignment !== 0) fail(`${label} at RVA ${hex32(s.virtualAddress)} is not aligned to SectionAlignment ${hex32(h.sectionAlignment)}`);
    if (s.virtualAddress < next) fail(`${label} at RVA ${hex32(s.virtualAddress)} overlaps the headers or the section before it`);
    if (s.virtualSize > h.sizeOfImage || s.virtualAddress > h.sizeOfImage - s.virtualSize) fail(`${label} (RVA ${hex32(s.virtualAddress)}, ${s.virtualSize} bytes) reaches past SizeOfImage ${hex32(h.sizeOfImage)}`);
    if (s.rawSize > 0 && (s.rawOffset > fileSize || s.rawSize > fileSize - s.rawOffset)) fail(`truncated: ${label}'s raw data (${s.rawSize} bytes at ${hex32(s.rawOffset)}) runs past the end of the file (${fileSize} bytes)`);
    // WRK MiCreateImageFileMap: a flat image is read from the file as is, so no section may have uninitialised data or move.
    if (flat && (s.rawOffset !== s.virtualAddress || s.virtualSize > s.rawSize)) fail(`${label}: with SectionAlignment below the page size, PointerToRawData must equal VirtualAddress and the section have no uninitialised data`);
    next = s.virtualAddress + roundUp(s.virtualSize, h.sectionAlignment);
  }
}

/** A flat image: the file is the image, read/write/execute copy-on-write (MiCreateImageFileMap's SectionAlignment < PAGE_SIZE case). */
function flatSegments(bytes: Uint8Array, base: number, sizeOfImage: number): ImageSegment[] {
  return [{ address: base, memorySize: sizeOfImage, fileBytes: bytes.slice(0, Math.min(bytes.length, sizeOfImage)), readable: true, writable: true, executable: true }];
}

/** The headers (read-only) and each section with its characteristics' access. */
function sectionSegments(bytes: Uint8Array, base: number, h: OptionalHeader, sections: readonly PeSection[]): ImageSegment[] {
  const headerBytes = Math.min(h.sizeOfHeaders, bytes.length);
  const segments: ImageSegment[] = [{ address: base, memorySize: h.sizeOfHeaders, fileBytes: bytes.slice(0, headerBytes), readable: true, writable: false, executable: false }];
  for (const s of sections) {
    if (s.virtualSize === 0) continue;
    const fileBytes = s.rawSize > 0 ? bytes.slice(s.rawOffset, s.rawOffset + Math.min(s.rawSize, s.virtualSize)) : new Uint8Array(0);
    segments.push({
      address: (base + s.virtualAddress) >>> 0,
      memorySize: s.virtualSize,
      fileBytes,
      readable: (s.characteristics & IMAGE_SCN_MEM_READ) !== 0,
      writable: (s.characteristics & IMAGE_SCN_MEM_WRITE) !== 0,
      executable: (s.characteristics & IMAGE_SCN_MEM_EXECUTE) !== 0,
    });
  }
  return segments;
}

/** Reads the file at RVAs, as the image would hold them once mapped (bounds-checked: a bad RVA reads as undefined). */
class RvaReader {
  constructor(private readonly view: DataView, private readonly sections: readonly PeSection[], private readonly flat: boolean) {}

  private offsetOf(rva: number, length: number): number | undefined {
    if (this.flat) return rva + length <= this.view.byteLength ? rva : undefined;
    const s = this.sections.find((x) => rva >= x.virtualAddress && rva - x.virtualAddress < Math.min(x.rawSize, x.virtualSize));
    if (!s || rva - s.virtualAddress + length > s.rawSize) return undefined;
    const offset = s.rawOffset + (rva - s.virtualAddress);
    return offset + length <= this.view.byteLength ? offset : undefined;
  }

  u32(rva: number): number | undefined {
    const at = this.offsetOf(rva, 4);
    return at === undefined ? undefined : this.view.getUint32(at, true);
  }

  u16(rva: number): number | undefined {
    const at = this.offsetOf(rva, 2);
    return at === undefined ? undefined : this.view.getUint16(at, true);
  }

  /** A NUL-terminated ASCII string of at most 256 bytes. */
  string(rva: number): string | undefined {
    let text = '';
    for (let i = 0; i < 256; i++) {
      const at = this.offsetOf(rva + i, 1);
      if (at === undefined) return undefined;
      const c = this.view.getUint8(at);
      if (c === 0) return text;
      text += String.fromCharCode(c);
    }
    return undefined;
  }
}

const MAX_EXPORTS = 65536, MAX_IMPORT_DLLS = 1024;

/**
 * Name → RVA from IMAGE_EXPORT_DIRECTORY, and the forwarders among them (an
 * RVA inside the directory names a string `DLL.Function`, PE/COFF 6.3.2);
 * entries that cannot be read are left out (the loader reports them missing).
 */
function readExports(reader: RvaReader, directory: { rva: number; size: number } | undefined): { exports: Map<string, number>; forwarders: Map<string, string> } {
  const exports = new Map<string, number>(), forwarders = new Map<string, string>();
  if (!directory || directory.size < 40) return { exports, forwarders };
  const at = directory.rva;
  const functionCount = reader.u32(at + 20) ?? 0, nameCount = Math.min(reader.u32(at + 24) ?? 0, MAX_EXPORTS);
  const functions = reader.u32(at + 28) ?? 0, names = reader.u32(at + 32) ?? 0, ordinals = reader.u32(at + 36) ?? 0;
  for (let i = 0; i < nameCount; i++) {
    const nameRva = reader.u32(names + i * 4), ordinal = reader.u16(ordinals + i * 2);
    if (nameRva === undefined || ordinal === undefined || ordinal >= functionCount) continue;
    const name = reader.string(nameRva), rva = reader.u32(functions + ordinal * 4);
    if (name === undefined || rva === undefined) continue;
    exports.set(name, rva);
    const target = rva >= at && rva - at < directory.size ? reader.string(rva) : undefined;
    if (target !== undefined) forwarders.set(name, target);
  }
  return { exports, forwarders };
}

/** The DLL names the import directory lists (IMAGE_IMPORT_DESCRIPTOR.Name), up to its all-zero terminator. */
function readImportedDlls(reader: RvaReader, directory: { rva: number; size: number } | undefined): string[] {
  const dlls: string[] = [];
  if (!directory || directory.size === 0) return dlls;
  for (let i = 0; i < MAX_IMPORT_DLLS; i++) {
    const nameRva = reader.u32(directory.rva + i * 20 + 12);
    if (!nameRva) break;
    const name = reader.string(nameRva);
    if (name !== undefined) dlls.push(name);
  }
  return dlls;
}
