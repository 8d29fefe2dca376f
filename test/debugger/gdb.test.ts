// The GDB remote stub driven by Debian's gdb in batch mode against a real
// guest: breakpoints by symbol, continue, step, registers and memory, a
// watchpoint, monitor commands through the WinDbg engine, and the exit.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT, guestElf } from '../helpers/guests.js';

interface Finished { status: number | null; stdout: string; stderr: string }

function collect(child: ReturnType<typeof spawn>): Promise<Finished> {
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/**
 * Starts `mmscope run --gdb 127.0.0.1:0 ELF`, waits for its port, runs gdb
 * with `commands`, and returns both sides. `onGdbOutput` sees gdb's output
 * as it comes (stdout and stderr) with the gdb process.
 */
async function withGdb(elf: string, args: string[], commands: string[], onGdbOutput?: (seen: string, gdb: ReturnType<typeof spawn>) => void): Promise<{ gdb: Finished; mmscope: Finished }> {
  const mmscope = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'mmscope.js'), 'run', '--gdb', '127.0.0.1:0', elf, ...args], { cwd: PROJECT_ROOT });
  const mmscopeDone = collect(mmscope);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    mmscope.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      const match = /waiting for gdb on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    mmscope.on('close', () => reject(new Error(`mmscope ended before listening: ${seen}`)));
  });
  const gdb = spawn('gdb', ['-batch', '-nx', '-ex', 'set architecture i386', '-ex', `file ${elf}`, '-ex', `target remote 127.0.0.1:${port}`,
    ...commands.flatMap((c) => ['-ex', c])], { cwd: PROJECT_ROOT });
  const gdbDone = collect(gdb);
  if (onGdbOutput) {
    let seen = '';
    const watch = (d: Buffer): void => { seen += d.toString(); onGdbOutput(seen, gdb); };
    gdb.stdout!.on('data', watch);
    gdb.stderr!.on('data', watch);
  }
  const finished = await gdbDone;
  // gdb prints some messages ("Cannot access memory …") on stderr: read both, in one text.
  return { gdb: { ...finished, stdout: finished.stdout + finished.stderr }, mmscope: await mmscopeDone };
}

describe('the GDB remote stub, driven by Debian\'s gdb', () => {
  const elf = () => guestElf('test/guests/debuggee.c');

  it('breaks by symbol, reads registers and memory, steps, watches a global, runs monitor commands and reports the exit', async () => {
    const { gdb, mmscope } = await withGdb(elf(), [], [
      'break add_one', 'continue', 'info registers eip', 'bt', 'x/2xw $esp', 'stepi', 'p/x $pc',
      'monitor !pte 400000', 'monitor !vad', 'delete 1', 'watch *(int *)&counter', 'continue', 'p counter', 'delete 2', 'continue',
    ]);
    expect(gdb.stdout).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in add_one \(\)/);
    expect(gdb.stdout).toMatch(/eip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <add_one>/);
    expect(gdb.stdout).toMatch(/#1\s+0x[0-9a-f]+ in main \(\)/);
    expect(gdb.stdout).toMatch(/\$1 = 0x[0-9a-f]+/);
    expect(gdb.stdout).toMatch(/pfn [0-9a-f]+\s+-*A-*UWEV|pfn [0-9a-f]+\s+[-DA]+UREV/);
    expect(gdb.stdout).toContain('Total VADs:');
    expect(gdb.stdout).toMatch(/Hardware watchpoint 2: \*\(int \*\)&counter\s+Old value = 0\s+New value = 1/);
    expect(gdb.stdout).toContain('[Inferior 1 (Remote target) exited with code 03]');
    expect(mmscope.stdout).toContain('total 3 counter 3');
    expect(mmscope.status).toBe(3);
  });

  it('reading a page that is not present is an error to gdb and changes nothing; an access violation stops with SIGSEGV', async () => {
    const { gdb, mmscope } = await withGdb(elf(), ['fault'], [
      'monitor !memusage', 'x/4xb 0x50000000', 'x/4xb 0x10000', 'monitor !memusage', 'continue', 'x/i $pc', 'continue',
    ]);
    expect(gdb.stdout).toContain('Cannot access memory at address 0x50000000');
    // The bottom of the stack reservation is reserved, not committed: also an error, and no frame was taken.
    expect(gdb.stdout).toContain('Cannot access memory at address 0x10000');
    const usage = [...gdb.stdout.matchAll(/ loading PFN database\n((?:.*\n){6})/g)].map((m) => m[1]);
    expect(usage).toHaveLength(2);
    expect(usage[1]).toBe(usage[0]);
    expect(gdb.stdout).toMatch(/Program received signal SIGSEGV/);
    expect(gdb.stdout).toMatch(/=> 0x[0-9a-f]+ <main\+\d+>:\s+mov/);
    expect(gdb.stdout).toContain('exited with code 03');
    expect(mmscope.stdout).toContain('recovered');
  });

  it('gdb can neither read nor write kernel memory, nor write KUSER_SHARED_DATA (a user-mode stub: ptrace on Linux refuses kernel addresses too)', async () => {
    const { gdb, mmscope } = await withGdb(elf(), [], [
      'x/2xw 0x80000000', 'set var *(int *)0x80000008 = 0', 'x/xw 0xc0300000',
      'x/xw 0x7ffe026c', 'set var *(int *)0x7ffe026c = 5', 'x/xw 0x7ffe026c', 'continue',
    ]);
    expect(gdb.stdout).toContain('Cannot access memory at address 0x80000000');
    expect(gdb.stdout).toContain('Cannot access memory at address 0x80000008');
    expect(gdb.stdout).toContain('Cannot access memory at address 0xc0300000');
    expect(gdb.stdout).toContain('Cannot access memory at address 0x7ffe026c');
    // NtMajorVersion (KUSER_SHARED_DATA + 0x26c) stays 10 and the guest still runs to its end.
    expect(gdb.stdout.match(/0x7ffe026c:\s+0x0000000a/g)).toHaveLength(2);
    expect(gdb.stdout).toContain('[Inferior 1 (Remote target) exited with code 03]');
    expect(mmscope.status).toBe(3);
  });

  it('malformed packets get E01 and the stub goes on (they crashed mmscope with a stack trace); an unknown vCont action runs nothing', async () => {
    const mmscope = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'mmscope.js'), 'run', '--gdb', '127.0.0.1:0', elf()], { cwd: PROJECT_ROOT });
    const done = collect(mmscope);
    const port = await new Promise<number>((resolve) => {
      let seen = '';
      mmscope.stderr!.on('data', (d: Buffer) => { seen += d.toString(); const m = /127\.0\.0\.1:(\d+)/.exec(seen); if (m) resolve(Number(m[1])); });
    });
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    let received = '';
    socket.on('data', (d: string) => { received += d; });
    // Each packet framed with its checksum; the replies come in order, one each.
    const frame = (body: string): string => `$${body}#${([...body].reduce((sum, c) => sum + c.charCodeAt(0), 0) & 0xff).toString(16).padStart(2, '0')}`;
    const ask = async (body: string): Promise<string> => {
      received = '';
      socket.write(frame(body));
      for (let i = 0; i < 200 && !/\$[^#]*#[0-9a-f]{2}$/.test(received); i++) await new Promise((r) => setTimeout(r, 25));
      return /\$([^#]*)#/.exec(received)?.[1] ?? `(no reply: ${JSON.stringify(received)})`;
    };
    await new Promise((resolve) => socket.once('connect', resolve));
    for (const packet of ['m', 'mzz,4', 'm400000', 'M400000,4:zz', 'M400000,2:00', 'pzz', 'P0=zz', 'G00', 'Z0,zz,1', 'Z0,400000', 'vCont;q', 'vCont;', 'qXfer:features:read:target.xml:zz']) {
      expect(await ask(packet), packet).toBe('E01');
    }
    expect(await ask('m400000,4')).toBe('7f454c46'); // still serving: the ELF header
    expect(await ask('?')).toBe('S05');             // and the guest has not run
    expect(await ask('c')).toBe('W03');
    socket.end();
    const finished = await done;
    expect(finished.status).toBe(3);
    expect(finished.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it('x87 and SSE registers are the guest\'s: st0, st1, the control, status and tag words, xmm0, mxcsr', async () => {
    // fpu-state.c: finit; fldpi; fld1 (ST0 = 1, ST1 = pi, TOP = 6: two pushes from 0); XMM0 = {1, 2, 3, 4}; MXCSR = 0x7f80.
    const { gdb } = await withGdb(guestElf('test/guests/fpu-state.c'), [], [
      'break fpu_ready', 'continue', 'p $st0', 'p $st1', 'p/x $fctrl', 'p/x ($fstat >> 11) & 7', 'p/x $ftag', 'p $xmm0.v4_float', 'p/x $mxcsr', 'continue',
    ]);
    expect(gdb.stdout).toMatch(/\$1 = 1\n/);
    expect(gdb.stdout).toMatch(/\$2 = 3\.14159265358979323\d*\n/);
    expect(gdb.stdout).toContain('$3 = 0x37f\n'); // FNINIT's control word (Intel SDM vol. 1, 8.1.5)
    expect(gdb.stdout).toContain('$4 = 0x6\n');
    expect(gdb.stdout).toContain('$5 = 0xfff\n'); // ST(7) and ST(6) physical registers valid (00), the other six empty (11)
    expect(gdb.stdout).toContain('$6 = {1, 2, 3, 4}\n');
    expect(gdb.stdout).toContain('$7 = 0x7f80\n');
    expect(gdb.stdout).toContain('exited normally');
  });

  it('Ctrl-C while the guest runs (gdb sends 0x03) stops it with SIGINT where it is; kill then ends it', async () => {
    let interrupted = false;
    const { gdb, mmscope } = await withGdb(guestElf('test/guests/spin.asm'), [], ['set debug remote 1', 'continue', 'set debug remote 0', 'p/x $pc', 'monitor u eip L1', 'kill'], (seen, child) => {
      // Once gdb has asked the stub to continue, the guest spins (no trap at all): interrupt gdb as a terminal's Ctrl-C would.
      if (!interrupted && /Sending packet: \$(vCont;c|c)[#:;]/.test(seen)) { interrupted = true; setTimeout(() => child.kill('SIGINT'), 500); }
    });
    expect(interrupted).toBe(true);
    expect(gdb.stdout).toContain('Program received signal SIGINT, Interrupt.');
    expect(gdb.stdout).toMatch(/\$1 = 0x[0-9a-f]+\n/);
    expect(gdb.stdout).toMatch(/!main:\n[0-9a-f]{8} eb ?fe +jmp/); // spin.asm is `main: jmp main`
    expect(gdb.stdout).toContain('[Inferior 1 (Remote target) killed]');
    expect(mmscope.status).toBe(0);
  });
});
