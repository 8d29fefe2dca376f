// Symbols for the debugger, by module: the ELF symbol tables (.symtab) of
// the program and of the modules it loaded (absolute addresses: the images
// are ET_EXEC, linked where they load), and the export directory of PE
// images (RVAs, added to the base the module is mapped at), which is what
// WinDbg shows for a module without a PDB.
import { basename } from 'node:path';
import { parsePe32 } from '../kernel/loader/pe32.js';
import { BadImageError } from '../kernel/loader/loadable-image.js';
import { readElfSymbolTable } from '../kernel/loader/elf-symbols.js';

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
  /** A PE image's forwarded exports (no code of their own): name → `DLL.Function`. */
  forwarders?: ReadonlyMap<string, string>;
}

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
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) return { name: module, path, base, end, ...readPeExports(module, path, bytes, base), source: 'export' };
  const symbols: SymbolEntry[] = readElfSymbolTable(bytes).map((symbol) => ({ module, ...symbol }));
  symbols.sort((a, b) => a.address - b.address);
  return { name: module, path, base, end, symbols, source: 'elf' };
}

/**
 * A PE image's exports at `base` + RVA, by address, and its forwarders
 * apart: their RVA is a string's, not code (none when the file is not a PE
 * image mmscope can load).
 */
function readPeExports(module: string, path: string, bytes: Uint8Array, base: number): { symbols: SymbolEntry[]; forwarders: ReadonlyMap<string, string> } {
  let pe: { exports: ReadonlyMap<string, number>; forwarders: ReadonlyMap<string, string> } | undefined;
  try {
    pe = parsePe32(path, bytes).pe;
  } catch (error) {
    if (error instanceof BadImageError) return { symbols: [], forwarders: new Map() };
    throw error;
  }
  const forwarders = pe?.forwarders ?? new Map<string, string>();
  const symbols = [...(pe?.exports ?? [])].filter(([name]) => !forwarders.has(name))
    .map(([name, rva]) => ({ module, name, address: (base + rva) >>> 0, size: 0 })).sort((a, b) => a.address - b.address);
  return { symbols, forwarders };
}

/** The symbols of every module, searchable by name and by address. */
export class SymbolTable {
  private readonly modules = new Map<string, ModuleSymbols>();

  add(module: ModuleSymbols): void { this.modules.set(module.name.toLowerCase(), module); }
  remove(name: string): void { this.modules.delete(name.toLowerCase()); }
  has(name: string): boolean { return this.modules.has(name.toLowerCase()); }
  list(): ModuleSymbols[] { return [...this.modules.values()].sort((a, b) => a.base - b.base); }

  /**
   * `module!name` or `name` (first module that has it); undefined when
   * unknown. A forwarded export is its target's address (kernel32!HeapAlloc
   * → ntdll!RtlAllocateHeap), as the loader binds it.
   */
  resolve(text: string, forwards = 0): number | undefined {
    const bang = text.indexOf('!');
    if (bang >= 0) {
      const module = this.modules.get(text.slice(0, bang).toLowerCase());
      const name = text.slice(bang + 1);
      const found = module?.symbols.find((s) => s.name === name)?.address;
      const target = module?.forwarders?.get(name);
      if (found !== undefined || target === undefined || forwards >= 8) return found;
      const dot = target.lastIndexOf('.');
      return this.resolve(`${moduleNameOf(target.slice(0, dot))}!${target.slice(dot + 1)}`, forwards + 1);
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
