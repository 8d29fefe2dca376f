// `npm run build`'s last step: the command line as one ES module,
// dist/cli/main.bundle.js, which bin/mmscope.js loads instead of the ~160
// files tsc wrote. Node 20 resolves, reads and compiles each module of a
// graph one by one; one file saves about half of mmscope's module loading
// (~60 ms of CPU per `mmscope run`). Packages stay external (koffi,
// capstone, commander and echarts load from node_modules as before), and the
// bundle sits in dist/cli/ beside main.js, so paths taken from
// import.meta.url (two levels up: the package root) stay the same.
// bin/mmscope.js falls back to dist/cli/main.js when the bundle is missing
// or older than it (a `tsc` run without this step).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli/main.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
