// A small table-driven argument parser: every option is declared once with
// its help text, and --help is generated from the same table.

export class UsageError extends Error {
  constructor(message: string, readonly command?: string) { super(message); this.name = 'UsageError'; }
}

export interface OptionSpec {
  name: string;
  short?: string;
  /** Placeholder for the value; absent for a flag. */
  value?: string;
  repeatable?: boolean;
  help: string;
}

export interface ParsedArguments {
  options: Map<string, string[]>;
  positionals: string[];
  /** Everything after the first positional, when the command stops there (guest arguments). */
  rest: string[];
}

/**
 * Parses `args` against `specs`. With `stopAtFirstPositional`, the first
 * positional and all that follow it are left alone (they belong to the guest).
 */
export function parseArguments(command: string, args: readonly string[], specs: readonly OptionSpec[], stopAtFirstPositional: boolean): ParsedArguments {
  const byName = new Map<string, OptionSpec>();
  for (const spec of specs) {
    byName.set(`--${spec.name}`, spec);
    if (spec.short) byName.set(`-${spec.short}`, spec);
  }
  const options = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') { positionals.push(...args.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtFirstPositional) return { options, positionals: [arg], rest: args.slice(i + 1) };
      positionals.push(arg);
      continue;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const spec = byName.get(flag);
    if (!spec) throw new UsageError(`unknown option ${flag}`, command);
    let value = 'true';
    if (spec.value) {
      const next = inline ?? args[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value (${spec.value})`, command);
      value = next;
    } else if (inline !== undefined) {
      throw new UsageError(`${flag} takes no value`, command);
    }
    const values = options.get(spec.name) ?? [];
    if (values.length && !spec.repeatable) throw new UsageError(`${flag} given twice`, command);
    options.set(spec.name, [...values, value]);
  }
  if (stopAtFirstPositional) return { options, positionals: positionals.slice(0, 1), rest: positionals.slice(1) };
  return { options, positionals, rest: [] };
}

export function formatOptions(specs: readonly OptionSpec[]): string {
  const left = specs.map((s) => `  ${s.short ? `-${s.short}, ` : ''}--${s.name}${s.value ? ` ${s.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  return specs.map((s, i) => left[i]!.padEnd(width) + s.help.replace(/\n/g, '\n' + ' '.repeat(width))).join('\n');
}

/** "256M", "64MiB", "1G", "4096K", "1048576" → bytes. */
export function parseSize(option: string, text: string): number {
  const match = /^(\d+)\s*([KMG])?(i?B)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`--${option}: "${text}" is not a size (examples: 64M, 1G, 512K)`);
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[(match[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 1;
  return Number(match[1]) * unit;
}

/** "0x401000" or "4198400" → a 32-bit address. */
export function parseAddress(option: string, text: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xffffffff) throw new UsageError(`--${option}: "${text}" is not a 32-bit address (examples: 0x401000, 4198400)`);
  return value;
}

export function parseCount(option: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${option}: "${text}" is not a positive whole number`);
  return Number(text);
}
