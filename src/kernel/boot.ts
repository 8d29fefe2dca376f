// Boot: the kernel's own pages (GDT, ring-0 entry stub, its stack), paging
// on, and the entry stub that iretd's into ring 3. The guest's IDT is never
// used: Unicorn hands every interrupt to the kernel's hook instead.
//
// Kernel layout (supervisor-only pages):
//   0x80000000  GDT
//   0x80001000  ring-0 entry stub
//   0x80002000  kernel stack for the stub
import type { Engine } from '../cpu/engine.js';
import { X86Reg } from '../cpu/constants.js';
import { FLAT_GDT, TEB_GDT_INDEX, TEB_SELECTOR, dataSegmentDescriptor, ring0ToRing3Stub } from '../cpu/x86-descriptors.js';
import { PAGE_SIZE, pteAddressOf, type Pfn } from '../mm/layout.js';
import { OutOfFramesError, type PageTables } from '../mm/page-tables.js';
import type { PfnDatabase, PhysicalMemory } from '../mm/pfn-database.js';

export const KERNEL_GDT_ADDRESS = 0x80000000;
export const KERNEL_ENTRY_ADDRESS = 0x80001000;
export const KERNEL_STACK_ADDRESS = 0x80002000;
/** Passed as uc_emu_start's `until`: a kernel address nothing ever executes. */
export const EMULATION_END_ADDRESS = 0xfffff000;

const CR0_PE = 1 << 0;
const CR0_WP = 1 << 16;
const CR0_PG = 1 << 31;

export class KernelImage {
  private constructor(private readonly memory: PhysicalMemory, private readonly gdtPfn: Pfn, private readonly entryPfn: Pfn) {}

  /** Maps the kernel pages, writes the GDT and turns paging on. */
  static boot(engine: Engine, tables: PageTables, frames: PfnDatabase, memory: PhysicalMemory): KernelImage {
    const mapPage = (address: number): Pfn => {
      const pfn = frames.allocateZeroedFrame(pteAddressOf(address));
      if (pfn === undefined) throw new OutOfFramesError();
      tables.mapKernelPage(address, pfn, true);
      return pfn;
    };
    const gdtPfn = mapPage(KERNEL_GDT_ADDRESS);
    const entryPfn = mapPage(KERNEL_ENTRY_ADDRESS);
    mapPage(KERNEL_STACK_ADDRESS);
    const gdt = new DataView(memory.bytes.buffer, memory.bytes.byteOffset + gdtPfn * PAGE_SIZE, PAGE_SIZE);
    FLAT_GDT.forEach((descriptor, i) => gdt.setBigUint64(i * 8, descriptor, true));
    engine.writeTableRegister(X86Reg.GDTR, { base: KERNEL_GDT_ADDRESS, limit: (TEB_GDT_INDEX + 1) * 8 - 1 });
    engine.writeRegister(X86Reg.CR3, tables.cr3);
    engine.writeRegister(X86Reg.CR0, engine.readRegister(X86Reg.CR0) | CR0_PE | CR0_WP | CR0_PG);
    return new KernelImage(memory, gdtPfn, entryPfn);
  }

  /** Points FS's descriptor at the thread's TEB (one page). */
  setTebBase(tebAddress: number): void {
    const gdt = new DataView(this.memory.bytes.buffer, this.memory.bytes.byteOffset + this.gdtPfn * PAGE_SIZE, PAGE_SIZE);
    gdt.setBigUint64(TEB_GDT_INDEX * 8, dataSegmentDescriptor(tebAddress, PAGE_SIZE - 1, 3), true);
  }

  /** Writes the stub that enters the guest at `eip` with stack `esp` and FS on the TEB; run from KERNEL_ENTRY_ADDRESS. */
  prepareUserEntry(eip: number, esp: number): void {
    const code = ring0ToRing3Stub(KERNEL_STACK_ADDRESS + PAGE_SIZE, eip, esp, 0x202, TEB_SELECTOR);
    this.memory.bytes.set(code, this.entryPfn * PAGE_SIZE);
  }
}
