// Building and running guest programs from tests.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { buildRuntimeLibrary } from '../../src/toolchain/runtime-library.js';
import { guestPaths } from '../../src/toolchain/paths.js';
import { Machine, type MachineOptions, type RunOptions, type RunOutcome } from '../../src/kernel/machine.js';
import type { TraceEvent } from '../../src/trace/events.js';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Builds `source` (relative to the project root) once per content of the
 * source, the flags and the runtime library it links with, and returns the ELF path.
 */
export function guestElf(source: string, cflags: readonly string[] = []): string {
  const path = join(PROJECT_ROOT, source);
  const hash = createHash('sha256')
    .update(readFileSync(path)).update(JSON.stringify(cflags)).update(buildRuntimeLibrary().archive)
    .digest('hex').slice(0, 16);
  const directory = join(guestPaths().build, 'test-guests');
  mkdirSync(directory, { recursive: true });
  const output = join(directory, `${source.replace(/\W+/g, '_')}-${hash}.elf`);
  if (!existsSync(output)) {
    const staging = `${output}.${process.pid}.tmp`;
    buildGuest({ sources: [path], output: staging, cflags });
    renameSync(staging, output);
  }
  return output;
}

export interface GuestRun {
  outcome: RunOutcome;
  stdout: string;
  stderr: string;
  events: TraceEvent[];
  machine: Machine;
}

/**
 * Runs a guest on a fresh machine with tracing on, checks the memory
 * manager's invariants after the run, and hands the still-open machine to
 * `inspect` before disposing of it.
 */
export async function runGuest<T = GuestRun>(
  elf: string,
  options: { args?: string[]; machine?: MachineOptions; run?: RunOptions; flatBase?: number } = {},
  inspect?: (run: GuestRun) => T,
): Promise<GuestRun> {
  const machine = await Machine.create(options.machine);
  try {
    const events: TraceEvent[] = [];
    machine.trace.subscribe((event) => events.push(event));
    machine.load({ name: elf, bytes: readFileSync(elf), ...(options.flatBase !== undefined ? { flatBase: options.flatBase } : {}) }, options.args ?? []);
    const outcome = machine.run({ maxInstructions: 50_000_000, timeoutMs: 30_000, ...options.run });
    machine.checkInvariants();
    const run = { outcome, stdout: machine.output.stdout, stderr: machine.output.stderr, events, machine };
    inspect?.(run);
    return run;
  } finally {
    machine.dispose();
  }
}

/**
 * Runs a guest built on test/guests/check.h with the invariants checked after
 * every system service; expects no FAIL line and exit status 0.
 */
export async function runChecks(source: string, args: string[] = [], machine: MachineOptions = {}): Promise<GuestRun> {
  const run = await runGuest(guestElf(source), { args, machine: { checkInvariantsAfterServices: true, ...machine } });
  const failures = run.stdout.split('\n').filter((line) => line.startsWith('FAIL'));
  expect(failures).toEqual([]);
  expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
  return run;
}

export interface CliResult { status: number | null; stdout: string; stderr: string }

/** Runs the real command (bin/mmscope.js over dist/) as a user would. */
export function runCli(args: readonly string[], cwd = PROJECT_ROOT): CliResult {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'mmscope.js'), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const faultEvents = (events: readonly TraceEvent[]) => events.filter((e) => e.type === 'page-fault');
export const syscallEvents = (events: readonly TraceEvent[]) => events.filter((e) => e.type === 'syscall');
