// i386 disassembly for traces, reports and #GP classification, over
// capstone's wasm build. Compiling that 3.3 MB module costs ~40 ms of CPU,
// more than the rest of a short run, so it happens the first time something
// decodes an instruction, not at start-up.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

interface CapstoneInstruction { size: number; mnemonic: string; op_str: string }
interface CapstoneHandle { disasm(code: number[] | Uint8Array, address: number, count?: number): CapstoneInstruction[]; close(): void }
interface CapstoneModule { ARCH_X86: number; MODE_32: number; Capstone: new (arch: number, mode: number) => CapstoneHandle }

export interface DecodedInstruction { text: string; size: number }

const PREFIXES = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]);

/** `db` and the prefixes, escape bytes and opcode (with the ModRM of an ff/fe group opcode) of undecodable bytes. */
function asDataBytes(bytes: Uint8Array): DecodedInstruction {
  let size = 0;
  while (size < bytes.length - 1 && size < 14 && PREFIXES.has(bytes[size]!)) size++;
  if (bytes[size] === 0x0f) {
    size++;
    if (bytes[size] === 0x38 || bytes[size] === 0x3a) size++;
  } else if (bytes[size] === 0xff || bytes[size] === 0xfe) {
    size++;
  }
  size = Math.max(1, Math.min(bytes.length, size + 1));
  return { text: 'db ' + Array.from(bytes.subarray(0, size), (b) => b.toString(16).padStart(2, '0')).join(' '), size };
}

export class Disassembler {
  private handle: CapstoneHandle | undefined;

  /** Kept for callers written when creation was asynchronous; the engine now loads on first decode. */
  static async create(): Promise<Disassembler> {
    return new Disassembler();
  }

  /** True once capstone has been instantiated (start-up stays free of it unless something decodes). */
  get loaded(): boolean { return this.handle !== undefined; }

  /**
   * The first instruction in `bytes` at `address`. Bytes capstone cannot
   * decode (it throws a bare string for some, e.g. `0f 04`) come back as
   * `db` with the opcode's bytes: the disassembler only describes
   * instructions, it never decides what the CPU does with them.
   */
  decode(bytes: Uint8Array, address: number): DecodedInstruction {
    let first: CapstoneInstruction | undefined;
    try {
      this.handle ??= openCapstoneX86();
      [first] = this.handle.disasm(Array.from(bytes), address >>> 0, 1);
    } catch {
      first = undefined;
    }
    if (!first) return asDataBytes(bytes);
    return { text: first.op_str ? `${first.mnemonic} ${first.op_str}` : first.mnemonic, size: first.size };
  }

  /** Every instruction from the start of `bytes` up to the end or the first that does not decode. */
  decodeAll(bytes: Uint8Array, address: number): DecodedInstruction[] {
    this.handle ??= openCapstoneX86();
    return this.handle.disasm(Array.from(bytes), address >>> 0).map((i) => ({ text: i.op_str ? `${i.mnemonic} ${i.op_str}` : i.mnemonic, size: i.size }));
  }

  dispose(): void {
    this.handle?.close();
    this.handle = undefined;
  }
}

let capstone: CapstoneModule | undefined;

/**
 * Instantiates capstone synchronously: decoding is needed inside Unicorn's
 * hooks, where no promise can settle. The emscripten glue awaits its own
 * instantiation, so it runs in a vm context whose microtasks Node drains as
 * soon as the script returns (microtaskMode 'afterEvaluate'), with the wasm
 * compiled synchronously through the glue's instantiateWasm hook.
 */
function openCapstoneX86(): CapstoneHandle {
  capstone ??= loadCapstoneSync();
  return new capstone.Capstone(capstone.ARCH_X86, capstone.MODE_32);
}

function loadCapstoneSync(): CapstoneModule {
  const require = createRequire(import.meta.url);
  const glue = require.resolve('@alexaltea/capstone-js');
  const directory = dirname(glue);
  const wasm = readFileSync(join(directory, 'capstone.wasm'));
  const commonJsModule = { exports: {} };
  const result: { module?: CapstoneModule; error?: unknown } = {};
  const sandbox = {
    require, process, console, TextDecoder, URL, setTimeout, clearTimeout, result,
    __dirname: directory, __filename: glue, module: commonJsModule, exports: commonJsModule.exports,
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
      const compiled = new WebAssembly.Module(wasm);
      done(new WebAssembly.Instance(compiled, imports), compiled);
      return {};
    },
  };
  const context = vm.createContext(sandbox, { microtaskMode: 'afterEvaluate' });
  vm.runInContext(readFileSync(glue, 'utf8'), context, { filename: glue });
  vm.runInContext('MCapstone({ instantiateWasm }).then((m) => { result.module = m; }, (e) => { result.error = e; })', context);
  if (!result.module) throw new Error(`cannot load capstone synchronously: ${String(result.error ?? 'the module did not settle')}`);
  return result.module;
}
