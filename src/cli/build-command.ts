import { buildGuest } from '../toolchain/build-guest.js';
import { UsageError, formatOptions, parseAddress, parseArguments, parseSize, type OptionSpec } from './arguments.js';

export const BUILD_OPTIONS: readonly OptionSpec[] = [
  { name: 'output', short: 'o', value: 'FILE', help: 'the ELF file to write (required)' },
  { name: 'cflag', value: 'FLAG', repeatable: true, help: 'an extra gcc flag, e.g. --cflag -O0 (repeatable)' },
  { name: 'stack', value: 'SIZE', help: 'the stack reservation to record in the ELF (PT_GNU_STACK), e.g. 256K' },
  { name: 'base', value: 'ADDR', help: 'link at ADDR instead of 0x00400000 (a module for LoadLibraryA), a multiple of 64 KiB' },
  { name: 'help', short: 'h', help: 'show this help' },
];

export const BUILD_HELP = `Usage: mmscope build [options] SOURCE... -o OUTPUT

Builds a static, freestanding i386 ELF linked at 0x00400000 with the guest
SDK (guest/include, guest/runtime, guest/image.ld). Sources are C (.c) or
nasm (.asm). A program defines main() (the SDK's crt0 calls it and exits
with its return value) or its own _start (then it gets no crt0).

Options:
${formatOptions(BUILD_OPTIONS)}

Examples:
  npx mmscope build guest/examples/hello.c -o hello.elf
  npx mmscope build guest/examples/hello.asm -o hello-asm.elf
`;

export function buildCommand(args: readonly string[], write: (text: string) => void): number {
  const parsed = parseArguments('build', args, BUILD_OPTIONS, false);
  if (parsed.options.has('help')) { write(BUILD_HELP); return 0; }
  const output = parsed.options.get('output')?.[0];
  if (!output) throw new UsageError('build needs -o OUTPUT', 'build');
  if (parsed.positionals.length === 0) throw new UsageError('build needs at least one source file', 'build');
  const stack = parsed.options.get('stack')?.[0];
  const base = parsed.options.get('base')?.[0];
  buildGuest({
    sources: parsed.positionals, output, cflags: parsed.options.get('cflag') ?? [],
    ...(stack !== undefined ? { stackReserveBytes: parseSize('stack', stack) } : {}),
    ...(base !== undefined ? { imageBase: parseAddress('base', base) } : {}),
  });
  return 0;
}
