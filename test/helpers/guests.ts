// Building and running guest programs from tests.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { buildRuntimeLibrary } from '../../src/toolchain/runtime-library.js';
import { CC_FLAGS, LINK_FLAGS, LINK_LIBRARIES, NASM_FLAGS } from '../../src/toolchain/flags.js';
import { guestPaths } from '../../src/toolchain/paths.js';
import { Machine, type MachineOptions, type RunOptions, type RunOutcome } from '../../src/kernel/machine.js';
import type { TraceEvent } from '../../src/trace/events.js';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Everything besides the source and the runtime that shapes a test guest's
 * ELF: the linker script, the toolchain's flags and the headers beside the
 * test guests (check.h). A change to any of them must rebuild the cache;
 * none changes while the suite runs, so it is read once per test file.
 */
let buildInputs: string | undefined;
function buildInputsFingerprint(): string {
  if (buildInputs !== undefined) return buildInputs;
  const hash = createHash('sha256')
    .update(readFileSync(guestPaths().linkerScript))
    .update(JSON.stringify([CC_FLAGS, NASM_FLAGS, LINK_FLAGS, LINK_LIBRARIES]));
  const guestsDirectory = join(PROJECT_ROOT, 'test', 'guests');
  for (const file of readdirSync(guestsDirectory).filter((name) => name.endsWith('.h')).sort()) {
    hash.update(file).update(readFileSync(join(guestsDirectory, file)));
  }
  return (buildInputs = hash.digest('hex'));
}

/**
 * The key of `source` (relative to the project root) with `cflags` in the
 * test guests' cache: its content, the flags, the runtime library it links
 * with and the build inputs above.
 */
export function guestBuildKey(source: string, cflags: readonly string[] = []): string {
  return createHash('sha256')
    .update(readFileSync(join(PROJECT_ROOT, source))).update(JSON.stringify(cflags)).update(buildRuntimeLibrary().archive)
    .update(buildInputsFingerprint())
    .digest('hex').slice(0, 16);
}

/** Builds `source` (relative to the project root) once per build key and returns the ELF path. */
export function guestElf(source: string, cflags: readonly string[] = []): string {
  const path = join(PROJECT_ROOT, source);
  const hash = guestBuildKey(source, cflags);
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

/**
 * Every test guest runs under this instruction budget instead of a wall-clock
 * limit: instructions are counted by the CPU, so a loaded machine makes a run
 * slower but never changes how it ends. Guests that need more pass their
 * own `run.maxInstructions`.
 */
export const GUEST_INSTRUCTION_BUDGET = 50_000_000;

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
  // A run blocks the event loop; let vitest's pending messages to the main process through first, or its
  // 60-second RPC timeout fires when several long runs follow each other (a false "Timeout calling onTaskUpdate").
  await new Promise((resolve) => setImmediate(resolve));
  const machine = await Machine.create(options.machine);
  try {
    const events: TraceEvent[] = [];
    machine.trace.subscribe((event) => events.push(event));
    machine.load({ name: elf, bytes: readFileSync(elf), ...(options.flatBase !== undefined ? { flatBase: options.flatBase } : {}) }, options.args ?? []);
    const outcome = machine.run({ maxInstructions: GUEST_INSTRUCTION_BUDGET, ...options.run });
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
 * every system service; expects no FAIL line, exit status 0, and the guest's
 * own count of checks that ran to equal the "ok" lines it printed and, when
 * given, `checks` (count them in the guest's source: a guest that stops early
 * or skips a branch must not pass).
 */
export async function runChecks(source: string, args: string[] = [], machine: MachineOptions = {}, checks?: number): Promise<GuestRun> {
  const run = await runGuest(guestElf(source), { args, machine: { checkInvariantsAfterServices: true, ...machine } });
  const lines = run.stdout.split('\n');
  const failures = lines.filter((line) => line.startsWith('FAIL'));
  expect(failures, `${source}: checks failed`).toEqual([]);
  expectExited(run, 0, source);
  const summary = lines.map((line) => /^(\d+) checks, 0 failed$/.exec(line)).find(Boolean);
  expect(summary, `${source} did not print its "N checks, 0 failed" line`).toBeTruthy();
  const passed = lines.filter((line) => line.startsWith('ok ')).length;
  expect(Number(summary![1]), `${source}: the count it printed differs from the "ok" lines`).toBe(passed);
  if (checks !== undefined) expect(passed, `${source} ${args.join(' ')}: checks that ran`).toBe(checks);
  return run;
}

/** Says how a run ended, for assertion messages: what did not happen and what did instead. */
export function describeOutcome(outcome: RunOutcome): string {
  switch (outcome.reason) {
    case 'exited': return `exited with status ${outcome.exitStatus}`;
    case 'exception': return `ended by an unhandled exception 0x${(outcome.exitStatus >>> 0).toString(16)}`;
    case 'instruction-limit': return 'did not exit within its instruction budget (a loop that never ends, or a budget too small)';
    case 'timeout': return 'did not exit before the wall-clock timeout';
    case 'waits-forever': return 'waits forever (an infinite NtDelayExecution: the process would hang)';
    default: return outcome.reason;
  }
}

/** Expects the guest to have exited with `exitStatus`; the message names what happened instead. */
export function expectExited(run: GuestRun, exitStatus: number, what = 'the guest'): void {
  expect(run.outcome, `${what} should exit with status ${exitStatus} but ${describeOutcome(run.outcome)}`)
    .toEqual({ reason: 'exited', exitStatus });
}

export interface CliResult { status: number | null; stdout: string; stderr: string }

/**
 * How long a command may take before the test gives up on it. Only a hang
 * should reach it: on a loaded machine a run can take many times its usual
 * time, so this is generous, and the failure names the command that hung.
 */
export const HOST_COMMAND_LIMIT_MS = 10 * 60_000;

/** Runs the real command (bin/mmscope.js over dist/) as a user would. */
export function runCli(args: readonly string[], cwd = PROJECT_ROOT, limitMs = HOST_COMMAND_LIMIT_MS): CliResult {
  return runHostCommand(process.execPath, [join(PROJECT_ROOT, 'bin', 'mmscope.js'), ...args], { cwd, limitMs, label: `mmscope ${args.join(' ')}` });
}

/**
 * Runs a host program to completion; throws, naming the command, if it could
 * not start or did not finish within `limitMs`.
 */
export function runHostCommand(file: string, args: readonly string[], options: { cwd?: string; limitMs?: number; label?: string } = {}): CliResult {
  const limitMs = options.limitMs ?? HOST_COMMAND_LIMIT_MS;
  const label = options.label ?? [file, ...args].join(' ');
  const result = spawnSync(file, args, { cwd: options.cwd ?? PROJECT_ROOT, encoding: 'utf8', timeout: limitMs, maxBuffer: 256 << 20 });
  if (result.error && result.status === null && result.signal === null) throw new Error(`${label}: could not run: ${result.error.message}`);
  if (result.status === null) throw new Error(`${label} did not finish within ${limitMs / 1000} s (killed by ${result.signal})`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const faultEvents = (events: readonly TraceEvent[]) => events.filter((e) => e.type === 'page-fault');
export const syscallEvents = (events: readonly TraceEvent[]) => events.filter((e) => e.type === 'syscall');
