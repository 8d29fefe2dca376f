// The published JSON Schemas (schema/*.json) compiled with ajv, for checking
// what mmscope prints against what it promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { PROJECT_ROOT } from './guests.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validator(file: string): ValidateFunction {
  let validate = compiled.get(file);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(PROJECT_ROOT, 'schema', file), 'utf8')));
    compiled.set(file, validate);
  }
  return validate;
}

/** Expects `value` to satisfy schema/`file`, showing ajv's errors when it does not. */
export function expectSchema(file: 'run-summary.schema.json' | 'trace-event.schema.json' | 'chrome-trace.schema.json', value: unknown): void {
  const validate = validator(file);
  const valid = validate(value);
  expect(valid ? [] : validate.errors).toEqual([]);
}
