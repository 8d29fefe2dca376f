// The npm scripts in tools/ (bench, demo, schema, …) are not run by the
// suite — the benchmark takes minutes — so a merge that breaks one is
// caught here at least as far as Node's compiler goes: a SyntaxError
// (a name declared twice, an unbalanced brace) fails `node --check`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, runHostCommand } from '../helpers/guests.js';

const scripts = readdirSync(join(PROJECT_ROOT, 'tools')).filter((name) => name.endsWith('.mjs')).sort();

describe('tools/*.mjs', () => {
  it('there are scripts to check (bench, demo, schema)', () => {
    expect(scripts).toEqual(expect.arrayContaining(['bench.mjs', 'demo.mjs', 'schema.mjs']));
  });

  it.each(scripts)('%s compiles', (name) => {
    const checked = runHostCommand(process.execPath, ['--check', join('tools', name)]);
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });
});
