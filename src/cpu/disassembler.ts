// i386 disassembly for traces and reports, over capstone's wasm build.
import { createRequire } from 'node:module';

interface CapstoneInstruction { size: number; mnemonic: string; op_str: string }
interface CapstoneHandle { disasm(code: number[] | Uint8Array, address: number, count?: number): CapstoneInstruction[]; close(): void }
interface CapstoneModule { ARCH_X86: number; MODE_32: number; Capstone: new (arch: number, mode: number) => CapstoneHandle }

export interface DecodedInstruction { text: string; size: number }

export class Disassembler {
  private constructor(private readonly handle: CapstoneHandle) {}

  static async create(): Promise<Disassembler> {
    const require = createRequire(import.meta.url);
    const factory = require('@alexaltea/capstone-js') as { default: () => Promise<CapstoneModule> };
    const cs = await factory.default();
    return new Disassembler(new cs.Capstone(cs.ARCH_X86, cs.MODE_32));
  }

  /** The first instruction in `bytes` at `address`, or undefined if it does not decode. */
  decode(bytes: Uint8Array, address: number): DecodedInstruction | undefined {
    const [first] = this.handle.disasm(Array.from(bytes), address >>> 0, 1);
    if (!first) return undefined;
    return { text: first.op_str ? `${first.mnemonic} ${first.op_str}` : first.mnemonic, size: first.size };
  }

  dispose(): void { this.handle.close(); }
}
