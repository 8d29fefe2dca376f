// Symbols for the debugger, by module: the ELF symbol tables (.symtab) of
// the program and of the modules it loaded (absolute addresses: the images
// are ET_EXEC, linked where they load), and the export directory of PE
// images (RVAs, added to the base the module is mapped at), which is what
// WinDbg shows for a module without a PDB.
import { basename } from 'node:path';
import { parsePe32 } from '../kernel/loader/pe32.js';
import { BadImageError } from '../kernel/loader/loadable-image.js';

export interface SymbolEntry {
  module: string;
  name: string;
  address: number;
  /** Bytes (0 when the ELF does not say). */
  size: number;
}

export interface ModuleSymbols {
  /** WinDbg's module name: the file name without its extension. */
  name: string;
  path: string;
  base: number;
  end: number;
  symbols: SymbolEntry[];
  /** Where the symbols come from: a PE image's export directory, or an ELF symbol table. */
  source: 'export' | 'elf';
}

const SHT_SYMTAB = 2;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const SHN_UNDEF = 0;

/** WinDbg names a module after its file: `rc.elf` → `rc`. */
export const moduleNameOf = (path: string): string => {
  const file = basename(path.replace(/\\/g, '/')); // guest paths (C:\\plugin.elf) use backslashes
  return file.replace(/\.[^.]*$/, '') || file;
};

/**
 * A module's symbols: for a PE image its exports (mapped at `base`), else
 * the function and object symbols of an ELF32 file, read from its section
 * headers (none when it is stripped or neither). `base`/`end` bound the module.
 */
export function readElfSymbols(path: string, bytes: Uint8Array, base: number, end: number): ModuleSymbols {
  const module = moduleNameOf(path);
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) return { name: module, path, base, end, symbols: readPeExports(module, path, bytes, base), source: 'export' };
  const symbols: SymbolEntry[] = [];
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, false) !== 0x7f454c46 || bytes[4] !== 1) return { name: module, path, base, end, symbols, source: 'elf' };
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
      for (let at = table.offset; at + 16 <= table.offset + table.size; at += 16) {
        const type = bytes[at + 12]! & 0xf;
        const index = view.getUint16(at + 14, true);
        const address = view.getUint32(at + 4, true);
        if ((type !== STT_FUNC && type !== STT_OBJECT && type !== 0) || index === SHN_UNDEF || address === 0) continue;
        const name = readString(bytes, strings.offset + view.getUint32(at, true));
        if (!name || name.startsWith('.') || name.startsWith('$')) continue;
        symbols.push({ module, name, address, size: view.getUint32(at + 8, true) });
      }
    }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error; // a truncated table: keep what was read
  }
  symbols.sort((a, b) => a.address - b.address);
  return { name: module, path, base, end, symbols, source: 'elf' };
}

/** A PE image's exports at `base` + RVA, by address (none when the file is not a PE image mmscope can load). */
function readPeExports(module: string, path: string, bytes: Uint8Array, base: number): SymbolEntry[] {
  let exports: ReadonlyMap<string, number>;
  try {
    exports = parsePe32(path, bytes).pe?.exports ?? new Map();
  } catch (error) {
    if (error instanceof BadImageError) return [];
    throw error;
  }
  return [...exports].map(([name, rva]) => ({ module, name, address: (base + rva) >>> 0, size: 0 })).sort((a, b) => a.address - b.address);
}

function readString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(at, end)).toString('latin1');
}

/** The symbols of every module, searchable by name and by address. */
export class SymbolTable {
  private readonly modules = new Map<string, ModuleSymbols>();

  add(module: ModuleSymbols): void { this.modules.set(module.name.toLowerCase(), module); }
  remove(name: string): void { this.modules.delete(name.toLowerCase()); }
  has(name: string): boolean { return this.modules.has(name.toLowerCase()); }
  list(): ModuleSymbols[] { return [...this.modules.values()].sort((a, b) => a.base - b.base); }

  /** `module!name` or `name` (first module that has it); undefined when unknown. */
  resolve(text: string): number | undefined {
    const bang = text.indexOf('!');
    if (bang >= 0) {
      const module = this.modules.get(text.slice(0, bang).toLowerCase());
      return module?.symbols.find((s) => s.name === text.slice(bang + 1))?.address;
    }
    for (const module of this.list()) {
      const found = module.symbols.find((s) => s.name === text);
      if (found) return found.address;
    }
    return undefined;
  }

  /** The symbol at or below `address` in the module holding it, with the offset (WinDbg's `ln`). */
  nearest(address: number): { symbol: SymbolEntry; offset: number } | undefined {
    address >>>= 0;
    const module = this.list().find((m) => address >= m.base && address < m.end);
    if (!module) return undefined;
    let best: SymbolEntry | undefined;
    for (const symbol of module.symbols) {
      if (symbol.address > address) break;
      best = symbol;
    }
    return best && { symbol: best, offset: address - best.address };
  }

  /** `module!name+0x12`, `module+0x123` outside any symbol, or the bare hex address. */
  format(address: number): string {
    const near = this.nearest(address);
    if (near) return `${near.symbol.module}!${near.symbol.name}${near.offset ? `+0x${near.offset.toString(16)}` : ''}`;
    const module = this.list().find((m) => address >>> 0 >= m.base && address >>> 0 < m.end);
    if (module) return `${module.name}+0x${((address >>> 0) - module.base).toString(16)}`;
    return (address >>> 0).toString(16).padStart(8, '0');
  }

  /** `x module!pattern`: `*` any run, `?` one character, case-insensitive as WinDbg. */
  match(pattern: string): SymbolEntry[] {
    const bang = pattern.indexOf('!');
    const modulePattern = bang >= 0 ? pattern.slice(0, bang) : '*';
    const namePattern = bang >= 0 ? pattern.slice(bang + 1) : pattern;
    const moduleRe = wildcard(modulePattern), nameRe = wildcard(namePattern || '*');
    return this.list().filter((m) => moduleRe.test(m.name)).flatMap((m) => m.symbols.filter((s) => nameRe.test(s.name)));
  }
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
