// The options of `mmscope run`, declared once; `mmscope debug` and any other
// command that runs a program can take the same list.
import { Option } from 'commander';
import type { TraceEventType } from '../trace/events.js';
import { EXIT_STOPPED } from './exit-status.js';
import { DEFAULT_QUANTUM } from '../kernel/ke/scheduler.js';
import { TRACE_FORMATS, type TraceFormat } from './trace-outputs.js';
import { parseGdbAddress } from './gdb-address.js';
import { collect, parseAddress, parseChoiceList, parseCount, parseCountOrZero, parsePositiveSize, parseSize } from './parsers.js';

export const TRACE_SELECTIONS = {
  faults: ['page-fault', 'exception', 'trim', 'page-write', 'repurpose'],
  syscalls: ['syscall', 'process-exit'],
  threads: ['thread-create', 'thread-exit', 'context-switch'],
  all: ['page-fault', 'syscall', 'exception', 'process-exit', 'trim', 'page-write', 'repurpose', 'thread-create', 'thread-exit', 'context-switch'],
} as const satisfies Record<string, readonly TraceEventType[]>;
export type TraceSelection = keyof typeof TRACE_SELECTIONS;

/** The options as commander hands them to the action (camelCase keys, parsed values). */
export interface RunOptionValues {
  /** --gdb [HOST:]PORT: serve a GDB remote stub instead of running freely. */
  gdb?: { host: string; port: number };
  trace?: TraceSelection[];
  traceFile?: string;
  traceFormat: TraceFormat;
  maxInsns?: number;
  timeout?: number;
  ram?: number;
  pagefile?: number;
  pagefilePath?: string;
  balanceInterval?: number;
  stack?: number;
  quantum?: number;
  seed?: number;
  heapCheck?: boolean;
  root?: string;
  allowExperiments?: boolean;
  base?: number;
  vad?: boolean;
  pte?: number[];
  modules?: boolean;
  pid?: number;
  json?: boolean;
  report?: string;
}

const choices = <T extends string>(option: Option, values: readonly T[]): Option =>
  option.choices(values).argParser(parseChoiceList(values));

/** A fresh list each call (commander attaches an Option to one command). */
export function runOptions(): Option[] {
  return [
    choices(new Option('--trace <what>', 'print trace events to stderr, one line each (repeatable or comma-separated)'), Object.keys(TRACE_SELECTIONS) as TraceSelection[]),
    new Option('--trace-file <file>', 'write every trace event to FILE ("-": stdout; the guest\'s stdout then goes to stderr)'),
    new Option('--trace-format <format>', 'the --trace-file format: JSON lines, or Chrome\'s Trace Event Format for ui.perfetto.dev').choices(TRACE_FORMATS).default('jsonl'),
    new Option('--max-insns <n>', `stop the guest after N instructions (exit status ${EXIT_STOPPED})`).argParser(parseCount),
    new Option('--timeout <ms>', `stop the guest after MS milliseconds (exit status ${EXIT_STOPPED})`).argParser(parseCount),
    new Option('--ram <size>', 'physical memory, e.g. 64M or 1G (default 256M)').argParser(parsePositiveSize),
    new Option('--pagefile <size>', 'page-file size (default 0: none): added to the commit limit; trimmed modified pages are written there').argParser(parseSize),
    new Option('--pagefile-path <file>', 'keep the page file at FILE (default: a temporary file, deleted at exit)'),
    new Option('--balance-interval <n>', 'instructions between the balance set manager\'s passes (aging, trimming when memory is low; default 10000000 with a page file, 0: none)').argParser(parseCountOrZero),
    new Option('--stack <size>', 'reserve SIZE for the stack (default: the ELF\'s PT_GNU_STACK size, else 1M)').argParser(parsePositiveSize),
    new Option('--quantum <n>', `instructions a thread runs before the next ready one (round robin; default ${DEFAULT_QUANTUM})`).argParser(parseCount),
    new Option('--seed <n>', 'draw each quantum from [N/2, 3N/2) with this seed: another repeatable interleaving, for hunting races').argParser(parseCount),
    new Option('--heap-check', 'turn on the heap checks (NtGlobalFlag hfc+hpc): heap misuse stops the process with a report'),
    new Option('--root <dir>', 'the directory the guest sees as C:\\ for its files, read-write (default: the current directory, read-only)'),
    new Option('--allow-experiments', 'let the guest damage kernel state on purpose (MmsExperimentRemoveVad, MmsExperimentMapFrame)'),
    new Option('--base <addr>', 'load PROGRAM as a flat binary (nasm -f bin) at ADDR (hex, as in WinDbg) and enter it there').argParser(parseAddress),
    new Option('--vad', 'print the VAD tree at exit, like WinDbg\'s !vad'),
    new Option('--pte <addr>', 'print the PDE and PTE of ADDR (hex; 0n for decimal) at exit, like !pte (repeatable)').argParser(collect(parseAddress)),
    new Option('--modules', 'list the modules at exit, found by walking the VAD tree for image views'),
    new Option('--pid <n>', 'the dumps at exit (--vad, --pte, --modules) of process N only (default: every process that ran)').argParser(parseCount),
    new Option('--report <file>', 'write an HTML report of the run to FILE (VMMap\'s summary, the address-space map, page grids, the fault timeline)'),
    new Option('--gdb <[host:]port>', 'wait for gdb on PORT (127.0.0.1 unless HOST is given) and let it drive the run (GDB remote protocol; port 0 picks a free one)').argParser(parseGdbAddress),
    new Option('--json', 'print one JSON document on stdout however the run ends: the summary, the guest\'s stdout, the --vad/--pte/--modules dumps'),
  ];
}

/** The event types a list of --trace selections shows. */
export function tracedEventTypes(selections: readonly TraceSelection[]): Set<TraceEventType> {
  return new Set(selections.flatMap((selection) => TRACE_SELECTIONS[selection]));
}
