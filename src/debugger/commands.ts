// The command engine both front ends share: one line of WinDbg commands
// separated by `;` in, text out. Each command is a small function over the
// session; execution commands report the stop the way WinDbg does.
import type { DebugSession, SessionStop } from './session.js';
import { formatRegisters, hex8 } from './format.js';
import { dumpMemory, editMemory, unassemble, type DumpKind } from './memory-commands.js';
import { addressCommand, addressList, addressSummary, memusageCommand, pfnCommand, pteCommand, vadCommand } from './mm-commands.js';
import { examineSymbols, handleCommand, heapSummary, listModules, listNearest, pebCommand, processList, stackTrace, tebCommand, threadList } from './process-commands.js';
import { ExpressionError } from './expression.js';
import { EVENT_FILTERS, exceptionEventLine, type FilterState } from './event-filters.js';
import { formatTraceEvent, describeErrorCode } from '../trace/text-format.js';
import { formatExceptionReport } from '../kernel/exception-report.js';
import { formatBugCheck } from '../mm/bugcheck.js';
import { formatNtStatus } from '../nt/status.js';

/** A command the user got wrong: WinDbg's one-line complaint. */
export class CommandError extends Error {
  constructor(message: string) { super(message); this.name = 'CommandError'; }
}

export interface CommandResult { output: string; quit: boolean }

type Handler = (engine: CommandEngine, args: string, name: string) => string;

export class CommandEngine {
  private nextDump = 0;
  private nextUnassemble: number | undefined;
  private lastDumpKind: DumpKind = 'db';
  private quitRequested = false;
  private programLoadReported = false;

  constructor(readonly session: DebugSession) {}

  /**
   * Runs every `;`-separated command of `line`; errors print as WinDbg's and
   * the rest of the line is skipped. `write` receives each command's output
   * as soon as it is done, so it interleaves with the guest's own output.
   */
  execute(line: string, write?: (text: string) => void): CommandResult {
    const outputs: string[] = [];
    const emit = (text: string): void => { if (write) write(text); else outputs.push(text); };
    for (const command of splitCommands(line)) {
      try {
        const text = this.run(command);
        if (text) emit(text);
      } catch (error) {
        if (error instanceof CommandError || error instanceof ExpressionError) {
          emit(error.message);
          break;
        }
        throw error;
      }
      if (this.quitRequested) break;
    }
    return { output: outputs.join('\n'), quit: this.quitRequested };
  }

  private run(command: string): string {
    const match = /^(\?\?|\?|\||~|\.?!?[a-z]+\d?)\s*(.*)$/is.exec(command.trim());
    if (!match) throw new CommandError(`Syntax error at '${command.trim()}'`);
    const [, rawName, args] = match;
    const name = rawName!.toLowerCase();
    const handler = COMMANDS[name] ?? (name.startsWith('ba') ? COMMANDS.ba : undefined);
    // WinDbg's words: an unknown extension is "No export X found", anything else a syntax error.
    if (!handler) throw new CommandError(name.startsWith('!') ? `No export ${name.slice(1)} found` : `       ^ Syntax error in '${command.trim()}'`);
    return handler(this, name.startsWith('ba') && name !== 'ba' ? `${name.slice(2)} ${args}` : args!.trim(), name);
  }

  eval(text: string): number { return this.session.evaluate(text); }

  requireRunning(command: string): void {
    if (this.session.ended) throw new CommandError(`^ No runnable debuggees error in '${command}'`);
  }

  /** WinDbg's text for a stop: the event line(s), then the register block. */
  describeStop(stop: SessionStop): string {
    const { reason } = stop;
    const lines = [...(reason.kind === 'entry' ? this.processModuleLines() : []), ...stop.notes];
    switch (reason.kind) {
      case 'entry': lines.push(...this.describeEntry(stop.processCreation ?? false)); break;
      case 'breakpoint': case 'watchpoint':
        for (const breakpoint of stop.breakpoints) lines.push(`Breakpoint ${breakpoint.id} hit`);
        break;
      case 'exception': {
        lines.push(exceptionEventLine(reason.report.code, reason.firstChance));
        if (reason.firstChance) lines.push('First chance exceptions are reported before any exception handling.', 'This exception may be expected and handled.');
        break;
      }
      case 'event': lines.push(this.describeEvent(reason.filter, reason.event)); break;
      case 'ended': return [...lines, this.describeEnd()].join('\n');
      default: break;
    }
    lines.push(formatRegisters(this.session));
    return lines.join('\n');
  }

  /**
   * With the first stop only: the ModLoad lines of what the kernel mapped
   * when it created the process, the program and ntdll, before those of the
   * DLLs ntdll's loader mapped (cdb's order).
   */
  private processModuleLines(): string[] {
    if (this.programLoadReported) return [];
    this.programLoadReported = true;
    const image = this.session.machine.imageVad;
    const ntdll = this.session.machine.modules().find((m) => /\\ntdll\.dll$/i.test(m.name));
    return [
      `ModLoad: ${hex8(image.startAddress)} ${hex8(image.endAddress)}   ${this.session.programPath}`,
      ...(ntdll ? [`ModLoad: ${hex8(ntdll.base)} ${hex8(ntdll.base + ntdll.size)}   ${ntdll.name}`] : []),
    ];
  }

  /**
   * The process-creation stop and the initial break. Windows creates the
   * process (the cpr event: nothing of it has run), then ntdll's loader runs
   * and breaks (the initial break). A PE program starts so in mmscope too;
   * an ELF program's loader work is its own start-up code, so both are the
   * same point: before its first instruction. Under `sxe cpr` (cdb -xe cpr)
   * the first stop is the process-creation event, under `sxn cpr` the event
   * is printed before the initial break.
   */
  private describeEntry(processCreation: boolean): string[] {
    const { machine, programPath: path } = this.session;
    const startsInNtdll = machine.modules(this.session.pid).some((m) => /\\ntdll\.dll$/i.test(m.name));
    const created = `Create process ${path}: nothing of it has run yet - event 'cpr'`;
    if (processCreation) return [created];
    const lines = this.session.filters.state('cpr') === 'output' ? [created] : [];
    return [...lines, `Initial break at the program's entry point (${startsInNtdll ? 'ntdll\'s loader has run' : 'the process is created: cpr'})`];
  }

  private describeEvent(filter: string, event: import('../trace/events.js').TraceEvent): string {
    if (event.type === 'page-fault') {
      return `Page fault at ${hex8(event.address)} (${describeErrorCode(event.errorCode)}) resolved: ${event.resolution}${event.pfn !== undefined ? ` pfn ${event.pfn.toString(16)}` : ''} - mmscope event '${filter}'`;
    }
    if (event.type === 'syscall') return `System call ${event.name} returned ${formatNtStatus(event.result)} - mmscope event '${filter}'`;
    return `mmscope event '${filter}'`;
  }

  private describeEnd(): string {
    const outcome = this.session.machine.outcome();
    if (!outcome) return 'the process ended';
    switch (outcome.reason) {
      case 'exited': return `ExitProcess: the process exited with status ${hex8(outcome.exitStatus)}`;
      case 'exception': return `The process ended: ${formatExceptionReport(outcome.exception)}`;
      case 'bugcheck': return formatBugCheck(outcome.bugCheck);
      case 'timeout': return 'The process was stopped: --timeout reached';
      case 'waits-forever': return 'The process hangs: its only thread waits forever (an infinite NtDelayExecution)';
      default: return 'The process was stopped: --max-insns reached';
    }
  }

  dump(kind: DumpKind, args: string): string {
    const { address, count } = this.addressAndCount(args, this.nextDump);
    const result = dumpMemory(this.session, kind, address, count);
    this.nextDump = result.next;
    this.lastDumpKind = kind;
    return result.text;
  }

  /** `ADDRESS [L count]`; without an address, where the last command left off. */
  addressAndCount(args: string, fallback: number | undefined): { address: number; count?: number } {
    const tokens = args.split(/\s+/).filter(Boolean);
    let count: number | undefined;
    const rest: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (/^l\??$/i.test(token) && tokens[i + 1]) { count = this.eval(tokens[++i]!); continue; }
      if (/^l\??[0-9]/i.test(token) || /^l\??0[nxy]/i.test(token)) { count = this.eval(token.replace(/^l\??/i, '')); continue; }
      rest.push(token);
    }
    const address = rest.length ? this.eval(rest.join(' ')) : fallback;
    if (address === undefined) throw new CommandError('an address is needed');
    if (count !== undefined && (count <= 0 || count > 0x100000)) throw new CommandError(`Range error: count ${count.toString(16)} is too large`);
    return { address, ...(count !== undefined ? { count } : {}) };
  }

  unassemble(args: string): string {
    const { address, count } = this.addressAndCount(args, this.nextUnassemble ?? this.session.eip());
    const result = unassemble(this.session, address, count);
    this.nextUnassemble = result.next;
    return result.text;
  }

  go(stop: () => SessionStop, command: string): string {
    this.requireRunning(command);
    this.nextUnassemble = undefined;
    return this.describeStop(stop());
  }

  quit(): string {
    this.session.machine.terminate(0);
    this.quitRequested = true;
    return 'quit:';
  }

  get dumpKind(): DumpKind { return this.lastDumpKind; }
}

/** Splits at `;` outside quotes. */
function splitCommands(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    if (char === ';' && !quoted) { out.push(current); current = ''; continue; }
    current += char;
  }
  out.push(current);
  return out.map((c) => c.trim()).filter(Boolean);
}

// --- the command table ---------------------------------------------------------

const repeat = (engine: CommandEngine, args: string, each: () => SessionStop, command: string): string => {
  const count = args ? engine.eval(args) : 1;
  const texts: string[] = [];
  for (let i = 0; i < count && !engine.session.ended; i++) {
    const stop = each();
    texts.push(engine.describeStop(stop));
    if (stop.reason.kind !== 'step' && !(stop.reason.kind === 'breakpoint' && stop.breakpoints.length === 0)) break;
  }
  engine.requireRunning(command);
  return texts.join('\n');
};

const setBreakpoint = (kind: 'bp' | 'bu') => (engine: CommandEngine, args: string): string => {
  if (!args) throw new CommandError('bp needs an address or a symbol');
  engine.session.addBreakpoint({ kind, address: engine.eval(args), expression: args });
  return '';
};

const forBreakpoints = (action: (engine: CommandEngine, b: import('./session.js').Breakpoint) => void) => (engine: CommandEngine, args: string): string => {
  for (const breakpoint of engine.session.select(args || '*')) action(engine, breakpoint);
  return '';
};

const setFilter = (state: FilterState) => (engine: CommandEngine, args: string): string => {
  if (!args) throw new CommandError('which event? (sx lists them)');
  for (const spec of args.split(/\s+/)) {
    const [name, ...rest] = spec.split(':');
    const filter = name!.toLowerCase();
    if (!engine.session.filters.has(filter)) throw new CommandError(`unknown event filter '${name}' (sx lists them)`);
    engine.session.filters.set(filter, state);
    const argument = rest.join(':');
    if (filter === 'pf') engine.session.filters.pageFaults = parsePageFaultSelection(engine, argument);
    if (filter === 'sys') engine.session.filters.systemCalls = new Set(argument ? argument.split(',').map((n) => n.toLowerCase()) : []);
  }
  return '';
};

/** `pf:demand-zero,copy-on-write,210000-21ffff`: resolutions and address ranges (one page for a single address). */
function parsePageFaultSelection(engine: CommandEngine, text: string): { resolutions: Set<string>; ranges: [number, number][] } {
  const resolutions = new Set<string>();
  const ranges: [number, number][] = [];
  for (const part of text.split(',').filter(Boolean)) {
    if (/^[a-z][a-z-]*$/i.test(part) && !/^[0-9a-f]+$/i.test(part)) { resolutions.add(part.toLowerCase()); continue; }
    const [from, to] = part.split('-');
    const start = engine.eval(from!);
    ranges.push([start, to ? engine.eval(to) : (start | 0xfff) >>> 0]);
  }
  return { resolutions, ranges };
}

const COMMANDS: Record<string, Handler> = {
  g: (engine, args) => engine.go(() => engine.session.go(args ? engine.eval(args) : undefined), 'g'),
  gn: (engine, args) => engine.go(() => engine.session.go(args ? engine.eval(args) : undefined), 'gN'),
  gh: (engine, args) => engine.go(() => engine.session.go(args ? engine.eval(args) : undefined, true), 'gh'),
  t: (engine, args) => { engine.requireRunning('t'); return repeat(engine, args, () => engine.session.stepInto(), 't'); },
  p: (engine, args) => { engine.requireRunning('p'); return repeat(engine, args, () => engine.session.stepOver(), 'p'); },
  gu: (engine) => engine.go(() => engine.session.goUp(), 'gu'),
  pt: (engine) => engine.go(() => engine.session.stepToReturn(false), 'pt'),
  tt: (engine) => engine.go(() => engine.session.stepToReturn(true), 'tt'),
  q: (engine) => engine.quit(),
  qq: (engine) => engine.quit(),
  bp: setBreakpoint('bp'),
  bu: setBreakpoint('bu'),
  bl: (engine) => engine.session.breakpoints.map((b) => {
    const what = b.kind === 'ba' ? `${b.access} ${b.size} ` : '';
    return `${String(b.id).padStart(2)} ${b.enabled ? 'e' : 'd'} ${hex8(b.address)}     ${what}0001 (0001)  0:**** ${engine.session.symbols.format(b.address)}`;
  }).join('\n'),
  bc: forBreakpoints((engine, b) => engine.session.clear(b)),
  bd: forBreakpoints((engine, b) => engine.session.setEnabled(b, false)),
  be: forBreakpoints((engine, b) => engine.session.setEnabled(b, true)),
  ba: (engine, args) => {
    const match = /^([rwe])\s*(\S+)\s+(.+)$/i.exec(args);
    if (!match) throw new CommandError('usage: ba r|w|e SIZE ADDRESS');
    const access = match[1]!.toLowerCase() as 'r' | 'w' | 'e';
    const size = engine.eval(match[2]!);
    const address = engine.eval(match[3]!);
    const pageSized = size % 4096 === 0 && address % 4096 === 0;
    if (![1, 2, 4].includes(size) && !pageSized) throw new CommandError('Data breakpoint must be 1, 2 or 4 bytes, or whole pages');
    if (!pageSized && address % size !== 0) throw new CommandError('Alignment of the address is not a multiple of the size');
    if (access === 'e' && size !== 1) throw new CommandError('Execute breakpoints must have size 1');
    engine.session.addBreakpoint({ kind: 'ba', address, expression: match[3]!, access, size });
    return '';
  },
  sx: (engine) => engine.session.filters.describe(),
  sxe: setFilter('break'),
  sxd: setFilter('second-chance'),
  sxn: setFilter('output'),
  sxi: setFilter('ignore'),
  '.lastfault': (engine) => {
    const fault = engine.session.lastFault;
    if (!fault) return 'no page fault yet';
    return [formatTraceEvent(fault), `  address ${hex8(fault.address)}, error code ${fault.errorCode}: ${describeErrorCode(fault.errorCode)}`,
      `  resolution: ${fault.resolution}${fault.why ? ` (${fault.why})` : ''}`].join('\n');
  },
  r: (engine, args) => {
    if (!args) return formatRegisters(engine.session);
    const outputs: string[] = [];
    for (const assignment of args.split(',').map((a) => a.trim()).filter(Boolean)) {
      const [name, value] = assignment.split('=').map((s) => s.trim());
      const register = name!.toLowerCase().replace(/^@/, '');
      const key = register === 'efl' ? 'EFLAGS' : register.toUpperCase();
      if (engine.session.expressions.register(register) === undefined) throw new CommandError(`Bad register error at '${name}'`);
      if (value === undefined) outputs.push(`${register}=${hex8(engine.session.expressions.register(register)!)}`);
      else engine.session.machine.setRegisters({ [key]: engine.eval(value) });
    }
    return outputs.join('\n');
  },
  u: (engine, args) => engine.unassemble(args),
  db: (engine, args) => engine.dump('db', args),
  dw: (engine, args) => engine.dump('dw', args),
  dd: (engine, args) => engine.dump('dd', args),
  dc: (engine, args) => engine.dump('dc', args),
  da: (engine, args) => engine.dump('da', args),
  du: (engine, args) => engine.dump('du', args),
  dps: (engine, args) => engine.dump('dps', args),
  d: (engine, args) => engine.dump(engine.dumpKind, args),
  eb: (engine, args) => edit(engine, 1, args),
  ew: (engine, args) => edit(engine, 2, args),
  ed: (engine, args) => edit(engine, 4, args),
  k: (engine) => stackTrace(engine.session),
  kb: (engine) => stackTrace(engine.session),
  lm: (engine) => listModules(engine.session),
  x: (engine, args) => examineSymbols(engine.session, args || '*'),
  ln: (engine, args) => listNearest(engine.session, args ? engine.eval(args) : engine.session.eip()),
  '?': (engine, args) => { const value = engine.eval(args); return `Evaluate expression: ${value | 0} = ${hex8(value)}`; },
  '??': (engine, args) => { const value = engine.eval(args); return `unsigned int ${hex8(value)}`; },
  '!vad': (engine, args) => {
    const [address, flag] = args.split(/\s+/).filter(Boolean);
    return vadCommand(engine.session, address ? engine.eval(address) : undefined, flag === '1');
  },
  '!pte': (engine, args) => pteCommand(engine.session, engine.eval(args || '@eip')),
  '!pfn': (engine, args) => pfnCommand(engine.session, engine.eval(args)),
  '!address': (engine, args) => {
    if (/^-summary$/i.test(args)) return addressSummary(engine.session);
    return args ? addressCommand(engine.session, engine.eval(args)) : addressList(engine.session);
  },
  '!memusage': (engine) => memusageCommand(engine.session),
  '|': (engine) => processList(engine.session),
  '~': (engine) => threadList(engine.session),
  '!handle': (engine) => handleCommand(engine.session),
  '!peb': (engine) => pebCommand(engine.session),
  '!teb': (engine) => tebCommand(engine.session),
  '!heap': (engine, args) => {
    if (!/^-s\b/i.test(args)) throw new CommandError('only !heap -s (the summary) is supported');
    return heapSummary(engine.session);
  },
  '.help': () => `commands: ${Object.keys(COMMANDS).sort().join(' ')}\nevent filters: ${EVENT_FILTERS.map((f) => f.name).join(' ')}`,
};

function edit(engine: CommandEngine, unit: 1 | 2 | 4, args: string): string {
  const [address, ...values] = args.split(/\s+/).filter(Boolean);
  if (!address || !values.length) throw new CommandError(`usage: e${unit === 1 ? 'b' : unit === 2 ? 'w' : 'd'} ADDRESS VALUES...`);
  const text = editMemory(engine.session, unit, engine.eval(address), values.map((v) => engine.eval(v)));
  if (text) throw new CommandError(text);
  return '';
}

