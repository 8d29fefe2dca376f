import { describe, expect, it } from 'vitest';
import { calibrateContextLayout } from '../../src/cpu/context-calibration.js';
import { guestElf, runGuest, faultEvents } from '../helpers/guests.js';

describe('saved-context calibration', () => {
  it('finds old_exception and the error code inside the context, 4-byte aligned', () => {
    const layout = calibrateContextLayout();
    expect(layout.contextSize).toBeGreaterThan(1000);
    for (const offset of [layout.oldExceptionOffset, layout.errorCodeOffset]) {
      expect(offset % 4).toBe(0);
      expect(offset).toBeGreaterThan(0);
      expect(offset + 4).toBeLessThanOrEqual(layout.contextSize);
    }
    expect(layout.oldExceptionOffset).not.toBe(layout.errorCodeOffset);
  });

  it('is what lets hundreds of page faults in a row resolve without a double fault', async () => {
    const elf = guestElf('test/guests/many-pages.c');
    const run = await runGuest(elf, { args: ['300'] });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    const demandZero = faultEvents(run.events).filter((e) => e.type === 'page-fault' && e.resolution === 'demand-zero' && (e.errorCode & 2) !== 0);
    // The source writes byte i of page i of a fresh .bss array, i < 300: one demand-zero write fault each, all at that store.
    const store = demandZero.find((e) => (e.address & 0xfff) === 299)!.eip;
    const areaFaults = demandZero.filter((e) => e.eip === store);
    const firstPage = areaFaults[0]!.address >>> 12;
    expect(areaFaults.map((e) => [(e.address >>> 12) - firstPage, e.address & 0xfff])).toEqual(Array.from({ length: 300 }, (_, i) => [i, i]));
    expect(run.events.some((e) => e.type === 'exception')).toBe(false);
  });
});
