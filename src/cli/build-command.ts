// `mmscope build`: the guest SDK's toolchain behind one command.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Option } from 'commander';
import { Machine } from '../kernel/machine.js';
import { buildGuest, imageBaseProblem } from '../toolchain/build-guest.js';
import { buildPeGuest } from '../toolchain/build-pe.js';
import type { CommandDeclaration, Invocation } from './command-table.js';
import { HostIoError, UsageError, describeErrno } from './errors.js';
import { collect, parseAddress, parsePositiveSize } from './parsers.js';

interface BuildOptionValues {
  output: string;
  cflag?: string[];
  stack?: number;
  base?: number;
  pe?: boolean;
  dll?: boolean;
}

export const BUILD_COMMAND: CommandDeclaration<BuildOptionValues> = {
  name: 'build',
  operands: [{ syntax: '<sources...>', description: 'C (.c) or nasm (.asm) files' }],
  summary: 'build a guest program with the SDK',
  description: `Builds a static, freestanding i386 ELF linked at 0x00400000 with the guest
SDK (guest/include, guest/runtime, guest/image.ld). A program defines main()
(the SDK's crt0 calls it and exits with its return value) or its own _start
(then it gets no crt0). With --pe the same sources become a PE32 program
(.exe) built by mingw-w64 and linked against mmscope's kernel32.dll,
msvcrt.dll and ntdll.dll, which runs on Windows too; --dll builds a PE32
DLL (its __declspec(dllexport) functions, else all its globals, exported;
DllMain its entry point if it has one). A compiler error exits with status
1; warnings are printed on stderr when the build succeeds too.`,
  options: () => [
    new Option('-o, --output <file>', 'the ELF (or with --pe, .exe; with --dll, .dll) file to write').makeOptionMandatory(),
    new Option('--pe', 'build a PE32 program with mingw-w64 against mmscope\'s system DLLs instead of an ELF'),
    new Option('--dll', 'build a PE32 DLL (implies --pe)').implies({ pe: true }),
    new Option('--cflag <flag>', 'an extra gcc flag, e.g. --cflag -O0 (repeatable)').argParser(collect(String)),
    new Option('--stack <size>', 'the stack reservation to record (ELF: PT_GNU_STACK; PE: SizeOfStackReserve), e.g. 256K').argParser(parsePositiveSize),
    new Option('--base <addr>', 'link at ADDR (hex) instead of 400000 (PE DLL: 10000000): a module for LoadLibraryA, a multiple of 64 KiB').argParser(parseAddress),
  ],
  examples: [
    'npx mmscope build guest/examples/hello.c -o hello.elf',
    'npx mmscope build guest/examples/hello.asm -o hello-asm.elf',
    'npx mmscope build --stack 256K guest/examples/recursion.c -o recursion.elf',
    'npx mmscope build --base 10000000 guest/examples/hello.c -o plugin.elf',
    'npx mmscope build --pe guest/examples/hello.c -o hello.exe',
    'npx mmscope build --dll guest/examples/pe/hidden-dll.c -o hidden-dll.dll',
  ],
  action: build,
};

function build({ operands, options, output }: Invocation<BuildOptionValues>): number {
  validate(options);
  checkHostFiles(operands, options.output);
  const request = {
    sources: operands, output: options.output, cflags: options.cflag ?? [],
    ...(options.stack !== undefined ? { stackReserveBytes: options.stack } : {}),
    ...(options.base !== undefined ? { imageBase: options.base } : {}),
  };
  const { diagnostics } = options.pe ? buildPeGuest({ ...request, dll: options.dll ?? false }) : buildGuest(request);
  if (diagnostics) output.err(diagnostics);   /* gcc's warnings, even when the build succeeds */
  return 0;
}

/**
 * Sources that cannot be read and an output that cannot be written are host
 * I/O problems (status 125), not compiler failures (status 1): said before gcc runs.
 */
function checkHostFiles(sources: readonly string[], output: string): void {
  for (const source of sources) {
    try {
      if (statSync(source).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
      accessSync(source, constants.R_OK);
    } catch (error) {
      throw new HostIoError(`cannot read ${source}: ${describeErrno(error)}`);
    }
  }
  try {
    if (statSync(output, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
    accessSync(dirname(output), constants.W_OK);
  } catch (error) {
    throw new HostIoError(`cannot write ${output}: ${describeErrno(error)}`);
  }
}

/** What `run` would refuse is refused here, before anything is built. */
function validate(options: BuildOptionValues): void {
  try {
    Machine.validateOptions({ stackReserveBytes: options.stack });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, 'build');
    throw error;
  }
  const baseProblem = options.base === undefined ? undefined : imageBaseProblem(options.base);
  if (baseProblem) throw new UsageError(`--base: ${baseProblem}`, 'build');
}
