// The debugger's command engine on real guests: execution control,
// breakpoints, event filters, inspection in WinDbg's layouts, and the rule
// that looking never changes what is looked at.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { guestElf } from '../helpers/guests.js';
import { Machine, type MachineOptions } from '../../src/kernel/machine.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { PROJECT_ROOT } from '../helpers/guests.js';
import { DebugSession } from '../../src/debugger/session.js';
import { CommandEngine } from '../../src/debugger/commands.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';

interface Debugging { machine: Machine; session: DebugSession; engine: CommandEngine; run: (line: string) => string }

async function debug(source: string, args: string[], body: (d: Debugging) => void | Promise<void>, options: MachineOptions = {}): Promise<void> {
  const elf = guestElf(source);
  const bytes = readFileSync(elf);
  const machine = await Machine.create(options);
  try {
    machine.load({ name: elf, bytes }, args);
    const session = new DebugSession(machine, elf, bytes);
    const engine = new CommandEngine(session);
    const start = engine.describeStop(session.start());
    expect(start).toContain('Initial break');
    await body({ machine, session, engine, run: (line) => engine.execute(line).output });
  } finally {
    machine.dispose();
  }
}

const eip = (machine: Machine): number => machine.registers(['EIP']).EIP!;
const moduleOf = (source: string): string => guestElf(source).replace(/^.*\//, '').replace(/\.[^.]*$/, '');

describe('the seed\'s experiment, as a WinDbg session', () => {
  it('reserve: !vad shows Commit 0; commit: Commit 1 and !pte DemandZero; the write: a valid, dirty PTE', async () => {
    const rc = moduleOf('guest/examples/reserve-commit.c');
    await debug('guest/examples/reserve-commit.c', [], ({ run, machine }) => {
      expect(run(`bp ${rc}!main; g`)).toContain('Breakpoint 0 hit');
      run('sxe vad; sxe commit; sxe pf:210000-21ffff');
      expect(run('g')).toContain("mmscope event 'vad'");
      const reserved = run('!vad 210000');
      expect(reserved).toMatch(/^VAD     level      start      end    commit\n[0-9a-f]{8} \(\s*\d\)\s+210\s+21f\s+0 Private      READWRITE$/);
      // The first column is the VAD's address, which !vad takes back (WinDbg's form); the whole tree lists it too.
      const vadAddress = reserved.split('\n')[1]!.slice(0, 8);
      expect(Number.parseInt(vadAddress, 16)).toBeGreaterThanOrEqual(0x80000000);
      expect(run(`!vad ${vadAddress}`)).toBe(reserved);
      expect(run('!vad')).toContain(reserved.split('\n')[1]);
      expect(run('!vad')).toMatch(/\n[0-9a-f]{8} \(\s*\d\)\s+400\s+[0-9a-f]+\s+\d+ Mapped  Exe  EXECUTE_WRITECOPY  /); // WinDbg's columns for an image
      expect(run('!vad')).toMatch(/\n\nTotal VADs: +\d+  average level: +\d+  maximum depth: \d+\n/);
      expect(run(`!vad ${vadAddress} 1`)).toMatch(new RegExp(`^VAD @ ${vadAddress}\n  Start VPN: +210  End VPN: +21f  Control Area:  00000000\n.*Commit Charge +0 \\(0n0\\)\n   PrivateMemory`));
      expect(run('g')).toContain("mmscope event 'commit'");
      expect(run('!vad 210000')).toMatch(/210\s+21f\s+1 Private/);
      const demandZero = run('!pte 210000');
      // MM_READWRITE (4) in the protection field (bits 5-9): 0x80, not valid.
      expect(demandZero).toContain('contains 00000080');
      expect(demandZero).toMatch(/not valid\s+DemandZero\s+Protect: ReadWrite/);
      expect(run('db 210000 L4')).toBe(`00210000  ${'?? ?? ?? ??'.padEnd(47)}  ????`); // WinDbg: a 47-column byte field, two spaces, the characters
      const fault = run('g');
      expect(fault).toMatch(/Page fault at 00210000 \(write, user mode, page not present\) resolved: demand-zero/);
      expect(run('.lastfault')).toContain('#PF 0x00210000');
      run('t');
      const valid = run('!pte 210000');
      expect(valid).toMatch(/pfn [0-9a-f]+\s+---DA--UWEV/);
      expect(machine.inspect(0x210000, 1)).toEqual([0x41]);
    });
  });
});

describe('execution control', () => {
  const source = 'test/guests/debuggee.c';
  it('bp by symbol, bl/bd/be/bc, p over a call, t into it, gu back out, k', async () => {
    const m = moduleOf(source);
    await debug(source, [], ({ run, machine, session }) => {
      const addOne = session.symbols.resolve(`${m}!add_one`)!;
      run(`bp ${m}!add_one; bp ${m}!main`);
      expect(run('bl')).toMatch(/ 0 e [0-9a-f]{8} .*!add_one\n 1 e [0-9a-f]{8} .*!main$/);
      run('bd 0');
      expect(run('bl')).toMatch(/ 0 d /);
      expect(run('g')).toContain('Breakpoint 1 hit');
      run('be 0');
      expect(run('g')).toContain('Breakpoint 0 hit');
      expect(eip(machine)).toBe(addOne);
      expect(run('k')).toMatch(/ChildEBP RetAddr\s*\n[0-9a-f]{8} [0-9a-f]{8} .*!add_one\n[0-9a-f]{8} [0-9a-f]{8} .*!main/);
      const caller = run('gu');
      expect(caller).toMatch(/!main\+0x[0-9a-f]+:/);
      run('bc *');
      expect(run('bl')).toBe('');
      // Step until the next call to add_one, then p steps over it and t into it.
      let line = '';
      for (let i = 0; i < 50 && !/call\s+[0-9a-f]{8} \(.*!add_one\)/.test(line); i++) line = run('t');
      const call = session.machine.disassemble(eip(machine), 1)[0]!;
      expect(call.text).toMatch(/^call/);
      run('p');
      expect(eip(machine)).toBe(call.address + call.bytes.length);
      line = '';
      for (let i = 0; i < 50 && !/call\s+[0-9a-f]{8} \(.*!add_one\)/.test(line); i++) line = run('t');
      run('t');
      expect(eip(machine)).toBe(addOne);
    });
  });

  it('ba w stops after the instruction that wrote the global; ba e stops at code', async () => {
    const m = moduleOf(source);
    await debug(source, [], ({ run, session, machine }) => {
      const counter = session.symbols.resolve(`${m}!counter`)!;
      run(`ba w4 ${m}!counter`);
      const hit = run('g');
      expect(hit).toContain('Breakpoint 0 hit');
      expect(session.lastStop?.reason).toMatchObject({ kind: 'watchpoint', write: true, accessAddress: counter });
      // Stopped after the write: the instruction before EIP is in add_one.
      expect(session.symbols.format(eip(machine))).toMatch(/!add_one\+/);
      run('bc 0');
      run(`ba r4 ${m}!counter`);
      expect(run('g')).toContain('Breakpoint 0 hit');
      expect(session.lastStop?.reason).toMatchObject({ kind: 'watchpoint', accessAddress: counter });
      run('bc 0');
      run(`ba e1 ${m}!add_one`);
      expect(run('bl')).toMatch(/^ 0 e [0-9a-f]{8}     e 1 /); // the lowest free number, as WinDbg
      expect(run('g')).toContain('Breakpoint 0 hit');
      expect(eip(machine)).toBe(session.symbols.resolve(`${m}!add_one`));
    });
  });

  it('k at the entry point shows the one frame (EBP is 0, off the stack: the walk ends there, as WinDbg\'s)', async () => {
    await debug(source, [], ({ run }) => {
      expect(run('k').split('\n')).toEqual(['ChildEBP RetAddr  ', expect.stringMatching(/^[0-9a-f]{8} [0-9a-f]{8} .*!_start$/)]);
      run('t'); // xor ebp, ebp: no frame at all now
      expect(run('k').split('\n')).toEqual(['ChildEBP RetAddr  ', expect.stringMatching(/^00000000 \?{8} .*!_start\+0x2$/)]);
    });
  });

  it('pt steps over calls to the ret of main; tt traces into add_one and stops at its ret; k there names main', async () => {
    const m = moduleOf(source);
    await debug(source, [], ({ run, machine, session }) => {
      run(`bp ${m}!main; g; bc *`);
      const main = eip(machine);
      run('tt');
      expect(machine.inspect(eip(machine), 1)).toEqual([0xc3]); // ret
      expect(session.symbols.format(eip(machine))).toMatch(/!add_one\+0x[0-9a-f]+$/);
      expect(run('k')).toMatch(/!add_one\+0x[0-9a-f]+\n[0-9a-f]{8} [0-9a-f]{8} .*!main\+0x[0-9a-f]+$/);
      expect(machine.output.stdout).toBe('');
      run(`g ${main.toString(16)}`); // not reached again: the process ends
      expect(session.ended).toBe(true);
    });
    await debug(source, [], ({ run, machine, session }) => {
      run(`bp ${m}!main; g; bc *`);
      run('pt');
      expect(machine.inspect(eip(machine), 1)).toEqual([0xc3]);
      expect(session.symbols.format(eip(machine))).toMatch(/!main\+0x[0-9a-f]+$/);
      expect(machine.output.stdout).toBe('total 3 counter 3\n'); // the calls ran, stepped over
    });
  });

  it('sxe av stops at the faulting instruction before the handler runs; g passes it to the guest', async () => {
    await debug(source, ['fault'], ({ run, machine }) => {
      const stop = run('g');
      expect(stop).toContain('Access violation - code c0000005 (first chance)');
      expect(machine.disassemble(eip(machine), 1)[0]!.text).toMatch(/dword ptr \[/);
      const end = run('g');
      expect(end).toContain('exited with status 00000003');
      expect(machine.output.stdout).toContain('recovered');
    });
  });

  it('an access violation no handler takes stops again at second chance (av is sxe: first chance too); g then ends the process', async () => {
    await debug(source, ['crash'], ({ run, machine, session }) => {
      expect(run('g')).toContain('(1.1): Access violation - code c0000005 (first chance)');
      const faulting = eip(machine);
      const second = run('g');
      expect(second).toMatch(/^\(1\.1\): Access violation - code c0000005 \(!!! second chance !!!\)\neax=/);
      expect(second).not.toContain('First chance exceptions');
      expect(eip(machine)).toBe(faulting); // the exception's context, at the faulting instruction
      expect(session.lastStop?.reason).toMatchObject({ kind: 'exception', firstChance: false, report: { code: 0xc0000005, address: 0x50000000 } });
      expect(session.ended).toBe(false);
      expect(run('g')).toMatch(/The process ended: .*c0000005/i);
      expect(machine.outcome()).toMatchObject({ reason: 'exception', exitStatus: 0xc0000005 });
    });
  });

  it('sxd av: no first-chance stop (its line is printed), the second chance stops; sxi av: no stop at all', async () => {
    await debug(source, ['crash'], ({ run, machine }) => {
      run('sxd av');
      const stop = run('g');
      expect(stop).toMatch(/^\(1\.1\): Access violation - code c0000005 \(first chance\)\n\(1\.1\): Access violation - code c0000005 \(!!! second chance !!!\)\n/);
      expect(machine.disassemble(eip(machine), 1)[0]!.text).toMatch(/dword ptr \[/);
    });
    await debug(source, ['crash'], ({ run, machine }) => {
      run('sxi av');
      expect(run('g')).toMatch(/^The process ended: .*c0000005/i);
      expect(machine.outcome()).toMatchObject({ reason: 'exception', exitStatus: 0xc0000005 });
    });
  });

  it('sxd av lets the guest handle it without a stop; after the exit, g says no debuggee', async () => {
    await debug(source, ['fault'], ({ run }) => {
      run('sxd av');
      expect(run('g')).toContain('exited with status 00000003');
      expect(run('g')).toBe("^ No runnable debuggees error in 'g'");
    });
  });
});

describe('inspection', () => {
  const source = 'test/guests/debuggee.c';
  it('r, r eax=…, expressions with poi and 0n, x, ln, dps, lm', async () => {
    const m = moduleOf(source);
    await debug(source, [], ({ run, session, machine }) => {
      run(`bp ${m}!add_one; g`);
      expect(run('r')).toMatch(/^eax=[0-9a-f]{8} ebx=.*\neip=.*\ncs=001b  ss=0023/);
      run('r eax=1234');
      expect(run('r eax')).toBe('eax=00001234');
      expect(machine.registers(['EAX']).EAX).toBe(0x1234);
      expect(run('? 0n10 + 10')).toBe('Evaluate expression: 26 = 0000001a');
      const returnAddress = session.readDword(machine.registers(['ESP']).ESP!)!;
      expect(run('? poi(esp)')).toContain(returnAddress.toString(16).padStart(8, '0'));
      expect(run(`x ${m}!add_*`)).toMatch(new RegExp(`[0-9a-f]{8}\\s+${m}!add_one`));
      expect(run('ln eip')).toContain(`${m}!add_one`);
      expect(run('dps esp L1')).toMatch(new RegExp(`${m}!main\\+0x`));
      expect(run('lm')).toMatch(new RegExp(`00400000 [0-9a-f]{8}\\s+${m}`));
      expect(run('u eip L2').split('\n')).toHaveLength(3);
    });
  });

  it('!address, !address -summary, !memusage, !pfn, !handle, !peb, !teb in WinDbg\'s layouts', async () => {
    await debug('guest/examples/reserve-commit.c', [], ({ run, machine }) => {
      run('sxe commit; g; g');
      const all = run('!address').split('\n');
      expect(all[0]).toBe('  BaseAddr EndAddr+1 RgnSize     Type       State                 Protect             Usage');
      expect(all).toContain('+        0    10000    10000             MEM_FREE    PAGE_NOACCESS                      Free'); // the first 64 KiB are never allocated
      expect(all).toContain('+ 7ffdf000 7ffe0000     1000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     PEB');
      // The 64 KiB reservation with its first page committed: two regions of one allocation.
      expect(all).toContain('+   210000   211000     1000 MEM_PRIVATE MEM_COMMIT  PAGE_READWRITE                     <unknown>');
      expect(all).toContain('    211000   220000     f000 MEM_PRIVATE MEM_RESERVE                                    <unknown>');
      const info = run('!address 210000');
      expect(info).toMatch(/Base Address:\s+00210000/);
      expect(info).toMatch(/State:\s+00001000\s+MEM_COMMIT/);
      expect(info).toMatch(/Type:\s+00020000\s+MEM_PRIVATE/);
      const summary = run('!address -summary');
      for (const block of ['--- Usage Summary', '--- Type Summary (for busy)', '--- State Summary', '--- Protect Summary (for commit)']) expect(summary).toContain(block);
      expect(summary).toMatch(/MEM_FREE\s+\d+/);
      // Free memory is not busy: WinDbg leaves its %ofBusy blank and gives only %ofTotal.
      const free = summary.split('\n').find((line) => line.startsWith('Free '))!;
      expect(free.match(/%/g)).toHaveLength(1);
      expect(summary.split('\n').find((line) => line.startsWith('Stack '))!.match(/%/g)).toHaveLength(2);
      const counts = machine.frameCounts();
      expect(run('!memusage')).toMatch(new RegExp(`Active/Valid:\\s+${counts.active} `));
      const stackTop = machine.pte(machine.registers(['ESP']).ESP!);
      expect(run(`!pfn ${stackTop.pfn!.toString(16)}`)).toMatch(/share count 00000001\s+pteaddress C0000/);
      expect(run('!handle')).toMatch(/\d+ Handles/);
      expect(run('!peb')).toMatch(/ImageBaseAddress:\s+00400000/);
      expect(run('!teb')).toMatch(/Self:\s+7ffde000/);
    });
  });

  it('never changes what it inspects: PTEs, frame counts, fault counts and commit are the same after every command', async () => {
    await debug('guest/examples/reserve-commit.c', [], ({ run, machine }) => {
      run('sxe commit; g; g');
      const esp = machine.registers(['ESP']).ESP!;
      const watched = [0x210000, 0x211000, 0x400000, esp, (esp & ~0xfff) - 0x1000, 0x7ffdf000, 0x10000];
      const state = () => ({
        ptes: watched.map((a) => machine.pte(a).pte),
        frames: machine.frameCounts(),
        faults: machine.faultCounts(),
        commit: machine.commit(),
      });
      const before = state();
      for (const command of [
        'db 210000', 'dw 211000', 'dd 10000', 'dc esp', 'da 400000', 'du 210000', 'dps esp', 'u eip', 'k', 'r',
        '!pte 210000', '!pte 211000', '!vad', '!vad 210000 1', '!address 210000', '!address', '!address -summary', '!memusage',
        '!peb', '!teb', '!handle', 'lm', `db ${((esp & ~0xfff) - 0x1000).toString(16)}`, '? poi(esp)',
      ]) {
        run(command);
        expect(state(), command).toEqual(before);
      }
      expect(run('db 210000 L2')).toBe(`00210000  ${'?? ??'.padEnd(47)}  ??`);
    });
  });
});

describe('more commands on real guests', () => {
  it('eb/ed write into a resident page and db/dd/dw/dc/da show it; a page that is not present refuses the write', async () => {
    await debug('guest/examples/reserve-commit.c', [], ({ run }) => {
      run('sxe pf:210000-21ffff; g; t');
      expect(run('ed 210004 64636261')).toBe('');
      expect(run('eb 210008 41 42 0')).toBe('');
      expect(run('dd 210004 L1')).toBe('00210004  64636261');
      expect(run('dw 210004 L2')).toBe('00210004  6261 6463');
      expect(run('da 210004')).toBe('00210004  "abcdAB"');
      expect(run('dc 210000 L4')).toMatch(/^00210000  00000041 64636261 00004241 00000000  A...abcdAB\.\.\.\.\.\.$/);
      expect(run('eb 211000 1')).toBe("Memory access error at '00211000'");
      expect(run('eb 210010 68 0 69 0 0 0')).toBe('');
      expect(run('du 210010')).toBe('00210010  "hi"'); // UTF-16LE 'h', 'i', then the terminator
    });
  });

  it('a user-mode debugger sees no kernel memory: kernel-space bytes print ??, edits there and on KUSER_SHARED_DATA are refused', async () => {
    // cdb on a process reads through ReadProcessMemory: kernel space (0x80000000 up: here the GDT, the page
    // directory) is STATUS_PARTIAL_COPY, shown as ??; KUSER_SHARED_DATA is readable at 0x7ffe0000 but no write reaches it.
    await debug('guest/examples/reserve-commit.c', [], ({ run }) => {
      expect(run('db 80000000 L8')).toBe('80000000  ?? ?? ?? ?? ?? ?? ?? ??                          ????????');
      expect(run('dd c0300000 L1')).toBe('c0300000  ????????');
      expect(run('dd 7ffffffc L2')).toBe('7ffffffc  ???????? ????????');
      // NtMajorVersion at 0x26c of KUSER_SHARED_DATA: 10, as the README's table says.
      expect(run('dd 7ffe026c L1')).toBe('7ffe026c  0000000a');
      expect(run('ed 7ffe026c 5')).toBe("Memory access error at '7ffe026c'");
      expect(run('dd 7ffe026c L1')).toBe('7ffe026c  0000000a');
      expect(run('ed 80000000 0')).toBe("Memory access error at '80000000'");
      expect(run('? poi(80000000)')).toBe("Memory access error at '80000000'");
    });
  });

  it('sxe sys:NAME stops after that system call; sxe commit / decommit when the charge goes up / down; the exit ends the session', async () => {
    await debug('guest/examples/reserve-commit.c', [], ({ run, machine }) => {
      run(`bp ${moduleOf('guest/examples/reserve-commit.c')}!main; g; bc *`);
      expect(run('sxe sys:NtAllocateVirtualMemory; g')).toMatch(/System call NtAllocateVirtualMemory returned STATUS_SUCCESS/);
      run('sxi sys; sxe commit');
      const reserved = machine.commit().processPages;
      expect(run('g')).toContain("mmscope event 'commit'");
      expect(machine.commit().processPages).toBe(reserved + 1);
      run('sxi commit; sxe decommit');
      expect(run('g')).toContain("mmscope event 'decommit'");
      expect(machine.commit().processPages).toBe(reserved);
      expect(run('sx')).toMatch(/decommit - Commit returned \(mmscope\) - break/);
      expect(run('g')).toContain('ExitProcess: the process exited with status 00000000');
    });
  });

  it('lm lists the image from the VAD walk; !heap -s the process heap (1 MiB reserved, one segment); bu', async () => {
    await debug('test/guests/debuggee.c', [], ({ run }) => {
      expect(run('lm')).toMatch(/^start    end        module name\n00400000 /);
      expect(run('!heap -s')).toMatch(/^ {2}Heap {5}Flags {3}Reserv {2}Commit {2}Segments/);
      run(`bu ${moduleOf('test/guests/debuggee.c')}!add_one; g`);
      expect(run('!heap -s')).toMatch(/\n00110000 [0-9a-f]{8}\s+1024\s+\d+\s+1$/);
    });
  });
});

describe('modules', () => {
  it('sxe ld stops when LoadLibraryA maps a module, whose symbols x then finds; lm marks the program once it unlinked itself from PEB.Ldr', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-debug-modules-'));
    buildGuest({ sources: [join(PROJECT_ROOT, 'guest/examples/hello.c')], output: join(root, 'plugin.elf'), imageBase: 0x10000000 });
    const program = moduleOf('guest/examples/hidden-module.c');
    await debug('guest/examples/hidden-module.c', [], ({ run }) => {
      expect(run('sxe ld; g')).toMatch(/System call NtMapViewOfSection returned STATUS_SUCCESS.*mmscope event 'ld'/);
      expect(run('x plugin!main')).toMatch(/^10000[0-9a-f]{3}\s+plugin!main$/m);
      const before = run('lm');
      expect(before).toMatch(/^10000000 [0-9a-f]{8}\s+plugin\s+\(elf symbols\)/m);
      run('sxi ld; g');
      const after = run('lm');
      expect(after).toMatch(new RegExp(`^00400000 [0-9a-f]{8}\\s+${program.replace(/[-]/g, '\\-')}.*\\(not in PEB\\.Ldr: found by the VAD walk only\\)$`, 'm'));
      expect(after).not.toMatch(/plugin.*not in PEB/);
    }, { fileRoot: root });
  });
});

describe('event filters on real guests', () => {
  const instruction = (machine: Machine): string => machine.disassemble(eip(machine), 1)[0]!.text;

  it('ii (on by default) stops at the ud2 with WinDbg\'s line; g passes it on, no handler takes it: second chance; g ends the process', async () => {
    await debug('test/guests/cpu-exceptions.c', ['ud2'], ({ run, machine }) => {
      expect(run('g')).toContain('Illegal instruction - code c000001d (first chance)');
      expect(instruction(machine)).toMatch(/^ud2/);
      expect(run('g')).toContain('(1.1): Illegal instruction - code c000001d (!!! second chance !!!)'); // no handler took it
      expect(instruction(machine)).toMatch(/^ud2/);
      expect(run('g')).toMatch(/The process ended: .*c000001d/i);
    });
  });

  it('gp (output by default) does not stop; sxe gp stops at the instruction that touched the guard page', async () => {
    await debug('test/guests/exceptions-veh.c', [], ({ run, machine, session }) => {
      run('sxe gp');
      const stop = run('g');
      expect(stop).toContain('Guard page violation - code 80000001 (first chance)');
      expect(session.lastStop?.reason).toMatchObject({ kind: 'exception', report: { code: 0x80000001 } });
      expect(instruction(machine)).toMatch(/byte ptr \[/);
      run('sxn gp; sxd av; sxd bpe; sxd dz'); // the guest goes on to raise and handle AVs, an int3 and a divide by zero
      expect(run('g')).toMatch(/\(1\.1\): Guard page violation - code 80000001 \(first chance\)[\s\S]*exited with status 00000000/);
    });
  });

  it('sov (on by default) stops at the push or call that reached the last guard page of the stack', async () => {
    await debug('test/guests/stack-growth.c', ['overflow'], ({ run, machine, session }) => {
      expect(run('g')).toContain('Stack overflow - code c00000fd (first chance)');
      expect(session.symbols.format(eip(machine))).toMatch(/!recurse\+/);
      expect(session.lastStop?.reason).toMatchObject({ kind: 'exception', report: { eip: eip(machine), write: true } });
      expect(run('g')).toContain('exited with status 00000000');
    });
  });

  it('sxe epr stops at ExitProcess with the exit status; g then ends the session', async () => {
    await debug('test/guests/debuggee.c', [], ({ run, session }) => {
      run('sxe epr');
      const stop = run('g');
      expect(stop).toMatch(/^ExitProcess: status 00000003\n/); // debuggee.c returns 3
      expect(stop).toMatch(/NtTerminateProcess\+/);
      expect(session.ended).toBe(false);
      expect(run('g')).toContain('exited with status 00000003');
    });
  });

  it('sxe ud stops when the last FreeLibrary unmaps the module, naming it as WinDbg does; its symbols are gone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-debug-unload-'));
    buildGuest({ sources: [join(PROJECT_ROOT, 'guest/examples/hello.c')], output: join(root, 'plugin.elf'), imageBase: 0x10000000 });
    await debug('test/guests/modules.c', [], ({ run }) => {
      run('sxe ud');
      expect(run('g')).toMatch(/Unload module .*plugin\.elf at 10000000[\s\S]*System call NtUnmapViewOfSection returned STATUS_SUCCESS \(0x00000000\) - mmscope event 'ud'/);
      expect(run('x plugin!main')).toBe('');
      expect(run('lm')).not.toMatch(/plugin/);
    }, { fileRoot: root });
  });
});

describe('a PE program (mingw-w64), which starts in ntdll\'s loader', () => {
  async function debugPe(cpr: boolean, body: (d: Debugging & { first: string }) => void,
    exe = mingwGuest(['test/guests/pe/sections.c'], ['-nostdlib', '-e', '_start'])): Promise<void> {
    const bytes = readFileSync(exe);
    const machine = await Machine.create({ systemDllDirectory: systemDllDirectory() });
    try {
      machine.load({ name: exe, bytes });
      const session = new DebugSession(machine, exe, bytes);
      const engine = new CommandEngine(session);
      if (cpr) engine.execute('sxe cpr');
      const first = engine.describeStop(session.start());
      body({ machine, session, engine, first, run: (line) => engine.execute(line).output });
    } finally {
      machine.dispose();
    }
  }
  // The PE header's AddressOfEntryPoint (e_lfanew at 0x3c; the optional header's field 16 bytes past its start) and ImageBase.
  const entryOf = (exe: Uint8Array): number => {
    const view = new DataView(exe.buffer, exe.byteOffset);
    const optional = view.getUint32(0x3c, true) + 24;
    return (view.getUint32(optional + 28, true) + view.getUint32(optional + 16, true)) >>> 0;
  };

  it('sxe cpr: the first stop is ntdll!LdrInitializeThunk with no process heap yet; g: the initial break at the entry point, the heap made', async () => {
    await debugPe(true, ({ first, run, machine }) => {
      expect(first).toContain("Create process");
      expect(first).toMatch(/\nntdll!LdrInitializeThunk:\n/); // ntdll's exports are its symbols
      expect(run('!heap -s')).toContain('no process heap');
      expect(run('lm')).toMatch(/7c900000 [0-9a-f]{8}   ntdll +\(export symbols\)/);
      const initial = run('g');
      expect(initial).toContain("Initial break at the program's entry point (ntdll's loader has run)");
      expect(initial).not.toMatch(/ModLoad: 00400000/); // said at the first stop
      const exe = readFileSync(mingwGuest(['test/guests/pe/sections.c'], ['-nostdlib', '-e', '_start']));
      expect(eip(machine)).toBe(entryOf(exe));
      expect(initial).toMatch(/\nsections\+0x[0-9a-f]+:\n/); // no symbols in the program: module+offset, as WinDbg
      expect(run('!heap -s')).toMatch(/\n[0-9a-f]{8} [0-9a-f]{8} +\d+ +\d+ +1$/);
    });
  });

  it('a stock mingw-w64 hello: one ModLoad line per module in cdb\'s order; bp on a forwarded export breaks at its target', async () => {
    const exe = mingwGuest(['guest/examples/hello.c']);
    await debugPe(false, ({ first, run }) => {
      // The program and ntdll (mapped when the process was created), then the DLLs ntdll's loader mapped; each once.
      expect(first.split('\n').filter((line) => line.startsWith('ModLoad:')).map((line) => line.replace(/^ModLoad: [0-9a-f]{8} [0-9a-f]{8}   /, ''))).toEqual([
        exe, 'C:\\Windows\\System32\\ntdll.dll', 'C:\\Windows\\System32\\KERNEL32.dll', 'C:\\Windows\\System32\\msvcrt.dll',
      ].map((name) => expect.stringMatching(new RegExp(`^${name.replace(/[\\.]/g, '\\$&')}$`, 'i'))));
      // kernel32's HeapAlloc is a forwarder to NTDLL.RtlAllocateHeap, as Windows' is: the breakpoint lands on the code.
      expect(run('bp kernel32!HeapAlloc; bl')).toMatch(/^ 0 e 7c9[0-9a-f]{5} +0001 \(0001\)  0:\*\*\*\* ntdll!RtlAllocateHeap$/);
      expect(run('g')).toMatch(/Breakpoint 0 hit\n[^]*\nntdll!RtlAllocateHeap:\n/);
    }, exe);
  });

  it('without cpr the first stop is the initial break at the entry point', async () => {
    await debugPe(false, ({ first, machine }) => {
      expect(first).toContain("Initial break at the program's entry point (ntdll's loader has run)");
      expect(first).not.toContain('Create process');
      expect(eip(machine)).toBe(entryOf(readFileSync(mingwGuest(['test/guests/pe/sections.c'], ['-nostdlib', '-e', '_start']))));
    });
  });
});
