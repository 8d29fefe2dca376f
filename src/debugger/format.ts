// Shared text pieces in WinDbg's layouts: hex words, the register block,
// and disassembly lines.
import type { DebugSession } from './session.js';

export const hex8 = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');
export const hex2 = (value: number): string => value.toString(16).padStart(2, '0');

const FLAG_WORDS: [number, string, string][] = [
  [11, 'ov', 'nv'], [10, 'dn', 'up'], [9, 'ei', 'di'], [7, 'ng', 'pl'], [6, 'zr', 'nz'], [4, 'ac', 'na'], [2, 'pe', 'po'], [0, 'cy', 'nc'],
];

/** `r`: WinDbg's x86 register block, then the current instruction. */
export function formatRegisters(session: DebugSession): string {
  const r = session.machine.registers(['EAX', 'EBX', 'ECX', 'EDX', 'ESI', 'EDI', 'EIP', 'ESP', 'EBP', 'EFLAGS', 'CS', 'SS', 'DS', 'ES', 'FS', 'GS']);
  const flags = r.EFLAGS!;
  const words = FLAG_WORDS.map(([bit, set, clear]) => ((flags >>> bit) & 1 ? set : clear)).join(' ');
  const iopl = (flags >>> 12) & 3;
  const seg = (v: number): string => v.toString(16).padStart(4, '0');
  return [
    `eax=${hex8(r.EAX!)} ebx=${hex8(r.EBX!)} ecx=${hex8(r.ECX!)} edx=${hex8(r.EDX!)} esi=${hex8(r.ESI!)} edi=${hex8(r.EDI!)}`,
    `eip=${hex8(r.EIP!)} esp=${hex8(r.ESP!)} ebp=${hex8(r.EBP!)} iopl=${iopl}         ${words}`,
    `cs=${seg(r.CS!)}  ss=${seg(r.SS!)}  ds=${seg(r.DS!)}  es=${seg(r.ES!)}  fs=${seg(r.FS!)}  gs=${seg(r.GS!)}             efl=${hex8(flags)}`,
    ...formatDisassembly(session, r.EIP!, 1, true),
  ].join('\n');
}

/** Capstone's Intel text in WinDbg's spelling: `mov     eax,dword ptr [ebx+4]`. */
export function windbgInstruction(text: string): string {
  const [mnemonic, ...rest] = text.split(' ');
  const operands = rest.join(' ').replace(/, /g, ',').replace(/ ([+*-]) /g, '$1');
  return operands ? `${mnemonic!.padEnd(7)} ${operands}` : mnemonic!;
}

/** `u`: lines of `address bytes instruction`, with `module!symbol:` before the first and at each symbol start. */
export function formatDisassembly(session: DebugSession, address: number, count: number, header = true): string[] {
  const lines: string[] = [];
  const instructions = session.machine.disassemble(address, count, session.pid);
  instructions.forEach((instruction, i) => {
    const near = session.symbols.nearest(instruction.address);
    // Without a symbol below it, the module and offset (`sections+0x11f8:`), as WinDbg shows code in a module without symbols.
    const inModule = near !== undefined || session.symbols.list().some((m) => instruction.address >= m.base && instruction.address < m.end);
    if ((near?.offset === 0) || (inModule && i === 0 && header)) lines.push(`${session.symbols.format(instruction.address)}:`);
    const bytes = instruction.bytes.map(hex2).join('');
    let text = windbgInstruction(instruction.text);
    const target = /^(call|j\w+)\s+(0x[0-9a-f]+)$/.exec(instruction.text);
    if (target) text = `${windbgInstruction(`${target[1]} ${hex8(Number(target[2]))}`)} (${session.symbols.format(Number(target[2]))})`;
    lines.push(`${hex8(instruction.address)} ${bytes.padEnd(15)} ${text}`);
  });
  if (instructions.length < count) {
    const at = instructions.length ? instructions.at(-1)!.address + instructions.at(-1)!.bytes.length : address;
    lines.push(`${hex8(at)} ??              ???`);
  }
  return lines;
}
