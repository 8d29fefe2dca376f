// Bad program files and bad options: one clear line on stderr and the documented
// status (126 a file that cannot be run, 127 one not found, 125 a bad option), no stack trace.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestElf, runCli } from '../helpers/guests.js';
import { makeElf32 } from '../helpers/elf-files.js';

let dir: string;
let hello: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmscope-bad-'));
  hello = guestElf('guest/examples/hello.c');
});

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function expectCleanFailure(result: ReturnType<typeof runCli>, message: RegExp, status = 126): void {
  expect(result.status).toBe(status);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.stderr).not.toContain('internal error');
  expect(result.stdout).toBe('');
}

describe('bad program files', () => {
  it.each([
    ['not-elf.txt', () => 'hello, I am text\n', /not an ELF file/],
    ['elf64', () => readFileSync(process.execPath).subarray(0, 4096), /64-bit ELF/],
    ['arm.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0x1000 }], undefined, (v) => v.setUint16(18, 0x28, true)), /built for ARM, not i386/],
    ['truncated.elf', () => readFileSync(hello).subarray(0, 40), /truncated ELF header/],
    ['truncated-segment.elf', () => readFileSync(hello).subarray(0, 0x200), /truncated: segment/],
    ['dyn.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0x1000 }], undefined, (v) => v.setUint16(16, 3, true)), /ET_DYN/],
    ['overlap.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0x2000 }, { vaddr: 0x402000, memsz: 0x1000, flags: 6 }]), /segments overlap/],
    ['kernel.elf', () => makeElf32([{ vaddr: 0x80001000, memsz: 0x1000 }]), /past user space/],
    ['straddle.elf', () => makeElf32([{ vaddr: 0x7fffe000, memsz: 0x4000 }], 0x7fffe000), /past user space/],
    ['null-page.elf', () => makeElf32([{ vaddr: 0x1000, memsz: 0x1000 }]), /first 64 KiB/],
    ['absurd.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0xf0000000 }]), /larger than the user address space/],
    ['wraps.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0xfffff000 }]), /wraps past 4 GiB|larger than/],
    ['entry.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0x1000 }], 0x500000), /entry point/],
    ['filesz.elf', () => makeElf32([{ vaddr: 0x401000, memsz: 0x10, filesz: 0x20 }]), /more file bytes/],
    ['empty.elf', () => new Uint8Array(0), /not an ELF file/],
  ])('%s', (name, make, message) => {
    expectCleanFailure(runCli(['run', file(name, make())]), message);
  });

  it('a missing file', () => {
    expectCleanFailure(runCli(['run', join(dir, 'nope.elf')]), /cannot run .*nope\.elf: no such file/, 127);
    expectCleanFailure(runCli(['run', dir]), /cannot run .*: it is a directory/, 126);
  });

  it('a flat binary that does not fit its base', () => {
    expectCleanFailure(runCli(['run', '--base', '0x7ffff000', file('flat.bin', new Uint8Array(0x2000))]), /past user space/);
    expectCleanFailure(runCli(['run', '--base', '0x400010', file('flat2.bin', new Uint8Array(16))]), /not page-aligned/);
  });
});

describe('bad options', () => {
  it.each([
    [['run', '--trace', 'everything', 'x.elf'], /'--trace <what>' argument 'everything' is invalid. "everything" is not one of faults, syscalls, threads, all/],
    [['run', '--trace', 'faults,bogus', 'x.elf'], /"bogus" is not one of faults, syscalls, threads, all/],
    [['run', '--ram', 'lots', 'x.elf'], /'--ram <size>' argument 'lots' is invalid. "lots" is not a size/],
    [['run', '--ram', '4K', 'x.elf'], /RAM of 4096 bytes is too small/],
    [['run', '--stack', '2G', 'x.elf'], /--stack: the stack reservation must be between 1 byte and 1 GiB/],
    [['build', '--stack', 'big', '-o', 'x.elf', 'x.c'], /'--stack <size>' argument 'big' is invalid. "big" is not a size/],
    [['build', '--stack', '10G', '-o', 'x.elf', 'x.c'], /--stack: the stack reservation must be between 1 byte and 1 GiB/],
    [['build', '--stack', '0', '-o', 'x.elf', 'x.c'], /'--stack <size>' argument '0' is invalid. the size must be larger than 0/],
    [['build', '--base', '401000', '-o', 'x.elf', 'x.c'], /--base: image base 0x401000 must be a multiple of 64 KiB/],
    [['run', '--max-insns', '-5', 'x.elf'], /"-5" is not a positive whole number/],
    [['run', '--balance-interval', 'often', 'x.elf'], /"often" is not a whole number/],
    [['run', '--pte', 'zzz', 'x.elf'], /'--pte <addr>' argument 'zzz' is invalid. "zzz" is not a 32-bit address/],
    [['run', '--frobnicate', 'x.elf'], /unknown option '--frobnicate'\n\(see: mmscope run --help\)/],
    [['run', '--vadd', 'x.elf'], /unknown option '--vadd'\n\(Did you mean --vad\?\)/],
    [['run'], /missing required argument 'program'/],
    [['run', '--timeout'], /option '--timeout <ms>' argument missing/],
    [['explode'], /unknown command 'explode'/],
    [['bulid'], /unknown command 'bulid'\n\(Did you mean build\?\)/],
    [['help', 'nosuch'], /unknown command 'nosuch'/],
    [['build', 'x.c'], /required option '-o, --output <file>' not specified/],
  ])('%j', (args, message) => {
    expectCleanFailure(runCli(args), message, 125);
  });
});
