// Threads, stacks, modules and process structures: k, lm, x, ln, !peb, !teb, !handle.
import type { DebugSession } from './session.js';
import { hex8 } from './format.js';
import { moduleNameOf } from './symbols.js';
import { PEB_ADDRESS, TEB_ADDRESS } from '../kernel/process-environment.js';

/**
 * k: the EBP chain from the current frame, as `ChildEBP RetAddr  symbol`.
 * As WinDbg's frame-pointer walk, it ends where a frame pointer leaves the
 * thread's committed stack (TEB StackLimit..StackBase) or the chain stops
 * going up: at the entry point EBP is 0 and only the current frame prints.
 */
export function stackTrace(session: DebugSession, maxFrames = 20): string {
  const lines = ['ChildEBP RetAddr  '];
  let { EBP: ebp, EIP: eip, ESP: esp } = session.machine.registers(['EBP', 'EIP', 'ESP']);
  const onStack = committedStackTest(session);
  // At a function's first instruction its frame is not built yet, at its ret it is gone: the return address is on top of the stack.
  const [current] = session.machine.disassemble(eip!, 1, session.pid);
  if (session.symbols.nearest(eip!)?.offset === 0 || /^ret/.test(current?.text ?? '')) {
    const returnAddress = session.readDword(esp!);
    lines.push(`${hex8(esp!)} ${returnAddress === undefined ? '????????' : hex8(returnAddress)} ${session.symbols.format(eip!)}`);
    if (returnAddress === undefined) return lines.join('\n');
    eip = returnAddress;
    maxFrames--;
  }
  for (let frame = 0; frame < maxFrames; frame++) {
    const framed = onStack(ebp!) && onStack((ebp! + 7) >>> 0);
    // The current function's line prints even without a frame; a caller's only from a frame on the stack.
    if (!framed && lines.length > 1) break;
    const returnAddress = framed ? session.readDword((ebp! + 4) >>> 0) : undefined;
    lines.push(`${hex8(ebp!)} ${returnAddress === undefined ? '????????' : hex8(returnAddress)} ${session.symbols.format(eip!)}`);
    const next = framed ? session.readDword(ebp!) : undefined;
    if (returnAddress === undefined || next === undefined || next <= ebp! || returnAddress === 0) break;
    ebp = next;
    eip = returnAddress;
  }
  return lines.join('\n');
}

/** Whether an address is in the thread's committed stack, [TEB StackLimit, TEB StackBase); everything if the TEB cannot be read. */
function committedStackTest(session: DebugSession): (address: number) => boolean {
  const base = session.readDword(TEB_ADDRESS + 0x04);
  const limit = session.readDword(TEB_ADDRESS + 0x08);
  if (base === undefined || limit === undefined) return () => true;
  return (address) => address >>> 0 >= limit && address >>> 0 < base;
}

/** The DllBase of every entry on PEB.Ldr's InLoadOrderModuleList (what the program's loader knows). */
function loaderListBases(session: DebugSession): Set<number> | undefined {
  const ldr = session.readDword(PEB_ADDRESS + 0x0c);
  if (!ldr) return undefined;
  const head = (ldr + 0x0c) >>> 0;
  const bases = new Set<number>();
  for (let link = session.readDword(head), guard = 0; link !== undefined && link !== head && guard < 1024; link = session.readDword(link), guard++) {
    const base = session.readDword((link + 0x18) >>> 0);
    if (base !== undefined) bases.add(base);
  }
  return bases;
}

/** lm: modules from the VAD walk; those missing from the loader's list are marked (the seed's hidden modules). */
export function listModules(session: DebugSession): string {
  const listed = loaderListBases(session);
  const lines = ['start    end        module name'];
  for (const module of session.machine.modules(session.pid)) {
    const name = moduleNameOf(module.name);
    const symbols = session.symbols.list().find((m) => m.name.toLowerCase() === name.toLowerCase());
    const note = symbols?.symbols.length ? `(${symbols.source} symbols)` : '(no symbols)';
    const hidden = listed && !listed.has(module.base) ? '   (not in PEB.Ldr: found by the VAD walk only)' : '';
    lines.push(`${hex8(module.base)} ${hex8(module.base + module.size)}   ${name.padEnd(10)} ${note}   ${module.name}${hidden}`);
  }
  return lines.join('\n');
}

/** x module!pattern */
export function examineSymbols(session: DebugSession, pattern: string): string {
  return session.symbols.match(pattern).map((s) => `${hex8(s.address)}          ${s.module}!${s.name}`).join('\n');
}

/** ln ADDRESS: the nearest symbols below and above. */
export function listNearest(session: DebugSession, address: number): string {
  const near = session.symbols.nearest(address);
  if (!near) return '';
  const module = session.symbols.list().find((m) => m.name === near.symbol.module)!;
  const next = module.symbols.find((s) => s.address > near.symbol.address);
  const below = `(${hex8(near.symbol.address)})   ${session.symbols.format(address)}`;
  const lines = [next ? `${below}   |  (${hex8(next.address)})   ${next.module}!${next.name}` : below];
  if (near.offset === 0) lines.push('Exact matches:', `    ${near.symbol.module}!${near.symbol.name} (<no parameter info>)`);
  return lines.join('\n');
}

const field = (name: string, value: string): string => `    ${(name + ':').padEnd(26)}${value}`;

export function pebCommand(session: DebugSession): string {
  const d = (offset: number): string => { const v = session.readDword(PEB_ADDRESS + offset); return v === undefined ? '????????' : hex8(v); };
  const byte = session.machine.inspect(PEB_ADDRESS, 3, session.pid);
  const yesNo = (b: number | undefined): string => (b === undefined ? '??' : b ? 'Yes' : 'No');
  const lines = [
    `PEB at ${hex8(PEB_ADDRESS)}`,
    field('InheritedAddressSpace', yesNo(byte[0])), field('ReadImageFileExecOptions', yesNo(byte[1])), field('BeingDebugged', yesNo(byte[2])),
    field('ImageBaseAddress', d(0x08)), field('Ldr', d(0x0c)), field('ProcessHeap', d(0x18)),
    field('NumberOfProcessors', d(0x64)), field('NtGlobalFlag', d(0x68)),
  ];
  const listed = loaderListBases(session);
  if (listed) {
    lines.push('    Ldr.InLoadOrderModuleList:', '            Base Module');
    for (const module of session.machine.modules(session.pid).filter((m) => listed.has(m.base))) lines.push(`        ${module.base.toString(16).padStart(8)} ${module.name}`);
  }
  return lines.join('\n');
}

export function tebCommand(session: DebugSession): string {
  const d = (offset: number): string => { const v = session.readDword(TEB_ADDRESS + offset); return v === undefined ? '????????' : hex8(v); };
  return [
    `TEB at ${hex8(TEB_ADDRESS)}`,
    field('ExceptionList', d(0x00)), field('StackBase', d(0x04)), field('StackLimit', d(0x08)), field('SubSystemTib', d(0x0c)),
    field('FiberData', d(0x10)), field('ArbitraryUserPointer', d(0x14)), field('Self', d(0x18)), field('EnvironmentPointer', d(0x1c)),
    field('ClientId', `${d(0x20)} . ${d(0x24)}`), field('PEB Address', d(0x30)), field('LastErrorValue', String(session.readDword(TEB_ADDRESS + 0x34) ?? '??')),
    field('DeallocationStack', d(0xe0c)),
  ].join('\n');
}

export function handleCommand(session: DebugSession): string {
  const handles = session.machine.handles(session.pid);
  const lines = handles.map((h) => `${h.handle.toString(16).padStart(4, '0')}: Object: ${h.type.padEnd(8)} References: ${h.references}${h.name ? `  Name: ${h.name}` : ''}`);
  lines.push(`${handles.length} Handles`);
  return lines.join('\n');
}

/** The SDK heap's HEAP header (guest/runtime/heap.c): Signature, Flags, …, SegmentCount at 0x18, then 20-byte segments. */
const HEAP_SIGNATURE = 0xeeffeeff;
const HEAP_SEGMENT_COUNT = 0x18;
const HEAP_SEGMENTS = 0x1c;
const HEAP_SEGMENT_SIZE = 20;

/**
 * !heap -s: the process heap (PEB.ProcessHeap) as WinDbg's summary line:
 * flags, reserved and committed KiB over its segments. (The SDK keeps no
 * list of other heaps in the PEB, so only the process heap is found.)
 */
export function heapSummary(session: DebugSession): string {
  const heap = session.readDword(PEB_ADDRESS + 0x18);
  const lines = [
    '  Heap     Flags   Reserv  Commit  Segments',
    '                    (k)     (k)',
    '-------------------------------------------',
  ];
  if (!heap || session.readDword(heap) !== HEAP_SIGNATURE) return [...lines, 'no process heap (PEB.ProcessHeap is not a heap)'].join('\n');
  const count = session.readDword(heap + HEAP_SEGMENT_COUNT) ?? 0;
  let reserved = 0, committed = 0;
  for (let i = 0; i < Math.min(count, 64); i++) {
    const segment = heap + HEAP_SEGMENTS + i * HEAP_SEGMENT_SIZE;
    const base = session.readDword(segment), committedEnd = session.readDword(segment + 8), reservedEnd = session.readDword(segment + 12);
    if (base === undefined || committedEnd === undefined || reservedEnd === undefined) continue;
    reserved += reservedEnd - base;
    committed += committedEnd - base;
  }
  const flags = session.readDword(heap + 4) ?? 0;
  lines.push(`${hex8(heap)} ${hex8(flags)} ${String(reserved >> 10).padStart(7)} ${String(committed >> 10).padStart(7)} ${String(count).padStart(9)}`);
  return lines.join('\n');
}

/**
 * `|`: the processes being debugged, one line each as cdb prints them
 * (`.  0\tid: 4\tcreate\tname: rc.elf`): `.` marks the current thread's
 * process, ids in hex; `create` for the process the debugger started,
 * `child` for those it started (cdb debugging children, `-o`). Processes
 * whose address space is gone are not listed.
 */
export function processList(session: DebugSession): string {
  return session.machine.processes().map((process, index) => ({ process, index }))
    .filter(({ process }) => !process.addressSpaceDeleted)
    .map(({ process, index }) => `${process.id === session.pid ? '.' : ' '}${String(index).padStart(3)}\tid: ${process.id.toString(16)}\t${index === 0 ? 'create' : 'child'}\tname: ${process.imageName}`)
    .join('\n');
}

/**
 * `~`: the current process's threads as cdb lists them
 * (`.  0  Id: 4.8 Suspend: 1 Teb: 7ffde000 Unfrozen`): `.` marks the
 * current thread, `Id` is pid.tid in hex, the index counts the process's
 * threads in creation order (ended ones keep their number, as WinDbg never
 * reuses one, and are not listed). Suspend is the thread's suspend count
 * plus the debugger's own (1), as cdb counts a stopped thread.
 */
export function threadList(session: DebugSession): string {
  return session.machine.threads().filter((thread) => thread.pid === session.pid)
    .map((thread, index) => ({ thread, index }))
    .filter(({ thread }) => thread.state !== 'terminated')
    .map(({ thread, index }) => `${thread.current ? '.' : ' '}${String(index).padStart(3)}  Id: ${thread.pid.toString(16)}.${thread.tid.toString(16)} Suspend: ${thread.suspendCount + 1} Teb: ${hex8(thread.teb)} Unfrozen`)
    .join('\n');
}
