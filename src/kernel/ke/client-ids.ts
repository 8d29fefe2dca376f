// Client ids (ClientId.UniqueThread, and UniqueProcess): Windows hands both
// out from one handle table (PspCidTable), so a thread id never equals a
// process id. mmscope numbers them as that table does on a fresh system
// that has given out `first - 4` before: multiples of 4, ascending. Freed
// ids are not reused, so a trace never shows two threads under one id.

export class ClientIds {
  constructor(private next: number) {}

  /** The next id (a multiple of 4). */
  allocate(): number {
    const id = this.next;
    this.next += 4;
    return id;
  }
}
