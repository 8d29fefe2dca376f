// A host file descriptor shared by the handle that opened it and the control
// area that maps the file: the kernel never opens a guest's file by name a
// second time (a name can be swapped for a link between two opens), so the
// descriptor stays open until its last user lets go.
import { closeSync } from 'node:fs';

export class HostDescriptor {
  private references = 1;

  /** `fd` was opened read-write when `writable`, else read-only. */
  constructor(readonly fd: number, readonly writable: boolean) {}

  reference(): this {
    if (this.references === 0) throw new Error('HostDescriptor referenced after its last release');
    this.references++;
    return this;
  }

  release(): void {
    if (this.references === 0) return;
    if (--this.references === 0) closeSync(this.fd);
  }
}
