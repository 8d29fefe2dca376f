// Making another process's address space the one the CPU sees.
//
// Unicorn 2.0.1 translates every guest virtual address to the same offset of
// one host reservation (physical = virtual, see
// /work/shared/notes/unicorn-2.0-paging.md), and a CR3 write flushes nothing.
// So the reservation holds the running process's mappings only, and a switch
// must (1) make each page the incoming process has valid reach that
// process's frame, (2) show the incoming page directory and tables at the
// self-map, (3) drop translated code of every page whose frame changed or
// that the incoming process cannot reach (QEMU keys translated blocks by the
// reservation offset, which is the same for every process; the translation
// guard knows which pages were ever translated), and (4) flush the whole TLB.
// Pages valid in the outgoing process only keep their host mapping: without a
// valid PTE the CPU never reaches it, and a later fault in the incoming
// process maps its own frame there.
//
// Cost: one comparison per page of the two working sets and per page table,
// and host calls only for pages whose frame differs: two processes running
// the same image share its code frames, which stay mapped and translated.
// A process that is not current gets no host calls at all: its PTE writes
// change its page tables only (ProcessTranslationHardware), and the switch
// catches up.
import type { Engine } from '../../cpu/engine.js';
import type { GuestSpaceReservation } from '../../cpu/host-memory.js';
import type { AddressSpace } from '../../mm/address-space.js';
import { PAGE_SIZE, addressOfVpn, type Pfn } from '../../mm/layout.js';
import type { TranslationHardware } from '../../mm/page-tables.js';
import { isValidPte, pfnOfPte } from '../../mm/pte.js';

/** What one switch did: pages whose host mapping changed (remapped or taken away), tables remapped. */
export interface SwitchCost { remappedPages: number; droppedPages: number; remappedTables: number }

/** A process's view of the MMU: forwards to the machine's only while the process is current. */
export class ProcessTranslationHardware implements TranslationHardware {
  active = false;

  constructor(private readonly machine: TranslationHardware) {}

  aliasFrame(pageAddress: number, pfn: Pfn): void { if (this.active) this.machine.aliasFrame(pageAddress, pfn); }
  releaseAlias(pageAddress: number): void { if (this.active) this.machine.releaseAlias(pageAddress); }
  flushTlbPage(pageAddress: number): void { if (this.active) this.machine.flushTlbPage(pageAddress); }
  /** The host's mapping budget is the machine's, whoever asks. */
  hasMappingRoom(): boolean { return this.machine.hasMappingRoom?.() ?? true; }
}

export class AddressSpaceSwitcher {
  private readonly hardware = new Map<AddressSpace, ProcessTranslationHardware>();
  private currentSpace: AddressSpace | undefined;
  /** Switches so far and their total cost (for the benchmark and --json). */
  readonly totals = { switches: 0, remappedPages: 0, droppedPages: 0, remappedTables: 0 };

  constructor(private readonly reservation: GuestSpaceReservation, private readonly engine: Engine, private readonly machine: TranslationHardware) {}

  /** The space whose mappings the reservation holds. */
  get current(): AddressSpace | undefined { return this.currentSpace; }

  /** A new hardware view for a space about to be created; `current` makes it the running one (the first process). */
  createHardware(current: boolean): ProcessTranslationHardware {
    const hardware = new ProcessTranslationHardware(this.machine);
    hardware.active = current;
    return hardware;
  }

  /** Ties a created space to its hardware view; `current` when it is the one the CPU sees already. */
  register(space: AddressSpace, hardware: ProcessTranslationHardware): void {
    this.hardware.set(space, hardware);
    if (hardware.active) this.currentSpace = space;
  }

  /** Forgets a deleted space (its mappings stay until the next switch replaces them). */
  unregister(space: AddressSpace): void {
    this.hardware.delete(space);
  }

  /**
   * Before `space` is deleted while the CPU still sees it (its last thread
   * just ended): its pages' host mappings are released and their translated
   * code dropped, as a switch away from it would, and no space is current
   * until the next switch. Nothing when `space` is not the current one.
   */
  deactivate(space: AddressSpace): void {
    if (this.currentSpace !== space) return;
    this.hardware.get(space)!.active = false;
    const changed: number[] = [];
    for (const vpn of space.workingSet.pages()) {
      const address = addressOfVpn(vpn);
      this.reservation.releaseAlias(address);
      if (this.engine.mayHoldTranslations(address)) changed.push(address);
    }
    this.dropTranslations(changed);
    this.engine.flushTlb();
    this.currentSpace = undefined;
  }

  /** Makes `incoming` the address space the CPU sees; nothing when it already is. */
  switchTo(incoming: AddressSpace): SwitchCost {
    const cost: SwitchCost = { remappedPages: 0, droppedPages: 0, remappedTables: 0 };
    const outgoing = this.currentSpace;
    if (outgoing === incoming) return cost;
    const changed: number[] = [];
    if (outgoing) {
      this.hardware.get(outgoing)!.active = false;
      for (const vpn of outgoing.workingSet.pages()) {
        const address = addressOfVpn(vpn);
        if (isValidPte(incoming.pageTables.readPte(address))) continue;
        // Unreachable without a valid PTE: left mapped (no host call), but its translated code must go.
        this.reservation.releaseAlias(address);
        if (this.engine.mayHoldTranslations(address)) changed.push(address);
        cost.droppedPages++;
      }
    }
    const remap: number[] = [];
    for (const vpn of incoming.workingSet.pages()) {
      const address = addressOfVpn(vpn);
      const pfn = pfnOfPte(incoming.pageTables.readPte(address));
      if (this.reservation.aliasedFrameAt(address) === pfn) {
        this.reservation.aliasFrame(address, pfn); // no host call: marks the alias as needed
        continue;
      }
      remap.push(vpn);
      if (this.engine.mayHoldTranslations(address)) changed.push(address);
    }
    cost.remappedPages = remap.length;
    this.remapRuns(incoming, remap);
    incoming.pageTables.forEachTable((tableAddress, pfn) => {
      if (this.reservation.aliasedFrameAt(tableAddress) === pfn) return;
      this.reservation.aliasFrame(tableAddress, pfn);
      cost.remappedTables++;
    });
    this.dropTranslations(changed);
    this.engine.flushTlb();
    this.hardware.get(incoming)!.active = true;
    this.currentSpace = incoming;
    this.totals.switches++;
    this.totals.remappedPages += cost.remappedPages;
    this.totals.droppedPages += cost.droppedPages;
    this.totals.remappedTables += cost.remappedTables;
    return cost;
  }

  /** Maps the incoming pages `vpns` to their frames: one host call per run of consecutive pages on consecutive frames. */
  private remapRuns(incoming: AddressSpace, vpns: number[]): void {
    vpns.sort((a, b) => a - b);
    const pfnOf = (vpn: number): Pfn => pfnOfPte(incoming.pageTables.readPte(addressOfVpn(vpn)));
    for (let i = 0; i < vpns.length;) {
      const first = vpns[i]!, firstPfn = pfnOf(first);
      let count = 1;
      while (i + count < vpns.length && vpns[i + count] === first + count && pfnOf(first + count) === firstPfn + count) count++;
      this.reservation.aliasFrameRun(addressOfVpn(first), firstPfn, count);
      i += count;
    }
  }

  /** Drops translated code on the pages whose frame changed, one call per run of consecutive pages. */
  private dropTranslations(pages: number[]): void {
    if (pages.length === 0) return;
    pages.sort((a, b) => a - b);
    let start = pages[0]!, end = start + PAGE_SIZE;
    for (const page of pages.slice(1)) {
      if (page === end) { end += PAGE_SIZE; continue; }
      this.engine.removeTranslationCache(start, end);
      start = page; end = page + PAGE_SIZE;
    }
    this.engine.removeTranslationCache(start, end);
  }
}
