// Bounded fuzzing through the API, in one process: mutated ELF files and
// random byte strings as flat guests. Whatever the bytes, the host survives
// (an abort would end this test process), mmscope reports no internal error,
// and a file it cannot run is one message line (BadImageError or
// ProcessCreationError). Seeded, so a failure repeats.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom as random } from '../helpers/random.js';
import { guestElf } from '../helpers/guests.js';
import { Machine, ProcessCreationError, type ProgramFile, type RunOutcome } from '../../src/kernel/machine.js';
import { BadImageError } from '../../src/kernel/loader/loadable-image.js';

const TIME_BUDGET_MS = 40_000;
const MACHINE = { ramBytes: 16 << 20 };
const RUN = { maxInstructions: 200_000, timeoutMs: 200 };
const OUTCOMES = new Set(['exited', 'exception', 'timeout', 'instruction-limit', 'waits-forever']);

/** One mutation of a valid ELF: header bytes, program-header fields set to edge values, or a truncation. */
function mutate(original: Uint8Array, next: () => number): Uint8Array {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const kind = Math.floor(next() * 3);
  if (kind === 0) {
    for (let n = 1 + Math.floor(next() * 4); n > 0; n--) bytes[Math.floor(next() * 0x200)] = Math.floor(next() * 256);
  } else if (kind === 1) {
    const edges = [0, 1, 0xfff, 0x1000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff];
    const phnum = view.getUint16(44, true);
    const field = 52 + Math.floor(next() * Math.max(1, phnum)) * 32 + 4 * Math.floor(next() * 8);
    view.setUint32(Math.min(field, bytes.length - 4), edges[Math.floor(next() * edges.length)]!, true);
  } else {
    return bytes.subarray(0, Math.floor(next() * Math.min(bytes.length, 0x2000)));
  }
  return bytes;
}

interface Tally { runs: number; refused: number; outcomes: Map<string, number> }

/** Loads and runs `file` on `machine`; a refused file is one message line. True when the machine was used up. */
function tryFile(machine: Machine, file: ProgramFile, tally: Tally): boolean {
  try {
    machine.load(file);
  } catch (error) {
    expect(error instanceof BadImageError || error instanceof ProcessCreationError, String((error as Error).stack)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
    tally.refused++;
    // Process creation may have mapped part of the image: that machine is spent.
    return error instanceof ProcessCreationError;
  }
  const outcome: RunOutcome = machine.run(RUN);
  expect(OUTCOMES.has(outcome.reason), JSON.stringify(outcome)).toBe(true);
  tally.runs++;
  tally.outcomes.set(outcome.reason, (tally.outcomes.get(outcome.reason) ?? 0) + 1);
  return true;
}

async function fuzz(files: Iterable<ProgramFile>, deadline: number): Promise<Tally> {
  const tally: Tally = { runs: 0, refused: 0, outcomes: new Map() };
  let machine = await Machine.create(MACHINE);
  try {
    for (const file of files) {
      if (performance.now() > deadline) break;
      if (tryFile(machine, file, tally)) {
        machine.dispose();
        machine = await Machine.create(MACHINE);
      }
    }
  } finally {
    machine.dispose();
  }
  return tally;
}

describe('fuzzing', () => {
  it('mutated ELF files and random flat guests: no abort, no internal error, one line per refused file', async () => {
    const deadline = performance.now() + TIME_BUDGET_MS;
    const next = random(0x5eed);
    const elf = readFileSync(guestElf('guest/examples/hello.c'));
    function* mutatedElfs(): Generator<ProgramFile> {
      for (let i = 0; i < 2500; i++) yield { name: `mutant-${i}.elf`, bytes: mutate(elf, next) };
    }
    function* randomFlats(): Generator<ProgramFile> {
      for (let i = 0; i < 400; i++) {
        const bytes = new Uint8Array(1 + Math.floor(next() * 48)).map(() => Math.floor(next() * 256));
        yield { name: `random-${i}.bin`, bytes, flatBase: 0x400000 };
      }
    }
    const elfs = await fuzz(mutatedElfs(), deadline - TIME_BUDGET_MS / 3);
    const flats = await fuzz(randomFlats(), deadline);
    // Enough cases ran to mean something even on a loaded machine.
    expect(elfs.refused + elfs.runs).toBeGreaterThan(500);
    expect(elfs.refused).toBeGreaterThan(0);
    expect(flats.runs).toBeGreaterThan(50);
  }, 120_000);
});
