// What test/guests/vm-random.c must print for a seed, computed from the seed
// alone: the same generator and region model, with Windows' rules for the
// calls (VirtualAlloc of a reservation or a commit inside it succeeds;
// VirtualProtect fails unless every page of the range is committed; decommit
// and release succeed on ranges of one reservation).

const SLOTS = 24;
const PAGE_READWRITE = 0x04, PAGE_READONLY = 0x02, PAGE_EXECUTE_READWRITE = 0x40, PAGE_NOACCESS = 0x01, PAGE_EXECUTE_READ = 0x20;
const PROTECTIONS = [PAGE_READWRITE, PAGE_READONLY, PAGE_EXECUTE_READWRITE, PAGE_NOACCESS, PAGE_EXECUTE_READ];

interface Region { reserved: boolean; pages: number; protect: number[]; committed: boolean[]; stamp: number[] }

/** The summary line vm-random prints for `seed` and `steps` when every call behaves as on Windows. */
export function vmRandomLine(seed: number, steps: number): string {
  let state = seed >>> 0;
  const next = (): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return (state >>> 8) & 0xffffff; };
  const slots: Region[] = Array.from({ length: SLOTS }, () => ({ reserved: false, pages: 0, protect: [], committed: [], stamp: [] }));
  const n = { allocations: 0, commits: 0, protects: 0, refused: 0, decommits: 0, releases: 0, writes: 0, queried: 0, readBack: 0, checksum: 0 };
  const range = (r: Region): [number, number] => { const first = next() % r.pages; return [first, 1 + next() % (r.pages - first)]; };
  const verify = (r: Region): void => {
    for (let i = 0; i < r.pages; i++) {
      n.queried++;
      if (!r.committed[i] || r.protect[i] === PAGE_NOACCESS) continue;
      n.readBack++;
      n.checksum = (Math.imul(n.checksum, 31) + r.stamp[i]!) >>> 0;
    }
  };
  for (let step = 0; step < steps; step++) {
    const r = slots[next() % SLOTS]!;
    const op = next() % 4;
    if (!r.reserved) {
      r.pages = 1 + next() % 16;
      const protect = PROTECTIONS[next() % 3]!;
      const commit = next() % 2 === 1;
      n.allocations++;
      r.reserved = true;
      for (let i = 0; i < r.pages; i++) { r.committed[i] = commit; r.protect[i] = protect; r.stamp[i] = 0; }
    } else if (op === 0) {
      const [first, count] = range(r);
      const protect = PROTECTIONS[next() % 3]!;
      n.commits++;
      for (let i = first; i < first + count; i++) {
        if (!r.committed[i]) r.stamp[i] = 0;
        r.committed[i] = true; r.protect[i] = protect;
      }
    } else if (op === 1) {
      const [first, count] = range(r);
      const all = r.committed.slice(first, first + count).every(Boolean);
      const protect = PROTECTIONS[next() % 5]!;
      n.protects++;
      if (!all) n.refused++;
      else for (let i = first; i < first + count; i++) r.protect[i] = protect;
    } else if (op === 2) {
      const [first, count] = range(r);
      n.decommits++;
      for (let i = first; i < first + count; i++) r.committed[i] = false;
    } else {
      if (next() % 3 === 0) { n.releases++; r.reserved = false; continue; }
      for (let i = 0; i < r.pages; i++) {
        if (r.committed[i] && (r.protect[i] === PAGE_READWRITE || r.protect[i] === PAGE_EXECUTE_READWRITE)) { r.stamp[i] = next() & 0xff; n.writes++; }
      }
    }
    verify(r);
  }
  return `${n.allocations} allocations, ${n.commits} commits, ${n.protects} protects (${n.refused} refused), ${n.decommits} decommits, ` +
    `${n.releases} releases, ${n.writes} writes; ${n.queried} pages queried, ${n.readBack} read back, checksum ${n.checksum.toString(16).padStart(8, '0')}`;
}
