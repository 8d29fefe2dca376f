// The command line as a user drives it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, guestElf, runCli } from '../helpers/guests.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'mmscope-cli-')); });

describe('help', () => {
  // The options the README documents (README, Command line), written out here
  // rather than read from the table --help is generated from.
  const RUN_OPTIONS = [
    '--trace', '--trace-file', '--trace-format', '--max-insns', '--timeout', '--ram', '--pagefile', '--pagefile-path', '--balance-interval', '--stack', '--quantum', '--seed', '--heap-check', '--root',
    '--allow-experiments', '--base', '--vad', '--pte', '--modules', '--pid', '--report', '--gdb', '--json',
  ];
  const BUILD_OPTIONS = ['--output', '--cflag', '--stack', '--base', '--pe', '--dll'];
  const optionsIn = (help: string) => [...new Set(help.match(/^ +(?:-\w, )?(--[a-z-]+)/gm)!.map((line) => line.replace(/^ +(?:-\w, )?/, '')))];

  it('documents exactly the documented options of run and build, and the README documents them too', () => {
    const run = runCli(['run', '--help']);
    expect(run.status).toBe(0);
    expect(optionsIn(run.stdout).sort()).toEqual([...RUN_OPTIONS, '--help'].sort());
    const build = runCli(['build', '--help']);
    expect(optionsIn(build.stdout).sort()).toEqual([...BUILD_OPTIONS, '--help'].sort());
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const option of [...RUN_OPTIONS, '--cflag', '-o']) expect(readme, `README does not mention ${option}`).toContain(`${option}`);
    expect(runCli(['--help']).stdout).toMatch(/Commands:\n  run \[options\] <program> \[args\.\.\.\] +run a program/);
    expect(runCli(['help', 'run'])).toEqual(run);
  });

  it('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(runCli(['--version'])).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    expect(runCli(['-V']).stdout).toBe(`${version}\n`);
  });
});

describe('options and operands', () => {
  it('addresses are hexadecimal as in WinDbg, with or without 0x; 0n means decimal', () => {
    const elf = guestElf('test/guests/bss-touch.c');
    const pages = ['404000', '0x404000', '0n4210688'].map((text) => runCli(['run', '--pte', text, elf]).stdout.match(/^VA (0x[0-9a-f]+)$/m)?.[1]);
    expect(pages).toEqual(['0x00404000', '0x00404000', '0x00404000']); // 0n4210688 = 0x404000
  });

  it('an mmscope option after the program goes to the guest, with one note on stderr; none after --', () => {
    const elf = guestElf('guest/examples/hello.c');
    const noted = runCli(['run', elf, 'x', '--vad']);
    expect(noted.stdout).toContain('argv[2] = --vad\n');
    expect(noted.stderr).toBe('mmscope: note: --vad after the program is passed to the guest\n');
    const separated = runCli(['run', '--', elf, '--vad']);
    expect(separated).toMatchObject({ status: 0, stderr: '' });
    expect(separated.stdout).toContain('argv[1] = --vad\n');
  });

  it('--trace takes a repeated or comma-separated list', () => {
    const elf = guestElf('guest/examples/hello.asm');
    const both = runCli(['run', '--trace', 'faults,syscalls', elf]).stderr;
    expect(both).toMatch(/#PF/);
    expect(both).toMatch(/NtWriteFile/);
    expect(runCli(['run', '--trace', 'faults', '--trace', 'syscalls', elf]).stderr.replace(/ +[\d.]+us/g, '')).toBe(both.replace(/ +[\d.]+us/g, ''));
  });
});

describe('build and run', () => {
  it('builds C and nasm programs and runs them with arguments and exit codes', () => {
    const c = join(dir, 'hello.elf');
    const asm = join(dir, 'hello-asm.elf');
    expect(runCli(['build', 'guest/examples/hello.c', '-o', c]).status).toBe(0);
    expect(runCli(['build', 'guest/examples/hello.asm', '-o', asm]).status).toBe(0);
    expect(runCli(['run', c, 'there', '--not-an-option-for-mmscope'])).toMatchObject({
      status: 0,
      stdout: `Hello from ring 3, there!\nargv[0] = ${c}\nargv[1] = there\nargv[2] = --not-an-option-for-mmscope\n`,
    });
    expect(runCli(['run', asm])).toMatchObject({ status: 0, stdout: 'Hello from nasm in ring 3!\n' });
    const header = readFileSync(c).subarray(0, 20);
    expect([header[4], header[16], header[18]]).toEqual([1, 2, 3]); // ELFCLASS32, ET_EXEC, EM_386
  });

  it('reports a compile error with the compiler\'s message and status 1', () => {
    const broken = join(dir, 'broken.c');
    writeFileSync(broken, 'int main(void) { return undeclared; }\n');
    const result = runCli(['build', broken, '-o', join(dir, 'x.elf')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^mmscope: gcc failed:/);
  });

  it('runs a flat binary at --base (hexadecimal)', () => {
    const bin = join(dir, 'flat.bin');
    execFileSync('nasm', ['-f', 'bin', '-o', bin, join(PROJECT_ROOT, 'test/guests/flat.asm')]);
    expect(runCli(['run', '--base', '400000', bin])).toMatchObject({ status: 3, stdout: 'flat binary\n' });
  });

  it('passes the guest\'s exit code through, and an exception\'s low byte with a report', () => {
    const kernelTouch = guestElf('test/guests/kernel-touch.c');
    const result = runCli(['run', kernelTouch, '80000000']);
    expect(result.status).toBe(5);
    expect(result.stdout).toBe('touching 0x80000000\n');
    expect(result.stderr).toMatch(/^mmscope: unhandled exception STATUS_ACCESS_VIOLATION \(0xC0000005\)\n  at eip 0x004[0-9a-f]{5}: mov eax, dword ptr \[e[a-d]x\]\n  the instruction read from 0x80000000\n  page-fault error code 5: protection violation, read, user mode\n  reason: kernel space/);
  });
});

describe('trace', () => {
  it('--trace faults prints one line per fault; --trace-file writes the same events as JSON lines', () => {
    const file = join(dir, 'trace.jsonl');
    const result = runCli(['run', '--trace', 'faults', '--trace-file', file, guestElf('test/guests/bss-touch.c')]);
    expect(result.status).toBe(42);
    const lines = result.stderr.trim().split('\n');
    expect(lines.every((line) => /^#\d+ +[\d.]+us pid=4 tid=8 #PF 0x[0-9a-f]{8} eip=0x[0-9a-f]{8} (NP|P)\|[RW]\|[UK] /.test(line))).toBe(true);
    const events = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const faults = events.filter((e) => e.type === 'page-fault');
    expect(faults.length).toBe(lines.length);
    expect(events.some((e) => e.type === 'syscall')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'process-exit', status: 42 });
    for (const event of faults) {
      expect(Object.keys(event)).toEqual(expect.arrayContaining(['seq', 'timeUs', 'tid', 'type', 'address', 'eip', 'errorCode', 'resolution', 'pteBefore']));
    }
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('--trace syscalls shows NT services by name with their status', () => {
    const result = runCli(['run', '--trace', 'syscalls', guestElf('guest/examples/hello.asm')]);
    expect(result.stderr).toMatch(/int 2e NtWriteFile\(0x00000007, .*\) = STATUS_SUCCESS \(0x00000000\)/);
    expect(result.stderr).toMatch(/int 2e NtTerminateProcess\(0xffffffff, 0x00000000\)/);
    expect(result.stderr).not.toContain('#PF');
  });
});

describe('dumps at exit', () => {
  it('--vad and --pte print the VAD tree and decoded PTEs; --json the same as JSON', () => {
    const elf = guestElf('test/guests/bss-touch.c');
    const addresses = runCli(['run', elf]).stdout.trim().split(' ');
    const text = runCli(['run', '--vad', '--pte', addresses[0]!, '--pte', addresses[2]!, elf]);
    expect(text.stdout).toMatch(/Level +Start +End +Commit +Type +Protection\n/);
    // The stack: a 1 MiB reservation with only its top pages (and the guard page) committed; the TEB and PEB pages.
    expect(text.stdout).toMatch(/\n +\d +10 +10f +[2-9] Private +READWRITE\n/);
    expect(text.stdout).toMatch(/\n +\d +7ffde +7ffde +1 Private +READWRITE\n +\d +7ffdf +7ffdf +1 Private +READWRITE\n/);
    expect(text.stdout).toMatch(/ 400 .* Mapped +Exe +EXECUTE_WRITECOPY /);
    expect(text.stdout).toMatch(/pfn [0-9a-f]+ +Valid Write Owner Accessed Dirty\n/);
    expect(text.stdout).toMatch(/not valid, zero PTE \(the VAD decides\)/);
    const json = JSON.parse(runCli(['run', '--json', '--vad', '--pte', addresses[0]!, elf]).stdout); // the guest's own line went to stderr
    expect(json).toMatchObject({ reason: 'exited', exitStatus: 42, vads: expect.any(Array), ptes: [{ state: 'valid' }] });
    expect(json.commit.processPages).toBe(json.vads.reduce((n: number, v: { commitCharge: number }) => n + v.commitCharge, 0));
  });
});

describe('the stack and the heap', () => {
  it('build --stack records the reservation in the ELF; run --stack overrides it', () => {
    const elf = join(dir, 'stack.elf');
    expect(runCli(['build', '--stack', '192K', 'test/guests/stack-growth.c', '-o', elf]).status).toBe(0);
    expect(runCli(['run', elf, 'env', '0x30000']).stdout).toMatch(/^16 checks, 0 failed$/m);
    expect(runCli(['run', '--stack', '128K', elf, 'env', '0x20000']).stdout).toMatch(/^16 checks, 0 failed$/m);
  });

  it('--heap-check stops a double free with the heap\'s message and STATUS_HEAP_CORRUPTION', () => {
    const elf = guestElf('test/guests/heap-misuse.c');
    expect(runCli(['run', elf, 'double-free'])).toMatchObject({ status: 0, stdout: `double-free: FALSE, error ${0xdeadbeef}\n` });
    const checked = runCli(['run', '--heap-check', elf, 'double-free']);
    expect(checked.status).toBe(0x74);
    expect(checked.stderr).toMatch(/HEAP\[mmscope\]: HeapFree\(0x[0-9a-f]+, 0x[0-9a-f]+\): double free/);
    expect(checked.stderr).toContain('unhandled exception STATUS_HEAP_CORRUPTION (0xC0000374)');
  });
});
