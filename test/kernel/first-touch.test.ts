// The foundation's central claim: a fresh page has no frame until the guest
// touches it; the first write takes exactly one demand-zero fault with error
// code user|write|not-present, and the MMU then sets Accessed and Dirty.
import { describe, expect, it } from 'vitest';
import { guestElf, runGuest, faultEvents } from '../helpers/guests.js';
import type { PageFaultEvent } from '../../src/trace/events.js';

const ERROR_USER_WRITE_NOT_PRESENT = 0b110;
const ERROR_USER_READ_NOT_PRESENT = 0b100;

describe('demand-zero pages of .bss', () => {
  it('first write: one fault, then a valid PTE with Accessed and Dirty; first read leaves Dirty clear; untouched has no frame', async () => {
    const run = await runGuest(guestElf('test/guests/bss-touch.c'), {}, ({ machine, stdout }) => {
      const [written, read, untouched] = stdout.trim().split(' ').map((text) => parseInt(text, 16)) as [number, number, number];

      const writtenPte = machine.pte(written);
      expect(writtenPte.state).toBe('valid');
      expect(writtenPte.flags).toEqual(expect.arrayContaining(['Valid', 'Write', 'Owner', 'Accessed', 'Dirty']));
      expect(machine.frame(writtenPte.pfn!)).toEqual({ state: 'Active', shareCount: 1, pteAddress: writtenPte.pteAddress });

      const readPte = machine.pte(read);
      expect(readPte.state).toBe('valid');
      expect(readPte.flags).toContain('Accessed');
      expect(readPte.flags).not.toContain('Dirty');

      expect(machine.pte(untouched).state).toMatch(/^(zero|no-page-table)$/);
      expect(machine.pte(untouched).pfn).toBeUndefined();
      expect(machine.imageVad.containsVpn(untouched >>> 12)).toBe(true);
    });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 42 });

    const [written, read, untouched] = run.stdout.trim().split(' ').map((text) => parseInt(text, 16)) as [number, number, number];
    const faults = faultEvents(run.events) as PageFaultEvent[];
    const onWritten = faults.filter((e) => e.address >>> 12 === written >>> 12);
    expect(onWritten).toHaveLength(1);
    expect(onWritten[0]).toMatchObject({ errorCode: ERROR_USER_WRITE_NOT_PRESENT, resolution: 'demand-zero', pteBefore: 0 });
    expect(onWritten[0]!.instruction).toMatch(/^mov byte ptr/);
    const onRead = faults.filter((e) => e.address >>> 12 === read >>> 12);
    expect(onRead).toHaveLength(1);
    // A read of an image's .bss page makes its demand-zero prototype PTE resident: a zeroed frame the image section owns.
    expect(onRead[0]).toMatchObject({ errorCode: ERROR_USER_READ_NOT_PRESENT, resolution: 'section-zero' });
    expect(faults.filter((e) => e.address >>> 12 === untouched >>> 12)).toHaveLength(0);
  });

  it('code and data pages come from the file on first touch; the stack starts with only its top page', async () => {
    const run = await runGuest(guestElf('guest/examples/first-touch.c'), {}, ({ machine }) => {
      const stack = machine.stackVad;
      expect(machine.pte(stack.endAddress - 0x1000).state).toBe('valid');
      // The example recursed five frames of a page each: pages below that were never touched.
      expect(machine.pte(stack.startAddress + 0x1000).pfn).toBeUndefined();
    });
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    const faults = faultEvents(run.events) as PageFaultEvent[];
    const entry = faults[0]!;
    expect(entry.resolution).toBe('section-file');
    expect(entry.address).toBe(entry.eip); // instruction fetch from the entry point's page
    expect(entry.fileBytes).toBeGreaterThan(0);
    // The program's own pages (its source): bss_page and the 16 pages of big_array, each written once: one demand-zero fault each.
    const [bssPage, arrayStart] = /bss page at 0x([0-9a-f]+), big array at 0x([0-9a-f]+) \(16 pages\)/.exec(run.stdout)!.slice(1).map((hex) => parseInt(hex, 16) >>> 12) as [number, number];
    const programPages = [bssPage, ...Array.from({ length: 16 }, (_, i) => arrayStart + i)];
    for (const page of programPages) {
      expect(faults.filter((e) => e.address >>> 12 === page).map((e) => [e.resolution, e.errorCode]), `page ${page.toString(16)}`).toEqual([['demand-zero', ERROR_USER_WRITE_NOT_PRESENT]]);
    }
    // touch_stack(4) makes five frames of more than a page, each probing one new page below the last: five guard-page
    // faults that move StackLimit down a page (stack growth), each followed by the demand-zero fault of the retried probe.
    const stackTopPage = (run.events.find((e) => e.type === 'page-fault' && e.vad?.start === 0x00010000) as PageFaultEvent).vad!.end >>> 12;
    const stackFaults = faults.filter((e) => e.vad?.start === 0x00010000).map((e) => [e.address >>> 12, e.resolution]);
    expect(stackFaults).toEqual([1, 2, 3, 4, 5].flatMap((below) => [[stackTopPage - below, 'stack-growth'], [stackTopPage - below, 'demand-zero']]));
    expect(run.stdout).toMatch(/\(16 pages\)\nsum 122890\n$/);
  });
});
