// `npm run bench`: speed figures (never part of the tests).
//  1. A compute-bound static guest, the same ELF under mmscope and qemu-i386.
//  2. Demand-zero faults per second: a guest touching N fresh pages.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { buildGuest } from '../dist/toolchain/build-guest.js';
import { Machine } from '../dist/kernel/machine.js';

const out = 'guest/build/bench';
mkdirSync(out, { recursive: true });
buildGuest({ sources: ['guest/bench/hash.c'], output: `${out}/hash.elf` });
buildGuest({ sources: ['guest/bench/touch-pages.c'], output: `${out}/touch-pages.elf` });

async function runInMmscope(elf, args, machineOptions = {}) {
  const machine = await Machine.create(machineOptions);
  try {
    machine.load({ name: elf, bytes: readFileSync(elf) }, args);
    const started = process.hrtime.bigint();
    const outcome = machine.run();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (outcome.exitStatus !== 0) throw new Error(`${elf} ended with ${JSON.stringify(outcome)}`);
    return { ms, stdout: machine.output.stdout, frames: machine.frameCounts() };
  } finally {
    machine.dispose();
  }
}

function runInQemu(elf, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync('qemu-i386', [elf, ...args], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`qemu-i386 ${elf}: ${result.stderr || result.status}`);
  return { ms, stdout: result.stdout };
}

const best = (runs) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

console.log('mmscope benchmark (best of 3 runs each)\n');

const iterations = '200000000';
const ours = best([await runInMmscope(`${out}/hash.elf`, [iterations]), await runInMmscope(`${out}/hash.elf`, [iterations]), await runInMmscope(`${out}/hash.elf`, [iterations])]);
const theirs = best([runInQemu(`${out}/hash.elf`, [iterations]), runInQemu(`${out}/hash.elf`, [iterations]), runInQemu(`${out}/hash.elf`, [iterations])]);
if (ours.stdout !== theirs.stdout) throw new Error(`outputs differ: ${ours.stdout} vs ${theirs.stdout}`);
console.log(`compute: ${iterations} hash iterations (same ELF)`);
console.log(`  mmscope    ${ours.ms.toFixed(0).padStart(6)} ms`);
console.log(`  qemu-i386  ${theirs.ms.toFixed(0).padStart(6)} ms   (includes qemu's process start-up)`);
console.log(`  speed ratio mmscope/qemu-i386: ${(theirs.ms / ours.ms).toFixed(2)}x  (target >= 0.80x)\n`);

// The marginal cost of a fault: the difference between touching many and few pages.
const few = 256, many = 32768;
const small = best([await runInMmscope(`${out}/touch-pages.elf`, [String(few)]), await runInMmscope(`${out}/touch-pages.elf`, [String(few)])]);
const large = best([await runInMmscope(`${out}/touch-pages.elf`, [String(many)]), await runInMmscope(`${out}/touch-pages.elf`, [String(many)]), await runInMmscope(`${out}/touch-pages.elf`, [String(many)])]);
const faultsPerSecond = (many - few) / ((large.ms - small.ms) / 1000);
console.log(`faults: ${many} fresh pages touched, one demand-zero fault each`);
console.log(`  ${few} pages ${small.ms.toFixed(1)} ms, ${many} pages ${large.ms.toFixed(1)} ms`);
console.log(`  ${Math.round(faultsPerSecond).toLocaleString('en-US')} demand-zero faults/s, ${(1e6 / faultsPerSecond).toFixed(2)} us each  (target >= 100,000/s)`);
