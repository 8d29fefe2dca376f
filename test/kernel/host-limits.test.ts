// Limits of the host a guest can reach, and what it gets there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest } from '../helpers/guests.js';
import { HEADROOM_MAPPINGS } from '../../src/cpu/host-mapping-budget.js';
import { STATUS_NO_MEMORY } from '../../src/nt/status.js';

const maxMapCount = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
/** Scattered pages the guest may make resident before the host's mapping limit, at most (one mapping each). */
const limitPages = maxMapCount - HEADROOM_MAPPINGS;

describe('host mappings (vm.max_map_count)', () => {
  // Every other page of this many MiB: more scattered pages than the host can map.
  const mib = Math.ceil(((limitPages + 4096) * 2 * 4096) / 2 ** 20);
  it.skipIf(mib > 1536)(`a guest that scatters pages past the limit gets STATUS_NO_MEMORY, not an internal error (${mib} MiB, every other page)`, async () => {
    const run = await runGuest(guestElf('test/guests/scattered-pages.c'), {
      args: [String(mib)], machine: { ramBytes: 2 * 2 ** 30 }, run: { maxInstructions: undefined, timeoutMs: 120_000 },
    });
    expect(run.outcome).toMatchObject({ reason: 'exception', exitStatus: STATUS_NO_MEMORY, exception: { code: STATUS_NO_MEMORY } });
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^\d+ pages$/);
    // It got far: at least half the pages the headroom leaves, and never to the end.
    expect(Number(lines.at(-1)!.split(' ')[0])).toBeGreaterThan(limitPages / 2);
    expect(run.stdout).not.toContain('done');
  }, 180_000);
});
