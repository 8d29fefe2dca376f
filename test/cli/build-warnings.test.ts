// mmscope build shows what gcc warns about even when the build succeeds:
// the warnings are the user's to see, not the toolchain's to drop.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGuest } from '../../src/toolchain/build-guest.js';
import { runCli } from '../helpers/guests.js';

const WARNS = `#include <stdio.h>
int main(void) {
  int unused = 42;
  printf("%d\\n", "not a number");
  return 0;
}
`;
const CLEAN = 'int main(void) { return 0; }\n';

describe('build warnings', () => {
  it('mmscope build prints gcc\'s warnings on stderr and still succeeds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmscope-warnings-'));
    writeFileSync(join(dir, 'warns.c'), WARNS);
    const result = runCli(['build', join(dir, 'warns.c'), '-o', join(dir, 'warns.elf')]);
    expect(result.status).toBe(0);
    expect(existsSync(join(dir, 'warns.elf'))).toBe(true);
    expect(result.stderr).toMatch(/warns\.c:3:\d+: warning: unused variable .unused. \[-Wunused-variable\]/);
    expect(result.stderr).toMatch(/warns\.c:4:\d+: warning: format .%d. expects argument of type .int./);
  });

  it('a clean build prints nothing; buildGuest returns the diagnostics to its caller', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmscope-warnings-'));
    writeFileSync(join(dir, 'clean.c'), CLEAN);
    writeFileSync(join(dir, 'warns.c'), WARNS);
    expect(runCli(['build', join(dir, 'clean.c'), '-o', join(dir, 'clean.elf')])).toMatchObject({ status: 0, stderr: '' });
    expect(buildGuest({ sources: [join(dir, 'clean.c')], output: join(dir, 'clean2.elf') }).diagnostics).toBe('');
    const { diagnostics } = buildGuest({ sources: [join(dir, 'warns.c')], output: join(dir, 'warns2.elf') });
    expect(diagnostics).toContain('warning: unused variable');
  });
});
