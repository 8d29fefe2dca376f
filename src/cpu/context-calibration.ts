// Finds where Unicorn's saved CPU context keeps env->old_exception and
// env->error_code, and where the CPU state itself (env) lives, so the kernel
// can reach registers without a koffi call each (cpu-state.ts). Unicorn
// 2.0.1 never clears old_exception after a hooked exception, so the next #PF
// would become a double fault; the kernel resets it on every #PF and reads
// the hardware error code from the same place. The offsets depend on the
// library build, so a small probe machine measures them once per process:
//  1. before it runs, distinct values in each register show where the saved
//     context keeps them, and where env is (the bytes of the context just saved);
//  2. a user write and then a user read of not-present pages must leave 14
//     where a fresh context had -1, and error codes 6 and then 4 at one offset;
//  3. after a TLB flush, a third fault must happen (tlb_flush_page works);
//  4. the view over env must then show CR2, EIP, the error code and 14 in
//     old_exception; resetting it through the view must let a fourth fault
//     arrive as #PF, not #DF; `int 0x80` must see EBX through the view and a
//     value the hook writes to ECX through it must reach guest memory.
// Steps 1-3 are required (CalibrationError otherwise); if step 4 fails the
// kernel keeps the slower path through saved contexts and koffi calls.
import { Engine, type CpuContext } from './engine.js';
import { UC_PROT_ALL, X86Reg, type X86RegId } from './constants.js';
import { AnonymousHostMemory } from './host-memory.js';
import { FLAT_GDT, GDT_ENTRY_COUNT, ring0ToRing3Stub, u32 } from './x86-descriptors.js';
import { CpuStateView, VIEW_READ_ONLY_REGISTERS, VIEW_REGISTERS, findEnvOffset, type CpuStateLayout } from './cpu-state.js';

export interface ContextLayout {
  contextSize: number;
  oldExceptionOffset: number;
  errorCodeOffset: number;
  /** Direct access to env; undefined when the probe could not verify it (see cpuStateFailure). */
  cpuState?: CpuStateLayout;
  /** Why the direct view is not used, when it is not. */
  cpuStateFailure?: string;
}

export class CalibrationError extends Error {
  constructor(detail: string) {
    super(`cannot calibrate Unicorn's saved CPU context (libunicorn ${Engine.libraryVersion()}): ${detail}. ` +
      'mmscope needs Debian\'s libunicorn2 2.0.x; see README "Requirements".');
    this.name = 'CalibrationError';
  }
}

// Probe layout (flat, physical = virtual): page directory, page table, GDT, code, data.
const PD = 0x1000, PT = 0x2000, GDT = 0x3000, RING0 = 0x4000, RING3 = 0x5000, WRITE_PAGE = 0x6000, READ_PAGE = 0x7000;
const STACK_TOP = 0x9000, FOURTH_PAGE = 0xa000, RESULT = 0xb000;
const PROBE_SIZE = 0x200000;
const EBX_PROBE = 0x5eb0c0de, ECX_PROBE = 0x6ec0c0de;
const VECTOR_PROBE_SYSCALL = 0x80, VECTOR_PROBE_END = 0x81;

let cached: ContextLayout | undefined;

export function calibrateContextLayout(): ContextLayout {
  cached ??= runProbe();
  return cached;
}

/** What the probe's hook saw, and the view under test. */
interface ProbeState {
  faults: Int32Array[];
  oldExceptionCandidates: number[];
  view?: CpuStateView;
  viewFailure?: string;
  failure?: string;
  ended: boolean;
}

function runProbe(): ContextLayout {
  const engine = Engine.open();
  let host: AnonymousHostMemory | undefined;
  try {
    host = new AnonymousHostMemory(PROBE_SIZE);
    const memory = host.bytes;
    buildProbeImage(memory);
    engine.mapHostMemory(0, PROBE_SIZE, BigInt(host.hostAddress), UC_PROT_ALL);
    engine.writeTableRegister(X86Reg.GDTR, { base: GDT, limit: GDT_ENTRY_COUNT * 8 - 1 });
    engine.writeRegister(X86Reg.CR3, PD);
    engine.writeRegister(X86Reg.CR0, engine.readRegister(X86Reg.CR0) | 0x80010001);
    const fresh = engine.allocateContext();
    const located = locateCpuState(engine, fresh);
    const freshWords = snapshot(fresh);
    const state: ProbeState = { faults: [], oldExceptionCandidates: [], ended: false, ...located };
    const scratch = engine.allocateContext();
    engine.onInterrupt((intno) => onProbeInterrupt(engine, memory, scratch, freshWords, state, intno));
    engine.start(RING0, { until: 0xfffff000, maxInstructions: 1000 });
    if (state.failure) throw new CalibrationError(state.failure);
    if (state.faults.length < 2) throw new CalibrationError(`expected two page faults, saw ${state.faults.length}`);
    if (state.faults.length < 3) throw new CalibrationError('flushing a page from the TLB (tlb_flush_page) had no effect');
    const { oldException, errorCode } = contextOffsets(state, freshWords);
    if (oldException.length !== 1) throw new CalibrationError(`found ${oldException.length} places for old_exception`);
    if (errorCode.length !== 1) throw new CalibrationError(`found ${errorCode.length} places for the error code`);
    const layout: ContextLayout = { contextSize: fresh.size, oldExceptionOffset: oldException[0]! * 4, errorCodeOffset: errorCode[0]! * 4 };
    const viewFailure = state.viewFailure ?? (state.view === undefined ? 'no view' : !state.ended ? 'the probe did not reach its end' :
      new DataView(memory.buffer).getUint32(RESULT, true) !== ECX_PROBE ? 'a register written through the view did not reach the guest' : undefined);
    if (viewFailure === undefined && state.view) return { ...layout, cpuState: state.view.layout };
    return { ...layout, cpuStateFailure: viewFailure };
  } finally {
    engine.dispose();
    host?.dispose();
  }
}

/**
 * Step 1: distinct values in the registers the view serves, a saved context,
 * and the place of each value in it; then env's offset from the CPUState.
 * The error code and old_exception offsets are filled in at the second fault.
 */
function locateCpuState(engine: Engine, context: CpuContext): { view?: CpuStateView; viewFailure?: string } {
  const probes = [...VIEW_REGISTERS, ...VIEW_READ_ONLY_REGISTERS].map((id, i) => [id, (0x13570000 + i * 0x1111) >>> 0] as const);
  for (const [id, value] of probes) engine.writeRegister(id, value);
  engine.saveContext(context);
  const words = snapshot(context);
  const registers = new Map<X86RegId, number>();
  for (const [id, value] of probes) {
    const at = offsetsWhere((i) => words[i] === value, words.length);
    if (at.length !== 1) return { viewFailure: `register ${id} found at ${at.length} places in the saved context` };
    registers.set(id, at[0]! * 4);
  }
  // The context's copy of env starts at regs[0] (EAX).
  const contextHeader = registers.get(X86Reg.EAX)!;
  const bytes = new Uint8Array(context.bytes.buffer, context.bytes.byteOffset, context.size);
  const envOffset = findEnvOffset(engine.cpuPointer(), bytes, contextHeader);
  if (envOffset === undefined) return { viewFailure: 'env not found next to the CPU object' };
  if (envOffset % 4 !== 0 || contextHeader % 4 !== 0) return { viewFailure: 'env is not 4-byte aligned' };
  for (const [id, offset] of registers) registers.set(id, offset - contextHeader);
  const layout: CpuStateLayout = {
    envOffset, envSize: context.size - contextHeader, contextHeader, registers, errorCodeOffset: -1, oldExceptionOffset: -1,
  };
  return { view: new CpuStateView(engine.cpuPointer(), layout) };
}

function onProbeInterrupt(engine: Engine, memory: Uint8Array, scratch: CpuContext, freshWords: Int32Array, state: ProbeState, intno: number): void {
  if (state.faults.length === 3 && state.view && !state.viewFailure) {
    const failure = checkViewAt(engine, memory, state.view, intno);
    if (failure) state.viewFailure = failure;
    if (failure || intno === VECTOR_PROBE_END) { state.ended = intno === VECTOR_PROBE_END; engine.stop(); }
    return;
  }
  if (intno !== 14) { state.failure = `probe raised interrupt ${intno} instead of a page fault`; engine.stop(); return; }
  engine.saveContext(scratch);
  const words = snapshot(scratch);
  state.faults.push(words);
  if (state.faults.length === 1) {
    state.oldExceptionCandidates = offsetsWhere((i) => freshWords[i] === -1 && words[i] === 14, words.length);
    for (const i of state.oldExceptionCandidates) scratch.bytes.setInt32(i * 4, -1, true);
    engine.restoreContext(scratch);
    presentPage(memory, WRITE_PAGE);
  } else if (state.faults.length === 2) {
    for (const i of state.oldExceptionCandidates) scratch.bytes.setInt32(i * 4, -1, true);
    engine.restoreContext(scratch);
    presentPage(memory, READ_PAGE);
    absentPage(memory, WRITE_PAGE);
    engine.flushTlbPage(WRITE_PAGE);
    if (state.view) completeLayout(state, freshWords);
  } else {
    if (!state.view || state.viewFailure) { engine.stop(); return; }
    state.viewFailure = checkViewAtThirdFault(engine, memory, state.view, scratch);
    if (state.viewFailure) engine.stop();
  }
}

/** Word indexes in the saved context that behave like old_exception and the error code over the first two faults. */
function contextOffsets(state: ProbeState, freshWords: Int32Array): { oldException: number[]; errorCode: number[] } {
  const [first, second] = state.faults as [Int32Array, Int32Array];
  return {
    oldException: state.oldExceptionCandidates.filter((i) => second[i] === 14),
    errorCode: offsetsWhere((i) => first[i] === 6 && second[i] === 4 && freshWords[i] === 0, first.length),
  };
}

/** Puts the error code and old_exception offsets (known after two faults) into the view's layout. */
function completeLayout(state: ProbeState, freshWords: Int32Array): void {
  const view = state.view!;
  const header = view.layout.contextHeader;
  const { oldException, errorCode } = contextOffsets(state, freshWords);
  if (oldException.length !== 1 || errorCode.length !== 1) { state.viewFailure = 'error code or old_exception not unique'; return; }
  state.view = new CpuStateView(view.cpu, { ...view.layout, errorCodeOffset: errorCode[0]! * 4 - header, oldExceptionOffset: oldException[0]! * 4 - header });
}

/** Step 4, third fault (a user read of WRITE_PAGE after the flush): the view must agree with a saved context. */
function checkViewAtThirdFault(engine: Engine, memory: Uint8Array, view: CpuStateView, scratch: CpuContext): string | undefined {
  if (!view.matches(new Uint8Array(scratch.bytes.buffer, scratch.bytes.byteOffset, scratch.size))) return 'the view differs from a context saved in a hook';
  if (view.read(X86Reg.CR2) !== WRITE_PAGE || view.errorCode !== 4 || view.oldException !== 14) return 'CR2, the error code or old_exception read wrong through the view';
  if (view.read(X86Reg.EIP) !== engine.readRegister(X86Reg.EIP)) return 'EIP read wrong through the view';
  view.oldException = -1;
  presentPage(memory, WRITE_PAGE);
  return undefined;
}

/** Step 4 after the third fault: the fourth must be a #PF, then the system call and the end marker. */
function checkViewAt(engine: Engine, memory: Uint8Array, view: CpuStateView, intno: number): string | undefined {
  if (intno === 14) {
    if (view.read(X86Reg.CR2) !== FOURTH_PAGE) return 'fourth fault at the wrong address';
    view.oldException = -1;
    presentPage(memory, FOURTH_PAGE);
    return undefined;
  }
  if (intno === 8) return 'resetting old_exception through the view did not prevent a double fault';
  if (intno === VECTOR_PROBE_SYSCALL) {
    if (view.read(X86Reg.EBX) !== EBX_PROBE || engine.readRegister(X86Reg.EBX) !== EBX_PROBE) return 'EBX read wrong through the view';
    view.write(X86Reg.ECX, ECX_PROBE);
    return undefined;
  }
  return intno === VECTOR_PROBE_END ? undefined : `probe raised interrupt ${intno}`;
}

function snapshot(context: CpuContext): Int32Array {
  const words = new Int32Array(context.size >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = context.bytes.getInt32(i * 4, true);
  return words;
}

function offsetsWhere(test: (index: number) => boolean, length: number): number[] {
  const found: number[] = [];
  for (let i = 0; i < length; i++) if (test(i)) found.push(i);
  return found;
}

function absentPage(memory: Uint8Array, address: number): void {
  new DataView(memory.buffer).setUint32(PT + (address >>> 12) * 4, 0, true);
}

function presentPage(memory: Uint8Array, address: number): void {
  const view = new DataView(memory.buffer);
  view.setUint32(PT + (address >>> 12) * 4, address | 0x7, true);
}

/** Identity-mapped user pages except WRITE_PAGE, READ_PAGE and FOURTH_PAGE; a ring-0 stub that irets to ring 3. */
function buildProbeImage(memory: Uint8Array): void {
  const view = new DataView(memory.buffer);
  view.setUint32(PD, PT | 0x7, true);
  for (let page = 0; page < 512; page++) {
    const address = page << 12;
    if (address !== WRITE_PAGE && address !== READ_PAGE && address !== FOURTH_PAGE) view.setUint32(PT + page * 4, address | 0x7, true);
  }
  FLAT_GDT.forEach((d, i) => view.setBigUint64(GDT + i * 8, d, true));
  memory.set(ring0ToRing3Stub(STACK_TOP - 16, RING3, STACK_TOP), RING0);
  memory.set([
    0xa3, ...u32(WRITE_PAGE), // mov [WRITE_PAGE], eax    fault 1
    0xa1, ...u32(READ_PAGE), // mov eax, [READ_PAGE]      fault 2
    0xa1, ...u32(WRITE_PAGE), // mov eax, [WRITE_PAGE]    fault 3 (after the TLB flush)
    0xa1, ...u32(FOURTH_PAGE), // mov eax, [FOURTH_PAGE]  fault 4
    0xbb, ...u32(EBX_PROBE), // mov ebx, EBX_PROBE
    0xcd, VECTOR_PROBE_SYSCALL, // int 0x80
    0x89, 0x0d, ...u32(RESULT), // mov [RESULT], ecx
    0xcd, VECTOR_PROBE_END, // int 0x81
    0xeb, 0xfe, // jmp $
  ], RING3);
}
