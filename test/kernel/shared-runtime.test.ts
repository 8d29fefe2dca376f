// The runtime sources the SDK's static library shares with kernel32.dll and
// msvcrt.dll: the C runtime's streams (guest/runtime/stdio.c, low-io.c) put
// on disk byte for byte what msvcrt writes (text mode "\r\n") and the
// console streams carry exactly what printf and fprintf(stderr) format;
// kernel32's critical sections, TLS, code pages and start-up information
// answer as Windows documents them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../helpers/guests.js';

describe('stdio on files', () => {
  it('text and binary modes, ftell, fgets/fread/fgetc/ungetc, fseek, append, ENOENT: as msvcrt', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mmscope-stdio-'));
    const run = await runChecks('test/guests/stdio-files.c', [], { fileRoot: root }, 24);
    expect(readFileSync(join(root, 'text.txt'), 'latin1')).toBe('line 1\r\nsecond\r\nx');
    expect(readFileSync(join(root, 'binary.bin'), 'latin1')).toBe('a\nb\nc');
    expect(run.stderr).toBe('to stderr through fprintf\n');
  });
});

describe('kernel32 for the C runtime', () => {
  it('critical sections, TLS slots, Windows-1252 and UTF-8 conversions, GetStartupInfoA; exit runs atexit functions last first', async () => {
    const run = await runChecks('test/guests/win32-runtime.c', [], {}, 34);
    expect(run.stdout.split('\n').slice(-3)).toEqual(['atexit: registered second, runs first', 'atexit: registered first, runs last', '']);
  });
});
