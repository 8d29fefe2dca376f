// An ELF32 file's symbol table (.symtab), read from its section headers.
// The debugger names addresses with it; the kernel finds the runtime's
// RtlUserThreadStart in a program with it, as Windows' kernel finds ntdll's
// entry points among its exports (PspLookupKernelUserEntryPoints).

/** A defined function or object symbol (absolute address: mmscope's ELF images are ET_EXEC, linked where they load). */
export interface ElfSymbol {
  name: string;
  address: number;
  /** Bytes (0 when the ELF does not say). */
  size: number;
}

const SHT_SYMTAB = 2;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const SHN_UNDEF = 0;
const ELF32_SYMBOL_SIZE = 16;

/**
 * The defined function, object and untyped symbols of an ELF32 file, in
 * file order; none when it is stripped or not ELF32. A truncated table
 * gives the symbols read before the cut.
 */
export function readElfSymbolTable(bytes: Uint8Array): ElfSymbol[] {
  const symbols: ElfSymbol[] = [];
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, false) !== 0x7f454c46 || bytes[4] !== 1) return symbols;
    const sectionTable = view.getUint32(0x20, true);
    const entrySize = view.getUint16(0x2e, true);
    const count = view.getUint16(0x30, true);
    const section = (i: number) => {
      const at = sectionTable + i * entrySize;
      return { type: view.getUint32(at + 4, true), offset: view.getUint32(at + 16, true), size: view.getUint32(at + 20, true), link: view.getUint32(at + 24, true) };
    };
    for (let i = 0; i < count; i++) {
      const table = section(i);
      if (table.type !== SHT_SYMTAB) continue;
      const strings = section(table.link);
      for (let at = table.offset; at + ELF32_SYMBOL_SIZE <= table.offset + table.size; at += ELF32_SYMBOL_SIZE) {
        const type = bytes[at + 12]! & 0xf;
        const index = view.getUint16(at + 14, true);
        const address = view.getUint32(at + 4, true);
        if ((type !== STT_FUNC && type !== STT_OBJECT && type !== STT_NOTYPE) || index === SHN_UNDEF || address === 0) continue;
        const name = readString(bytes, strings.offset + view.getUint32(at, true));
        if (!name || name.startsWith('.') || name.startsWith('$')) continue;
        symbols.push({ name, address, size: view.getUint32(at + 8, true) });
      }
    }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error; // a truncated table: keep what was read
  }
  return symbols;
}

/** The address of the defined symbol `name`, if the file's symbol table has it. */
export function findElfSymbol(bytes: Uint8Array, name: string): number | undefined {
  return readElfSymbolTable(bytes).find((symbol) => symbol.name === name)?.address;
}

function readString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(at, end)).toString('latin1');
}
