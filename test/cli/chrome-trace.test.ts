// --trace-format chrome writes the Trace Event Format that ui.perfetto.dev
// and chrome://tracing open: one JSON object with a traceEvents array.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestElf, runCli } from '../helpers/guests.js';
import { expectSchema } from '../helpers/schemas.js';
import type { ChromeTraceFile } from '../../src/trace/chrome-trace.js';
import type { TraceEvent } from '../../src/trace/events.js';

let dir: string;
let chrome: ChromeTraceFile;
let jsonl: TraceEvent[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmscope-chrome-'));
  const heap = guestElf('guest/examples/heap.c');
  expect(runCli(['run', '--trace-file', join(dir, 't.json'), '--trace-format', 'chrome', heap]).status).toBe(0);
  chrome = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8')) as ChromeTraceFile;
  runCli(['run', '--trace-file', join(dir, 't.jsonl'), heap]);
  jsonl = readFileSync(join(dir, 't.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEvent);
});

describe('--trace-format chrome', () => {
  it('is one JSON document of the Trace Event Format (schema/chrome-trace.schema.json)', () => {
    expectSchema('chrome-trace.schema.json', chrome);
    expect(chrome.traceEvents.filter((e) => e.ph === 'M').map((e) => e.name)).toEqual(['process_name', 'thread_name']);
  });

  it('system calls are complete events with their duration, the same calls as the JSONL trace', () => {
    const calls = chrome.traceEvents.filter((e) => e.ph === 'X');
    expect(calls.map((e) => e.name)).toEqual(jsonl.filter((e) => e.type === 'syscall').map((e) => (e as { name: string }).name));
    for (const call of calls) {
      expect(call.cat).toMatch(/^syscall,(nt|linux)$/);
      expect(call.dur).toBeGreaterThanOrEqual(0);
      expect(call.args).toMatchObject({ result: expect.stringMatching(/^0x[0-9a-f]{8}$/) });
    }
    expect(calls.find((e) => e.name === 'NtAllocateVirtualMemory')?.args).toMatchObject({ resultName: 'STATUS_SUCCESS' });
  });

  it('page faults are instant events with address, EIP, resolution and PFN', () => {
    const faults = chrome.traceEvents.filter((e) => e.cat === 'page-fault');
    const expected = jsonl.filter((e) => e.type === 'page-fault');
    expect(faults.map((e) => e.args!.resolution)).toEqual(expected.map((e) => (e as { resolution: string }).resolution));
    for (const fault of faults) {
      expect(fault).toMatchObject({ ph: 'i', s: 't', name: `#PF ${fault.args!.resolution as string}` });
      expect(fault.args).toMatchObject({ address: expect.stringMatching(/^0x/), eip: expect.stringMatching(/^0x/) });
    }
    expect(faults.find((e) => e.args!.resolution === 'demand-zero')?.args).toMatchObject({ pfn: expect.stringMatching(/^0x/) });
  });

  it('commit charge and resident pages are counters, and commit ends where the process ended', () => {
    const commit = chrome.traceEvents.filter((e) => e.ph === 'C' && e.name === 'commit charge (pages)');
    const resident = chrome.traceEvents.filter((e) => e.ph === 'C' && e.name === 'resident pages');
    expect(commit.length).toBeGreaterThan(2);
    expect(resident.length).toBeGreaterThan(2);
    // The heap commits more as it grows: the counter rises.
    expect(Math.max(...commit.map((e) => e.args!.commit as number))).toBeGreaterThan(commit[0]!.args!.commit as number);
    const times = chrome.traceEvents.filter((e) => e.ph !== 'M').map((e) => e.ts);
    expect(times.every((t) => t >= 0)).toBe(true);
  });
});
