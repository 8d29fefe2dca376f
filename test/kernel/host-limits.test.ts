// Limits of the host a guest can reach, and what it gets there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest } from '../helpers/guests.js';
import { HEADROOM_MAPPINGS } from '../../src/cpu/host-mapping-budget.js';

const maxMapCount = Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8'));
/** Scattered pages the guest may make resident before the host's mapping limit, at most (one mapping each). */
const limitPages = maxMapCount - HEADROOM_MAPPINGS;

describe('host mappings (vm.max_map_count)', () => {
  // Every other page of this many MiB: more scattered pages than the host can map.
  const mib = Math.ceil(((limitPages + 4096) * 2 * 4096) / 2 ** 20);
  it.skipIf(mib > 1536)(`a guest that scatters pages past the limit keeps running: the working set is trimmed to stay inside it (${mib} MiB, every other page)`, async () => {
    const run = await runGuest(guestElf('test/guests/scattered-pages.c'), {
      args: [String(mib)], machine: { ramBytes: 2 * 2 ** 30 }, run: { maxInstructions: undefined, timeoutMs: 120_000 },
    });
    // Paging (issue 12): valid pages are bounded by a share of vm.max_map_count, so the host never refuses a mapping.
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    expect(run.stdout).toContain('done');
    expect(run.events.some((e) => e.type === 'trim' && e.why === 'host-mappings')).toBe(true);
  }, 180_000);
});

const ERROR_NO_SYSTEM_RESOURCES = 1450; // winerror.h: STATUS_INSUFFICIENT_RESOURCES

describe('paged pool', () => {
  it('2 GiB SEC_RESERVE sections cost a few hundred bytes of paged pool each: the handle table runs out first', async () => {
    const run = await runGuest(guestElf('test/guests/many-sections.c'), { args: ['reserve', '70000'], run: { maxInstructions: undefined, timeoutMs: 120_000 } }, ({ machine }) => {
      const pool = machine.pagedPool();
      // 0x100 per control area and 0x40 per handle (paged-pool.ts); no prototype PTE page for a section with no committed page.
      expect(pool.usedBytes).toBeLessThan(65536 * (0x100 + 0x40) + 64 * 4096);
    });
    // 65,536 handles, less the few the runtime holds.
    expect(run.stdout).toMatch(new RegExp(`^made 655\\d\\d, error ${ERROR_NO_SYSTEM_RESOURCES}\\n$`));
  }, 180_000);

  it('when paged pool is exhausted (8 MiB with --ram 16M), creating a section answers STATUS_INSUFFICIENT_RESOURCES', async () => {
    const run = await runGuest(guestElf('test/guests/many-sections.c'), {
      args: ['reserve', '70000'], machine: { ramBytes: 16 << 20 }, run: { maxInstructions: undefined, timeoutMs: 120_000 },
    }, ({ machine }) => {
      const pool = machine.pagedPool();
      expect(pool.limitBytes).toBe(8 << 20);
      expect(pool.limitBytes - pool.usedBytes).toBeLessThan(0x140);
    });
    const made = Number(/^made (\d+), error (\d+)/.exec(run.stdout)?.[1]);
    expect(run.stdout).toContain(`error ${ERROR_NO_SYSTEM_RESOURCES}`);
    // 8 MiB at 0x140 bytes a section and its handle, less what the image and runtime took.
    expect(made).toBeGreaterThan((8 << 20) / 0x140 - 200);
    expect(made).toBeLessThanOrEqual((8 << 20) / 0x140);
  }, 180_000);

  it('prototype PTE pages have addresses no two live ones share, far past the 120 sections that used to wrap', async () => {
    await runGuest(guestElf('test/guests/many-sections.c'), { args: ['views', '400'], machine: { checkInvariantsAfterServices: false } }, ({ machine, stdout }) => {
      expect(stdout).toBe('views 400\n');
      const addresses = machine.vads().filter((vad) => vad.controlArea?.firstPrototypePte).map((vad) => vad.controlArea!.firstPrototypePte);
      expect(addresses.length).toBeGreaterThanOrEqual(400);
      expect(new Set(addresses).size).toBe(addresses.length);
      machine.checkInvariants();
    });
  }, 120_000);
});
