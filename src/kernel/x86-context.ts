// The guest thread's registers, and the Windows x86 CONTEXT and
// EXCEPTION_RECORD layouts the kernel writes to and reads from user memory.
import type { Engine } from '../cpu/engine.js';
import { X86Reg, type X86RegName } from '../cpu/constants.js';

export interface X86Registers {
  eax: number; ebx: number; ecx: number; edx: number; esi: number; edi: number; ebp: number; esp: number;
  eip: number; eflags: number; cs: number; ss: number; ds: number; es: number; fs: number; gs: number;
}

const NAMES: readonly X86RegName[] = ['EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI', 'EBP', 'ESP', 'EIP', 'EFLAGS', 'CS', 'SS', 'DS', 'ES', 'FS', 'GS'];

export function readRegisters(engine: Engine): X86Registers {
  const values = engine.readRegisters(NAMES.map((n) => X86Reg[n]));
  return Object.fromEntries(NAMES.map((n, i) => [n.toLowerCase(), values[i]!])) as unknown as X86Registers;
}

/** Flags user mode may set (CF PF AF ZF SF TF DF OF); IF and the reserved bit 1 are forced on. */
const USER_EFLAGS_MASK = 0x00000dd5;
const FORCED_EFLAGS = 0x00000202;

/** Loads the general registers, EIP, ESP and the user-settable flags; segment registers stay as they are. */
export function writeUserRegisters(engine: Engine, registers: X86Registers): void {
  engine.writeRegisters([
    [X86Reg.EAX, registers.eax], [X86Reg.EBX, registers.ebx], [X86Reg.ECX, registers.ecx], [X86Reg.EDX, registers.edx],
    [X86Reg.ESI, registers.esi], [X86Reg.EDI, registers.edi], [X86Reg.EBP, registers.ebp], [X86Reg.ESP, registers.esp],
    [X86Reg.EFLAGS, (registers.eflags & USER_EFLAGS_MASK) | FORCED_EFLAGS], [X86Reg.EIP, registers.eip],
  ]);
}

/** sizeof(CONTEXT) on x86, with the FLOATING_SAVE_AREA and ExtendedRegisters. */
export const CONTEXT_SIZE = 0x2cc;
const CONTEXT_FULL = 0x00010007; // CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS
/** Offsets of the CONTEXT fields mmscope fills, as in winnt.h. */
const CONTEXT_OFFSETS: Record<keyof X86Registers, number> = {
  gs: 0x8c, fs: 0x90, es: 0x94, ds: 0x98, edi: 0x9c, esi: 0xa0, ebx: 0xa4, edx: 0xa8, ecx: 0xac, eax: 0xb0,
  ebp: 0xb4, eip: 0xb8, cs: 0xbc, eflags: 0xc0, esp: 0xc4, ss: 0xc8,
};

export function encodeContext(registers: X86Registers): Uint8Array {
  const bytes = new Uint8Array(CONTEXT_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, CONTEXT_FULL, true);
  for (const [name, offset] of Object.entries(CONTEXT_OFFSETS)) view.setUint32(offset, registers[name as keyof X86Registers] >>> 0, true);
  return bytes;
}

export function decodeContext(bytes: Uint8Array): X86Registers {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Object.fromEntries(Object.entries(CONTEXT_OFFSETS).map(([name, offset]) => [name, view.getUint32(offset, true)])) as unknown as X86Registers;
}

/** sizeof(EXCEPTION_RECORD): code, flags, nested record, address, parameter count, 15 parameters. */
export const EXCEPTION_RECORD_SIZE = 80;
export const EXCEPTION_MAXIMUM_PARAMETERS = 15;
export const EXCEPTION_NONCONTINUABLE = 1;

export interface ExceptionRecord { code: number; flags: number; address: number; parameters: number[] }

export function encodeExceptionRecord(record: ExceptionRecord): Uint8Array {
  const bytes = new Uint8Array(EXCEPTION_RECORD_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, record.code >>> 0, true);
  view.setUint32(4, record.flags, true);
  view.setUint32(12, record.address >>> 0, true);
  view.setUint32(16, record.parameters.length, true);
  record.parameters.forEach((p, i) => view.setUint32(20 + i * 4, p >>> 0, true));
  return bytes;
}

export function decodeExceptionRecord(bytes: Uint8Array): ExceptionRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = Math.min(view.getUint32(16, true), EXCEPTION_MAXIMUM_PARAMETERS);
  return {
    code: view.getUint32(0, true),
    flags: view.getUint32(4, true),
    address: view.getUint32(12, true),
    parameters: Array.from({ length: count }, (_, i) => view.getUint32(20 + i * 4, true)),
  };
}
