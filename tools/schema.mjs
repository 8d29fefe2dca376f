// Generates the published JSON Schemas from the TypeScript types, their one
// source of truth: `mmscope run --json`'s document (src/cli/run-summary.ts)
// one line of the JSONL trace (src/trace/events.ts) and the Chrome trace
// file (src/trace/chrome-trace.ts). `npm run schema`
// rewrites schema/*.json; a test fails when they are out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const SCHEMAS = [
  { file: 'schema/run-summary.schema.json', path: 'src/cli/run-summary.ts', type: 'RunSummary', title: 'mmscope run --json' },
  { file: 'schema/trace-event.schema.json', path: 'src/trace/events.ts', type: 'TraceEvent', title: 'mmscope trace event (one line of --trace-file)' },
  { file: 'schema/chrome-trace.schema.json', path: 'src/trace/chrome-trace.ts', type: 'ChromeTraceFile', title: 'mmscope --trace-format chrome (Trace Event Format)' },
];

/** The schema text for one entry of SCHEMAS. */
export function generateSchema({ path, type, title }) {
  const schema = createGenerator({
    path: join(root, path), tsconfig: join(root, 'tsconfig.json'), type, skipTypeCheck: true, additionalProperties: false, expose: 'export', jsDoc: 'extended',
  }).createSchema(type);
  return JSON.stringify({ title, ...schema }, null, 2) + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const entry of SCHEMAS) {
    writeFileSync(join(root, entry.file), generateSchema(entry));
    console.log(`wrote ${entry.file}`);
  }
}
