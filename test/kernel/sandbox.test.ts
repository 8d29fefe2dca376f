// The sandbox holds against a host that changes under it, special files and
// the host's pseudo file systems; without --root the guest only reads.
import { existsSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, guestElf, runCli, runGuest } from '../helpers/guests.js';
import type { TraceEvent } from '../../src/trace/events.js';

const ERROR_ACCESS_DENIED = 5;      // winerror.h
const ERROR_WRITE_PROTECT = 19;     // winerror.h: STATUS_MEDIA_WRITE_PROTECTED (0xC00000A2)
const probe = () => guestElf('test/guests/sandbox-probe.c');

/** A root with in.txt inside and a file outside it that a link can point at. */
function rootWithOutside(): { root: string; inside: string; outside: string } {
  const root = mkdtempSync(join(tmpdir(), 'mmscope-swap-root-'));
  const outside = join(mkdtempSync(join(tmpdir(), 'mmscope-swap-outside-')), 'secret.txt');
  writeFileSync(join(root, 'in.txt'), 'inside text\n');
  writeFileSync(outside, 'outside text\n');
  return { root, inside: join(root, 'in.txt'), outside };
}

/** Replaces the file by a link to `outside` as soon as the guest's NtCreateFile has succeeded. */
function swapAfterOpen(inside: string, outside: string): (event: TraceEvent) => void {
  let swapped = false;
  return (event) => {
    if (swapped || event.type !== 'syscall' || event.name !== 'NtCreateFile' || event.result !== 0) return;
    swapped = true;
    renameSync(inside, `${inside}.moved`);
    symlinkSync(outside, inside);
  };
}

describe('a name swapped for a link after the open', () => {
  it.each(['rw', 'ro'])('a %s view of the old handle reads the file that was opened and never reaches the outside file', async (mode) => {
    const { root, inside, outside } = rootWithOutside();
    const { runGuestWithSubscriber } = await subscriberRunner();
    const run = await runGuestWithSubscriber(probe(), ['map', 'C:\\in.txt', mode], { fileRoot: root }, swapAfterOpen(inside, outside));
    expect(readFileSync(inside, 'utf8')).toBe('outside text\n'); // the swap happened (through the link)
    expect(run.stdout).toBe('view: inside text\n');
    expect(run.outcome).toEqual({ reason: 'exited', exitStatus: 0 });
    expect(readFileSync(outside, 'utf8')).toBe('outside text\n');
    expect(readFileSync(`${inside}.moved`, 'utf8')).toBe(mode === 'rw' ? 'GUESTe text\n' : 'inside text\n');
  });
});

describe('special files', () => {
  it.each(['r', 'w'])('a FIFO opened for %s answers ERROR_ACCESS_DENIED at once instead of waiting for a writer', async (how) => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-fifo-'));
    expect(spawnSync('mkfifo', [join(root, 'fifo')]).status).toBe(0);
    const run = await runGuest(probe(), { args: ['open', 'C:\\fifo', how], machine: { fileRoot: root } });
    expect(run.stdout).toBe(`error ${ERROR_ACCESS_DENIED}\n`);
  });

  it('a Unix socket answers ERROR_ACCESS_DENIED', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-socket-'));
    const server = createServer();
    await new Promise<void>((done) => server.listen(join(root, 'socket'), done));
    try {
      const run = await runGuest(probe(), { args: ['open', 'C:\\socket', 'r'], machine: { fileRoot: root } });
      expect(run.stdout).toBe(`error ${ERROR_ACCESS_DENIED}\n`);
    } finally {
      server.close();
    }
  });
});

describe('host pseudo file systems under --root /', () => {
  const sysFile = ['/sys/kernel/mm/transparent_hugepage/enabled', '/sys/power/state', '/sys/kernel/uevent_seqnum'].find((path) => existsSync(path));
  it.each([
    ['C:\\proc\\self\\mem', 'w'],
    ['C:\\proc\\self\\status', 'r'],
    ['C:\\proc\\self\\fd\\0', 'r'],
    ...(sysFile ? [[`C:${sysFile.replace(/\//g, '\\')}`, 'r']] : []),
  ])('%s (%s) answers ERROR_ACCESS_DENIED', async (name, how) => {
    const run = await runGuest(probe(), { args: ['open', name!, how!], machine: { fileRoot: '/' } });
    expect(run.stdout).toBe(`error ${ERROR_ACCESS_DENIED}\n`);
  });

  it('a regular file under / still opens', async () => {
    const name = 'C:\\' + relative('/', join(PROJECT_ROOT, 'package.json')).replace(/\//g, '\\');
    const run = await runGuest(probe(), { args: ['open', name, 'r'], machine: { fileRoot: '/' } });
    expect(run.stdout).toBe('opened\n');
  });
});

describe('a read-only root', () => {
  it('reads; writing, truncating and creating answer ERROR_WRITE_PROTECT and change nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-readonly-'));
    writeFileSync(join(root, 'data.txt'), 'data\n');
    const machine = { fileRoot: root, fileRootReadOnly: true };
    expect((await runGuest(probe(), { args: ['open', 'C:\\data.txt', 'r'], machine })).stdout).toBe('opened\n');
    expect((await runGuest(probe(), { args: ['open', 'C:\\data.txt', 'w'], machine })).stdout).toBe(`error ${ERROR_WRITE_PROTECT}\n`);
    expect((await runGuest(probe(), { args: ['open', 'C:\\data.txt', 'c'], machine })).stdout).toBe(`error ${ERROR_WRITE_PROTECT}\n`);
    expect((await runGuest(probe(), { args: ['open', 'C:\\new.txt', 'c'], machine })).stdout).toBe(`error ${ERROR_WRITE_PROTECT}\n`);
    expect(readFileSync(join(root, 'data.txt'), 'utf8')).toBe('data\n');
    expect(existsSync(join(root, 'new.txt'))).toBe(false);
  });

  it('mmscope run without --root gives the current directory read-only and says that --root allows writes', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mmscope-cwd-'));
    const refused = runCli(['run', probe(), 'open', 'C:\\made.txt', 'c'], cwd);
    expect(refused.stdout).toBe(`error ${ERROR_WRITE_PROTECT}\n`);
    expect(refused.stderr).toContain('--root DIR allows writes');
    expect(existsSync(join(cwd, 'made.txt'))).toBe(false);
    const allowed = runCli(['run', '--root', '.', probe(), 'open', 'C:\\made.txt', 'c'], cwd);
    expect(allowed.stdout).toBe('opened\n');
    expect(existsSync(join(cwd, 'made.txt'))).toBe(true);
  });
});

/** runGuest with a trace subscriber that runs inside the guest's system call (the guest waits meanwhile). */
async function subscriberRunner() {
  const { Machine } = await import('../../src/kernel/machine.js');
  return {
    async runGuestWithSubscriber(elf: string, args: string[], machineOptions: { fileRoot: string }, subscriber: (event: TraceEvent) => void) {
      const machine = await Machine.create(machineOptions);
      try {
        machine.trace.subscribe(subscriber);
        machine.load({ name: elf, bytes: readFileSync(elf) }, args);
        const outcome = machine.run({ timeoutMs: 30_000 });
        machine.checkInvariants();
        return { outcome, stdout: machine.output.stdout };
      } finally {
        machine.dispose();
      }
    },
  };
}
