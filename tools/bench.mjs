// `npm run bench`: speed figures (never part of the tests).
//  1. A compute-bound static guest, the same ELF under mmscope and qemu-i386.
//  2. Demand-zero faults per second: a guest touching N fresh pages.
//  4. The guest heap: malloc/free pairs per second, small and large blocks,
//     and the system calls they make per 10,000 operations.
//  3. Virtual-memory services at 1k, 10k and 30k live reservations (guest),
//     and the VAD tree alone at 1k, 10k and 100k VADs (no CPU): time per
//     operation should grow like log n.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { buildGuest } from '../dist/toolchain/build-guest.js';
import { Machine } from '../dist/kernel/machine.js';
import { VadTree } from '../dist/mm/vad-tree.js';
import { Vad } from '../dist/mm/vad.js';

const out = 'guest/build/bench';
mkdirSync(out, { recursive: true });
buildGuest({ sources: ['guest/bench/hash.c'], output: `${out}/hash.elf` });
buildGuest({ sources: ['guest/bench/touch-pages.c'], output: `${out}/touch-pages.elf` });
buildGuest({ sources: ['guest/bench/vm-ops.c'], output: `${out}/vm-ops.elf` });
buildGuest({ sources: ['guest/bench/heap-ops.c'], output: `${out}/heap-ops.elf` });

async function runInMmscope(elf, args, machineOptions = {}, onEvent = undefined) {
  const machine = await Machine.create(machineOptions);
  try {
    if (onEvent) machine.trace.subscribe(onEvent);
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

/** The fastest of `times` runs of the same guest in mmscope. */
async function bestInMmscope(times, elf, args) {
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(await runInMmscope(elf, args));
  return best(runs);
}

console.log('mmscope benchmark (best of 3 runs each)\n');

const iterations = '200000000';
const ours = await bestInMmscope(3, `${out}/hash.elf`, [iterations]);
const theirs = best([runInQemu(`${out}/hash.elf`, [iterations]), runInQemu(`${out}/hash.elf`, [iterations]), runInQemu(`${out}/hash.elf`, [iterations])]);
if (ours.stdout !== theirs.stdout) throw new Error(`outputs differ: ${ours.stdout} vs ${theirs.stdout}`);
console.log(`compute: ${iterations} hash iterations (same ELF)`);
console.log(`  mmscope    ${ours.ms.toFixed(0).padStart(6)} ms`);
console.log(`  qemu-i386  ${theirs.ms.toFixed(0).padStart(6)} ms   (includes qemu's process start-up)`);
console.log(`  speed ratio mmscope/qemu-i386: ${(theirs.ms / ours.ms).toFixed(2)}x  (target >= 0.80x)\n`);

// The marginal cost of a fault: the difference between touching many and few pages.
const few = 256, many = 32768;
const small = await bestInMmscope(2, `${out}/touch-pages.elf`, [String(few)]);
const large = await bestInMmscope(3, `${out}/touch-pages.elf`, [String(many)]);
const faultsPerSecond = (many - few) / ((large.ms - small.ms) / 1000);
console.log(`faults: ${many} fresh pages touched, one demand-zero fault each`);
console.log(`  ${few} pages ${small.ms.toFixed(1)} ms, ${many} pages ${large.ms.toFixed(1)} ms`);
console.log(`  ${Math.round(faultsPerSecond).toLocaleString('en-US')} demand-zero faults/s, ${(1e6 / faultsPerSecond).toFixed(2)} us each  (target >= 100,000/s)`);

// Time per service cycle = (run with CYCLES - run with 0 cycles) / CYCLES, at a fixed number of live VADs.
// 30k is close to the ceiling: 2 GiB of user space holds at most 32,766 reservations of 64 KiB.
const cycles = 20000;
console.log(`\nvirtual-memory services from a guest (${cycles.toLocaleString('en-US')} cycles at each size)`);
for (const kind of ['reserve', 'commit']) {
  const what = kind === 'reserve'
    ? 'release one random 64 KiB reservation + reserve a new one (bottom-up / MEM_TOP_DOWN in turn)'
    : 'commit one page of a random reservation + first write (demand-zero fault) + decommit';
  console.log(`  ${what}`);
  for (const live of [1000, 10000, 30000]) {
    const base = await bestInMmscope(2, `${out}/vm-ops.elf`, [String(live), kind, '0']);
    const full = await bestInMmscope(2, `${out}/vm-ops.elf`, [String(live), kind, String(cycles)]);
    const us = ((full.ms - base.ms) * 1000) / cycles;
    console.log(`    ${String(live).padStart(6)} live VADs: ${us.toFixed(2).padStart(6)} us per cycle, ${Math.round(2e6 / us).toLocaleString('en-US').padStart(8)} services/s`);
  }
}

// The VAD tree alone: n one-page VADs with one-page gaps; each operation removes a random VAD,
// finds the lowest (or highest) free page and inserts a VAD there.
function vadTreeMicrosecondsPerOperation(n, operations) {
  const tree = new VadTree();
  const live = [];
  for (let i = 0; i < n; i++) {
    const vad = new Vad({ startingVpn: 0x10 + 2 * i, endingVpn: 0x10 + 2 * i, protection: 4, privateMemory: true, memCommit: false });
    tree.insert(vad);
    live.push(vad);
  }
  let state = 99;
  const started = process.hrtime.bigint();
  for (let i = 0; i < operations; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const slot = state % n;
    tree.remove(live[slot]);
    const vpn = i & 1 ? tree.findEmptyRangeTopDown(1, 1, 0x10, 0x7ffef) : tree.findEmptyRangeBottomUp(1, 1, 0x10, 0x7ffef);
    live[slot] = new Vad({ startingVpn: vpn, endingVpn: vpn, protection: 4, privateMemory: true, memCommit: false });
    tree.insert(live[slot]);
  }
  const us = Number(process.hrtime.bigint() - started) / 1e3 / operations;
  tree.checkInvariants();
  return us;
}

console.log('\nVAD tree alone (remove + find free range + insert), 100,000 operations at each size');
for (const n of [1000, 10000, 100000]) {
  const us = Math.min(vadTreeMicrosecondsPerOperation(n, 100000), vadTreeMicrosecondsPerOperation(n, 100000));
  console.log(`  ${String(n).padStart(6)} VADs: ${us.toFixed(3)} us per operation (log2 n = ${Math.log2(n).toFixed(1)})`);
}

// The heap: time per malloc/free pair from the difference of two run lengths; system calls from a traced run.
console.log('\nguest heap (guest/runtime/heap.c): malloc + free pairs');
for (const [kind, what, few, many] of [['small', '16-256 bytes over 1,000 live blocks', 1000, 200000], ['large', '0.5-1 MiB, each its own VirtualAlloc', 100, 2000]]) {
  const short = await bestInMmscope(2, `${out}/heap-ops.elf`, [kind, String(few)]);
  const long = await bestInMmscope(2, `${out}/heap-ops.elf`, [kind, String(many)]);
  const us = ((long.ms - short.ms) * 1000) / (many - few);
  let calls = 0;
  await runInMmscope(`${out}/heap-ops.elf`, [kind, '10000'], {}, (event) => { if (event.type === 'syscall') calls++; });
  console.log(`  ${kind.padEnd(5)} (${what}): ${us.toFixed(2)} us per pair, ${Math.round(1e6 / us).toLocaleString('en-US')} pairs/s; ${calls} system calls for 10,000 pairs (whole run)`);
}
