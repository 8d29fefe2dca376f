// Value parsers for options: sizes, addresses, counts and trace selections.
// Each throws commander's InvalidArgumentError, which commander reports as a
// usage error naming the option.
import { InvalidArgumentError } from 'commander';

const SIZE_UNITS = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 } as const;

/**
 * A size in bytes: a whole number with an optional binary unit, as Windows'
 * tools write them: "4096", "512K", "64M", "1G" ("64MiB", "64MB" too; K = 1024).
 */
export function parseSize(text: string): number {
  const match = /^(\d+)\s*([KMG])?(i?B)?$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`"${text}" is not a size (examples: 64M, 1G, 512K).`);
  const bytes = Number(match[1]) * SIZE_UNITS[(match[2] ?? '').toUpperCase() as keyof typeof SIZE_UNITS];
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError(`"${text}" is too large.`);
  return bytes;
}

/** A size that must be positive (a stack, a RAM size). */
export function parsePositiveSize(text: string): number {
  const bytes = parseSize(text);
  if (bytes === 0) throw new InvalidArgumentError('the size must be larger than 0.');
  return bytes;
}

/**
 * A 32-bit virtual address, hexadecimal by default as in WinDbg's MASM
 * expressions: "404000", "0x404000", "0040`4000" (WinDbg's separator);
 * "0n4210688" is decimal (WinDbg's prefix for base 10).
 */
export function parseAddress(text: string): number {
  const trimmed = text.trim().replace(/`/g, '');
  const decimal = /^0n(\d+)$/i.exec(trimmed);
  const hex = /^(?:0x)?([0-9a-f]+)$/i.exec(trimmed);
  const value = decimal ? Number(decimal[1]) : hex ? parseInt(hex[1]!, 16) : NaN;
  if (!Number.isSafeInteger(value) || value > 0xffffffff) {
    throw new InvalidArgumentError(`"${text}" is not a 32-bit address (hexadecimal as in WinDbg: 404000 or 0x404000; 0n4210688 for decimal).`);
  }
  return value;
}

/** A positive whole number (instructions, milliseconds). */
export function parseCount(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value <= 0 || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`"${text}" is not a positive whole number.`);
  }
  return value;
}

/** A whole number, 0 or more (0 turns something off). */
export function parseCountOrZero(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`"${text}" is not a whole number.`);
  return value;
}

/**
 * A repeatable, comma-separable choice: `--trace faults,syscalls` and
 * `--trace faults --trace syscalls` give the same list; each value must be
 * one of `choices`.
 */
export function parseChoiceList<T extends string>(choices: readonly T[]) {
  return (text: string, previous: T[] | undefined): T[] => {
    const values = text.split(',').map((value) => value.trim());
    for (const value of values) {
      if (!choices.includes(value as T)) throw new InvalidArgumentError(`"${value}" is not one of ${choices.join(', ')}.`);
    }
    return [...(previous ?? []), ...(values as T[])];
  };
}

/** Collects every occurrence of a repeatable option. */
export function collect<T>(parse: (text: string) => T) {
  return (text: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(text)];
}
