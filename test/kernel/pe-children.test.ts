// Windows programs as child processes: CreateProcessA from an ELF parent
// (the SDK) and from a PE parent (stock mingw-w64) starts a PE program as a
// top-level PE run starts: its image and ntdll mapped, nothing else yet, its
// first thread at ntdll's LdrInitializeThunk; a file that is no program
// fails CreateProcess with Windows' error instead of ending the run.
// Expected values: the files' own headers (read here with a DataView at the
// documented offsets), the symbol table of the built ntdll.dll (nm), and
// Windows' documented errors (ERROR_BAD_EXE_FORMAT 193, ERROR_FILE_NOT_FOUND
// 2, ERROR_ACCESS_DENIED 5).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectExited, guestElf, PROJECT_ROOT, runCli, runGuest, type GuestRun } from '../helpers/guests.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';
import { runTool } from '../../src/toolchain/tools.js';

const SOURCE = 'test/guests/process-pe.c';
const elfProgram = () => guestElf(SOURCE);
const peProgram = () => mingwGuest([SOURCE], [`-I${join(PROJECT_ROOT, 'test/guests')}`], 'process-pe.exe');

const roots: string[] = [];
afterAll(() => { for (const root of roots) rmSync(root, { recursive: true, force: true }); });

/** A --root directory with the ELF and PE builds of the guest (child.elf, child.exe, parent.elf, parent.exe). */
function makeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'mmscope-pe-children-'));
  roots.push(root);
  copyFileSync(elfProgram(), join(root, 'parent.elf'));
  copyFileSync(elfProgram(), join(root, 'child.elf'));
  copyFileSync(peProgram(), join(root, 'parent.exe'));
  copyFileSync(peProgram(), join(root, 'child.exe'));
  return root;
}

async function runParent(root: string, parent: string, args: string[]): Promise<GuestRun> {
  return runGuest(join(root, parent), { args, machine: { fileRoot: root, systemDllDirectory, checkInvariantsAfterServices: true } });
}

/** ImageBase and SizeOfImage (rounded up to pages) from a PE file's optional header (e_lfanew at 0x3C; ImageBase at +0x34, SizeOfImage at +0x50 from the signature). */
function peHeader(path: string): { imageBase: number; sizeOfImage: number } {
  const bytes = readFileSync(path);
  const nt = bytes.readUInt32LE(0x3c);
  return { imageBase: bytes.readUInt32LE(nt + 0x34), sizeOfImage: Math.ceil(bytes.readUInt32LE(nt + 0x50) / 0x1000) * 0x1000 };
}

/** A symbol's address in the built ntdll.dll, from binutils' nm (independent of mmscope's export-directory reader). */
function ntdllSymbol(name: string): number {
  const symbols = runTool('i686-w64-mingw32-nm', [join(systemDllDirectory(), 'ntdll.dll')]);
  const line = symbols.split('\n').find((l) => l.endsWith(` T _${name}`));
  if (!line) throw new Error(`nm does not list ${name} in ntdll.dll`);
  return parseInt(line.split(' ')[0]!, 16);
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

function linesOf(stdout: string, prefix: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(`${prefix} `));
}

describe('a PE program as a child process', () => {
  for (const parent of ['parent.elf', 'parent.exe']) {
    it(`from ${parent}: created suspended, it holds its image and ntdll only; its thread starts at LdrInitializeThunk`, async () => {
      const root = makeRoot();
      const run = await runParent(root, parent, ['probe', 'child.exe']);
      expectExited(run, 0, parent);
      expect(run.stdout).toMatch(/^21 checks, 0 failed$/m);
      const exe = peHeader(join(root, 'child.exe'));
      const ntdll = peHeader(join(systemDllDirectory(), 'ntdll.dll'));
      expect(ntdll.imageBase).toBe(0x7c900000);                  // Windows XP's ntdll base
      expect(linesOf(run.stdout, 'image')).toEqual([
        `image ${hex(exe.imageBase)} ${hex(exe.sizeOfImage)}`,
        `image ${hex(ntdll.imageBase)} ${hex(ntdll.sizeOfImage)}`,
      ]);
      expect(linesOf(run.stdout, 'header')).toEqual([
        `header ${hex(exe.imageBase)} ${hex(exe.imageBase)} ${hex(exe.sizeOfImage)}`,
        `header ${hex(ntdll.imageBase)} ${hex(ntdll.imageBase)} ${hex(ntdll.sizeOfImage)}`,
      ]);
      const child = run.machine.processes()[1]!;
      expect(child.parentId).toBe(run.machine.processes()[0]!.id);
      expect(child.exitStatus).toBe(3);
      expect(child.userExceptionDispatcher).toBe(ntdllSymbol('KiUserExceptionDispatcher'));
      // Its thread's Win32StartAddress is the image's entry point (ImageBase + AddressOfEntryPoint, at +0x28 from the signature).
      const [thread] = run.machine.threads().filter((t) => t.pid === child.id);
      expect(thread!.startAddress).toBe(exe.imageBase + readFileSync(join(root, 'child.exe')).readUInt32LE(readFileSync(join(root, 'child.exe')).readUInt32LE(0x3c) + 0x28));
      expect(thread!.state).toBe('terminated');
      const created = run.events.find((e) => e.type === 'process-create');
      expect(created).toMatchObject({ pid: child.id, image: 'child.exe' });
    });
  }

  it('mmscope run: an ELF parent gets the system DLLs when it first creates a PE child', () => {
    const root = makeRoot();
    const result = runCli(['run', '--root', root, join(root, 'parent.elf'), 'probe', 'child.exe']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(linesOf(result.stdout, 'image')[1]).toMatch(/^image 7c900000 /);
  });

  it('from a PE parent, an ELF child is mapped as the ELF loader maps it (no ntdll)', async () => {
    const root = makeRoot();
    const run = await runParent(root, 'parent.exe', ['probe', 'child.elf']);
    expectExited(run, 0, 'parent.exe');
    expect(linesOf(run.stdout, 'header')).toEqual(['header 00400000 elf']);
    expect(run.machine.processes()[1]!.userExceptionDispatcher).toBeUndefined();
  });

  // Mixed pairs run different code at the same addresses in the two processes (both images at 0x400000).
  const runs: [string, string][] = [['parent.elf', 'child.exe'], ['parent.exe', 'child.exe'], ['parent.exe', 'child.elf']];
  for (const [parent, child] of runs) {
    it(`${parent} runs ${child}: it prints, takes and handles an exception of its own, and its exit code reaches the parent`, async () => {
      const root = makeRoot();
      const run = await runParent(root, parent, ['run', child, 'child 7']);
      expectExited(run, 0, parent);
      const pe = child.endsWith('.exe');
      expect(run.stdout).toContain(`child ${child}: pid 12, 3 arguments\n`);
      expect(linesOf(run.stdout, 'child-exit')).toEqual(['child-exit 7']);
      if (pe) {
        // The child's first instruction fetch is ntdll's LdrInitializeThunk.
        const fetches = run.events.filter((e) => e.type === 'page-fault' && e.pid === 12 && e.address === e.eip);
        expect(fetches[0]).toMatchObject({ eip: ntdllSymbol('LdrInitializeThunk') });
      }
      if (pe) {
        // The child's command line is the parent's string, spaces and quotes as written (CreateProcess keeps it verbatim).
        const line = 'cmdline  "a b"   c\\"d';
        const quoted = await runParent(root, parent, ['run', child, line]);
        expect(quoted.stdout).toContain(`cmdline [${child} ${line}] argv[0] [${child}]\n`);
        expect(linesOf(quoted.stdout, 'child-exit')).toEqual(['child-exit 4']); // child.exe, cmdline, a b, c"d
      }
      const faulting = await runParent(root, parent, ['run', child, 'fault']);
      expect(faulting.stdout).toContain('child handled 1 access violation\n');
      expect(linesOf(faulting.stdout, 'child-exit')).toEqual(['child-exit 41']);
    });
  }

  it('a PE child whose DLL is missing fails in its loader: CreateProcessA succeeds, the exit code is STATUS_DLL_NOT_FOUND', async () => {
    const root = makeRoot();
    const helper = mingwGuest(['test/guests/pe/helper-dll.c'], ['-shared', '-nostdlib', '-e', '_DllMain@12', '-Wl,--image-base=0x10000000', '-DEXTRA_EXPORT'], 'helper.dll');
    copyFileSync(mingwGuest(['test/guests/pe/missing-export.c'], ['-nostdlib', '-e', '_start', '-lkernel32', helper]), join(root, 'needs-helper.exe'));
    // helper.dll is not in the root: the child's loader cannot find it.
    const run = await runParent(root, 'parent.exe', ['run', 'needs-helper.exe', '']);
    expectExited(run, 0, 'parent.exe');
    expect(linesOf(run.stdout, 'child-exit')).toEqual([`child-exit ${0xc0000135}`]);
    expect(run.stderr).toContain('helper.dll');
  });

  for (const parent of ['parent.elf', 'parent.exe']) {
    it(`from ${parent}: a file that is no Win32 program fails CreateProcessA with ERROR_BAD_EXE_FORMAT; the parent goes on`, async () => {
      const root = makeRoot();
      const good = readFileSync(join(root, 'child.exe'));
      const nt = good.readUInt32LE(0x3c);
      writeFileSync(join(root, 'text.exe'), 'echo this is no program\r\n');
      writeFileSync(join(root, 'truncated.exe'), good.subarray(0, 0x40));                          // e_lfanew past the end
      const x64 = Buffer.from(good);
      x64.writeUInt16LE(0x8664, nt + 4);                                                            // IMAGE_FILE_MACHINE_AMD64
      writeFileSync(join(root, 'x64.exe'), x64);
      const dll = Buffer.from(good);
      dll.writeUInt16LE(dll.readUInt16LE(nt + 22) | 0x2000, nt + 22);                               // IMAGE_FILE_DLL
      writeFileSync(join(root, 'dll.exe'), dll);
      mkdirSync(join(root, 'folder.exe'));
      const names = ['text.exe', 'truncated.exe', 'x64.exe', 'dll.exe', 'missing.exe', 'folder.exe'];
      const run = await runParent(root, parent, ['bad', ...names]);
      expectExited(run, 0, parent);
      expect(linesOf(run.stdout, 'bad')).toEqual([
        'bad text.exe 193', 'bad truncated.exe 193', 'bad x64.exe 193', 'bad dll.exe 193',
        'bad missing.exe 2',                                                                        // ERROR_FILE_NOT_FOUND
        'bad folder.exe 5',                                                                         // ERROR_ACCESS_DENIED
      ]);
      expect(run.machine.processes()).toHaveLength(1);
    });
  }
});
