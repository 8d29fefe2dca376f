// Options a user gives on the command line, each checked where the user meets
// it: --trace's selections, --pagefile and --cflag.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { guestElf, runCli } from '../helpers/guests.js';

let firstTouch: string;
beforeAll(() => { firstTouch = guestElf('guest/examples/first-touch.c'); });

/** The kinds of trace line on stderr: '#PF' for faults, 'int' for system calls ("int 2e …", "int 80 …"). */
function traceLineKinds(stderr: string): Set<string> {
  return new Set(stderr.split('\n').map((line) => /^#\d+\s+\S+us pid=\d+ tid=\d+ (#PF|int) /.exec(line)?.[1]).filter((kind): kind is string => !!kind));
}

describe('--trace', () => {
  it.each([
    [['faults'], ['#PF']],
    [['syscalls'], ['int']],
    [['all'], ['#PF', 'int']],
    [['faults,syscalls'], ['#PF', 'int']],
  ])('%j prints exactly the kinds %j', (selection, kinds) => {
    const result = runCli(['run', ...selection.flatMap((s) => ['--trace', s]), firstTouch]);
    expect(result.status).toBe(0);
    expect([...traceLineKinds(result.stderr)].sort()).toEqual([...kinds].sort());
  });
});

describe('--pagefile', () => {
  it('raises the commit limit: 64 MiB of .bss does not fit in --ram 16M alone, and runs with --pagefile 128M', () => {
    const big = guestElf('test/guests/big-bss.c');
    expect(runCli(['run', '--ram', '16M', big]).status).toBe(126);
    const result = runCli(['run', '--ram', '16M', '--pagefile', '128M', big, 'touch']);
    // 16,384 pages of 1 written and summed through 4,096 frames of RAM.
    expect(result.stdout).toBe('started\ndone 16384\n');
    expect(result.status).toBe(0);
  });
});

describe('build --cflag', () => {
  it('reaches gcc: the macro only the flag defines is compiled in, and without it the build fails', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mmscope-cflag-'));
    const elf = join(directory, 'cflag.elf');
    expect(runCli(['build', 'test/guests/cflag.c', '-o', elf]).status).toBe(1);
    const built = runCli(['build', '--cflag', '-DMMS_VALUE=4242', 'test/guests/cflag.c', '-o', elf]);
    expect(built.status).toBe(0);
    const run = runCli(['run', elf]);
    expect(run.stdout).toBe('MMS_VALUE=4242\n');
    expect(run.status).toBe(0);
  });
});
