// A memory manager without a CPU: RAM as a plain buffer and a hardware stub
// that records what the page tables asked of it.
import { AddressSpace } from '../../src/mm/address-space.js';
import { CommitLedger } from '../../src/mm/commit.js';
import { PageTables, type TranslationHardware } from '../../src/mm/page-tables.js';
import { PfnDatabase } from '../../src/mm/pfn-database.js';
import type { Pfn } from '../../src/mm/layout.js';
import { MemoryPagingStore, PageFile } from '../../src/mm/page-file.js';

export class RecordingHardware implements TranslationHardware {
  readonly aliases = new Map<number, Pfn>();
  readonly tlbFlushes: number[] = [];
  aliasFrame(page: number, pfn: Pfn): void { this.aliases.set(page, pfn); }
  releaseAlias(page: number): void { this.aliases.delete(page); }
  flushTlbPage(page: number): void { this.tlbFlushes.push(page); }
}

export function createAddressSpace(frameCount = 256, commitLimit = frameCount, pagefilePages = 0): { space: AddressSpace; hardware: RecordingHardware; store: MemoryPagingStore } {
  const memory = { frameCount, bytes: new Uint8Array(frameCount * 4096) };
  const hardware = new RecordingHardware();
  const frames = new PfnDatabase(memory);
  const tables = new PageTables(frames, memory, hardware);
  const space = new AddressSpace(tables, frames, memory, new CommitLedger(commitLimit + pagefilePages));
  const store = new MemoryPagingStore();
  if (pagefilePages > 0) space.attachPageFile(new PageFile(pagefilePages, store));
  return { space, hardware, store };
}
