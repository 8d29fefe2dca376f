// Finds where Unicorn's saved CPU context keeps env->old_exception and
// env->error_code. Unicorn 2.0.1 never clears old_exception after a hooked
// exception, so the next #PF would become a double fault; the kernel resets
// it through a saved context on every #PF and reads the hardware error code
// from the same bytes. The offsets depend on the library build, so a small
// probe machine measures them once per process: a user write and then a user
// read of not-present pages must leave 14 where a fresh context had -1, and
// error codes 6 and then 4 at one offset.
import { Engine, type CpuContext } from './engine.js';
import { UC_PROT_ALL, X86Reg } from './constants.js';
import { AnonymousHostMemory } from './host-memory.js';
import { FLAT_GDT, GDT_ENTRY_COUNT, ring0ToRing3Stub, u32 } from './x86-descriptors.js';

export interface ContextLayout {
  contextSize: number;
  oldExceptionOffset: number;
  errorCodeOffset: number;
}

export class CalibrationError extends Error {
  constructor(detail: string) {
    super(`cannot calibrate Unicorn's saved CPU context (libunicorn ${Engine.libraryVersion()}): ${detail}. ` +
      'mmscope needs Debian\'s libunicorn2 2.0.x; see README "Requirements".');
    this.name = 'CalibrationError';
  }
}

// The probe also checks that flushing one page from the TLB works, since
// the kernel relies on it whenever it reduces a page's rights.
//
// Probe layout (flat, physical = virtual): page directory, page table, GDT, code.
const PD = 0x1000, PT = 0x2000, GDT = 0x3000, RING0 = 0x4000, RING3 = 0x5000, WRITE_PAGE = 0x6000, READ_PAGE = 0x7000, STACK_TOP = 0x9000;
const PROBE_SIZE = 0x200000;

let cached: ContextLayout | undefined;

export function calibrateContextLayout(): ContextLayout {
  cached ??= runProbe();
  return cached;
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
    engine.saveContext(fresh);
    const freshWords = snapshot(fresh);
    const faults: Int32Array[] = [];
    let oldExceptionCandidates: number[] = [];
    const scratch = engine.allocateContext();
    let failure: string | undefined;
    engine.onInterrupt((intno) => {
      if (intno !== 14) { failure = `probe raised interrupt ${intno} instead of a page fault`; engine.stop(); return; }
      engine.saveContext(scratch);
      const words = snapshot(scratch);
      faults.push(words);
      if (faults.length === 1) {
        oldExceptionCandidates = offsetsWhere((i) => freshWords[i] === -1 && words[i] === 14, words.length);
        for (const i of oldExceptionCandidates) scratch.bytes.setInt32(i * 4, -1, true);
        engine.restoreContext(scratch);
        presentPage(memory, WRITE_PAGE);
      } else if (faults.length === 2) {
        for (const i of oldExceptionCandidates) scratch.bytes.setInt32(i * 4, -1, true);
        engine.restoreContext(scratch);
        presentPage(memory, READ_PAGE);
        absentPage(memory, WRITE_PAGE);
        engine.flushTlbPage(WRITE_PAGE);
      } else {
        engine.stop();
      }
    });
    engine.start(RING0, { until: 0xfffff000, maxInstructions: 1000 });
    if (failure) throw new CalibrationError(failure);
    if (faults.length < 2) throw new CalibrationError(`expected two page faults, saw ${faults.length}`);
    if (faults.length !== 3) throw new CalibrationError('flushing a page from the TLB (tlb_flush_page) had no effect');
    const [first, second] = faults as [Int32Array, Int32Array];
    const oldException = oldExceptionCandidates.filter((i) => second[i] === 14);
    const errorCode = offsetsWhere((i) => first[i] === 6 && second[i] === 4 && freshWords[i] === 0, first.length);
    if (oldException.length !== 1) throw new CalibrationError(`found ${oldException.length} places for old_exception`);
    if (errorCode.length !== 1) throw new CalibrationError(`found ${errorCode.length} places for the error code`);
    return { contextSize: fresh.size, oldExceptionOffset: oldException[0]! * 4, errorCodeOffset: errorCode[0]! * 4 };
  } finally {
    engine.dispose();
    host?.dispose();
  }
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

/** Identity-mapped user pages except WRITE_PAGE and READ_PAGE; a ring-0 stub that irets to ring 3. */
function buildProbeImage(memory: Uint8Array): void {
  const view = new DataView(memory.buffer);
  view.setUint32(PD, PT | 0x7, true);
  for (let page = 0; page < 512; page++) {
    const address = page << 12;
    if (address !== WRITE_PAGE && address !== READ_PAGE) view.setUint32(PT + page * 4, address | 0x7, true);
  }
  FLAT_GDT.forEach((d, i) => view.setBigUint64(GDT + i * 8, d, true));
  memory.set(ring0ToRing3Stub(STACK_TOP - 16, RING3, STACK_TOP), RING0);
  // mov [WRITE_PAGE], eax ; mov eax, [READ_PAGE] ; mov eax, [WRITE_PAGE] ; jmp $
  memory.set([0xa3, ...u32(WRITE_PAGE), 0xa1, ...u32(READ_PAGE), 0xa1, ...u32(WRITE_PAGE), 0xeb, 0xfe], RING3);
}

