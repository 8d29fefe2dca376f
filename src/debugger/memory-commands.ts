// d*, e*, u: memory as WinDbg shows it. Bytes on pages that are not valid
// print as `??` (read through the page tables, never faulted in).
import type { DebugSession } from './session.js';
import { formatDisassembly, hex2, hex8 } from './format.js';

export type DumpKind = 'db' | 'dw' | 'dd' | 'dc' | 'da' | 'du' | 'dps';

const UNIT: Record<DumpKind, number> = { db: 1, dw: 2, dd: 4, dc: 4, da: 1, du: 2, dps: 4 };
/** Units shown when no L count is given (WinDbg shows 0x80 bytes; da/du up to the terminator). */
const DEFAULT_COUNT: Record<DumpKind, number> = { db: 128, dw: 64, dd: 32, dc: 32, da: 256, du: 256, dps: 32 };

const printable = (byte: number | undefined): string => (byte === undefined ? '?' : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.');

function word(bytes: (number | undefined)[], at: number, size: number): string {
  const slice = bytes.slice(at, at + size);
  if (slice.length < size || slice.some((b) => b === undefined)) return '?'.repeat(size * 2);
  return slice.reduceRight((text, b) => text + hex2(b!), '');
}

/** One dump command; returns the text and the address where the next one continues. */
export function dumpMemory(session: DebugSession, kind: DumpKind, address: number, count = DEFAULT_COUNT[kind]): { text: string; next: number } {
  const unit = UNIT[kind];
  const bytes = session.machine.inspect(address, count * unit, session.pid);
  if (kind === 'da' || kind === 'du') return dumpString(bytes, address, unit);
  const lines: string[] = [];
  if (kind === 'dps') {
    for (let i = 0; i < count; i++) {
      const value = word(bytes, i * 4, 4);
      const symbol = value.includes('?') ? '' : describePointer(session, Number.parseInt(value, 16));
      lines.push(`${hex8(address + i * 4)}  ${value}${symbol ? ` ${symbol}` : ''}`);
    }
    return { text: lines.join('\n'), next: (address + count * 4) >>> 0 };
  }
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.slice(offset, offset + 16);
    let body: string;
    if (kind === 'db') {
      const cells = row.map((b) => (b === undefined ? '??' : hex2(b)));
      // WinDbg: 16 bytes (47 columns, a dash after the eighth), two spaces, the characters.
      body = `${cells.slice(0, 8).join(' ')}${cells.length > 8 ? `-${cells.slice(8).join(' ')}` : ''}`.padEnd(47) + '  ' + row.map(printable).join('');
    } else {
      const cells: string[] = [];
      for (let at = 0; at < row.length; at += unit) cells.push(word(bytes, offset + at, unit));
      body = cells.join(' ');
      if (kind === 'dc') body = body.padEnd(35) + '  ' + row.map(printable).join('');
    }
    lines.push(`${hex8(address + offset)}  ${body}`);
  }
  return { text: lines.join('\n'), next: (address + bytes.length) >>> 0 };
}

function dumpString(bytes: (number | undefined)[], address: number, unit: number): { text: string; next: number } {
  let text = '';
  let at = 0;
  for (; at + unit <= bytes.length; at += unit) {
    const low = bytes[at], high = unit === 2 ? bytes[at + 1] : 0;
    if (low === undefined || high === undefined) {
      if (at === 0) return { text: `${hex8(address)}  ${'?'.repeat(unit === 1 ? 2 : 4)}`, next: (address + unit) >>> 0 };
      break;
    }
    const code = low | (high << 8);
    if (code === 0) break;
    text += String.fromCharCode(code);
  }
  return { text: `${hex8(address)}  "${text}"`, next: (address + at + unit) >>> 0 };
}

/** dps's annotation: the symbol a value points at, if it lies in a module. */
function describePointer(session: DebugSession, value: number): string {
  const formatted = session.symbols.format(value);
  return formatted === hex8(value) ? '' : formatted;
}

/** eb/ew/ed ADDRESS VALUES...: writes into resident pages only; WinDbg's error otherwise. */
export function editMemory(session: DebugSession, unit: 1 | 2 | 4, address: number, values: number[]): string {
  const bytes = new Uint8Array(values.length * unit);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    if (unit === 1) view.setUint8(i, value & 0xff);
    else if (unit === 2) view.setUint16(i * 2, value & 0xffff, true);
    else view.setUint32(i * 4, value >>> 0, true);
  });
  const written = session.machine.poke(address, bytes, session.pid);
  return written < bytes.length ? `Memory access error at '${hex8(address + written)}'` : '';
}

/** u [ADDRESS] [L count]: 8 instructions by default. */
export function unassemble(session: DebugSession, address: number, count = 8): { text: string; next: number } {
  const lines = formatDisassembly(session, address, count);
  const decoded = session.machine.disassemble(address, count, session.pid);
  const next = decoded.length ? (decoded.at(-1)!.address + decoded.at(-1)!.bytes.length) >>> 0 : address;
  return { text: lines.join('\n'), next };
}
