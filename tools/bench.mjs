// `npm run bench`: speed figures (never part of the tests). Every figure is
// CPU time (user + system) of a process, not wall-clock time, so a loaded
// machine changes it little; each is the best of several runs.
//  1. Traps side by side with qemu-i386 on the same static Linux-ABI ELF
//     (guest/bench/traps.c): demand-zero faults, system calls (Linux getpid
//     through int 0x80, and an NT service for mmscope), each the marginal
//     cost per trap: (CPU of a long run - CPU of a short run) / extra traps.
//  2. Compute (guest/bench/hash.c): the same ELF under mmscope (with and
//     without --max-insns) and qemu-i386.
//  3. Start-up: `mmscope run` of a tiny program minus `node -e 0`, beside
//     qemu-i386 on the same ELF.
//  4. Virtual-memory services from a guest at 1k, 10k and 30k live
//     reservations, and the VAD tree alone at 1k, 10k and 100k VADs (no
//     CPU): time per operation should grow like log n.
//  5. The guest heap: malloc/free pairs, small and large blocks, and the
//     system calls they make per 10,000 operations.
//  6. Paging: soft faults/s (pages trimmed by EmptyWorkingSet and touched
//     again), hard faults/s (pages read back from the page file), and a
//     random-access workload at three times physical memory as a ratio to the
//     same workload with ample RAM.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { buildGuest } from '../dist/toolchain/build-guest.js';
import { Machine } from '../dist/kernel/machine.js';
import { VadTree } from '../dist/mm/vad-tree.js';
import { Vad } from '../dist/mm/vad.js';

const out = 'guest/build/bench';
mkdirSync(out, { recursive: true });
for (const name of ['hash', 'traps', 'vm-ops', 'heap-ops', 'paging-ops', 'switch']) buildGuest({ sources: [`guest/bench/${name}.c`], output: `${out}/${name}.elf` });
for (const name of ['hash', 'traps', 'vm-ops', 'heap-ops', 'paging-ops', 'threads-ops']) buildGuest({ sources: [`guest/bench/${name}.c`], output: `${out}/${name}.elf` });
buildGuest({ sources: ['guest/examples/linux/hello-linux.asm'], output: `${out}/hello-linux.elf` });
buildGuest({ sources: ['guest/examples/hello.c'], output: `${out}/hello.elf` });
buildGuest({ sources: ['guest/examples/paging.c'], output: `${out}/paging.elf` });

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Runs a guest in this process; `ms` is the CPU time of machine.run() (the guest's whole life after loading). */
async function runInMmscope(elf, args, { machine: machineOptions = {}, run: runOptions = {}, onEvent } = {}) {
  const machine = await Machine.create(machineOptions);
  try {
    if (onEvent) machine.trace.subscribe(onEvent);
    machine.load({ name: elf, bytes: readFileSync(elf) }, args);
    const started = cpuNow();
    const outcome = machine.run(runOptions);
    const ms = cpuNow() - started;
    if (outcome.exitStatus !== 0) throw new Error(`${elf} ${args.join(' ')} ended with ${JSON.stringify(outcome)}`);
    return { ms, stdout: machine.output.stdout, frames: machine.frameCounts(), faults: machine.faultCounts(), switches: machine.contextSwitches };
  } finally {
    machine.dispose();
  }
}

/**
 * CPU time of a whole child process (user + system, from bash's `times`,
 * which reads getrusage for children: millisecond resolution).
 */
function runProcess(file, args, expectStatus = 0) {
  const result = spawnSync('bash', ['-c', '"$@" >/dev/null; status=$?; times; exit $status', 'bench', file, ...args], { encoding: 'utf8' });
  if (result.status !== expectStatus) throw new Error(`${file} ${args.join(' ')}: exit ${result.status} ${result.stderr}`);
  const children = result.stdout.trim().split('\n').at(-1);
  const [user, system] = children.split(/\s+/).map((t) => { const [, m, s] = /(\d+)m([\d.]+)s/.exec(t); return Number(m) * 60 + Number(s); });
  return { ms: (user + system) * 1000 };
}

const best = (runs) => runs.reduce((a, b) => (b.ms < a.ms ? b : a));

/** The fastest of `times` runs of the same guest in mmscope. */
async function bestInMmscope(times, elf, args, options) {
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(await runInMmscope(elf, args, options));
  return best(runs);
}

function bestProcess(times, file, args, expectStatus) {
  return best(Array.from({ length: times }, () => runProcess(file, args, expectStatus)));
}

const fmt = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(0));
/** One figure: mmscope's value, qemu-i386's value in the same unit, and their ratio. */
function printPair(what, ours, theirs, unit, target) {
  const ratio = ours / theirs;
  console.log(`  ${what.padEnd(38)} mmscope ${fmt(ours).padStart(6)} ${unit}   qemu-i386 ${fmt(theirs).padStart(6)} ${unit}   ratio ${ratio.toFixed(2)}x${target ? `  (target <= ${target}x)` : ''}`);
}

console.log('mmscope benchmark: CPU time (user + system) of the process, best of 3 runs unless stated\n');

// 1. Traps: marginal cost per trap = (long run - short run) / extra traps, both sides.
const traps = `${out}/traps.elf`;
async function marginalMmscope(mode, few, many) {
  const short = await bestInMmscope(3, traps, [mode, String(few)]);
  const long = await bestInMmscope(3, traps, [mode, String(many)]);
  return ((long.ms - short.ms) * 1000) / (many - few);
}
function marginalQemu(mode, few, many) {
  const short = bestProcess(3, 'qemu-i386', [traps, mode, String(few)]);
  const long = bestProcess(3, 'qemu-i386', [traps, mode, String(many)]);
  return ((long.ms - short.ms) * 1000) / (many - few);
}
console.log('traps (guest/bench/traps.c, one static Linux-ABI ELF for both)');
console.log('  method: (CPU of a run with many traps - CPU of a run with few) / extra traps; mmscope: machine.run() in-process');
console.log('          (process.cpuUsage), qemu-i386: the whole child process (getrusage via bash times)');
const pagesFew = 256, pagesMany = 32768;
printPair(`demand-zero fault (${pagesMany} vs ${pagesFew} pages)`, await marginalMmscope('touch', pagesFew, pagesMany), marginalQemu('touch', pagesFew, pagesMany), 'us', 2.5);
// Every other page: each needs host mappings of its own, so past the working set's host-mapping cap (about
// 19,000 such pages at vm.max_map_count 65,530) mmscope trims and the reads back are soft faults.
const scatteredBelow = 16384, scatteredAbove = 24576;
printPair(`  scattered, pages past the cap (${scatteredAbove} vs ${scatteredBelow})`, await marginalMmscope('scatter', scatteredBelow, scatteredAbove), marginalQemu('scatter', scatteredBelow, scatteredAbove), 'us');
console.log('          (the second: per page beyond the host-mapping cap, its fault, its share of the trims and the soft fault reading it back)');
const callsFew = 1000, callsMany = 2_000_000;
const qemuGetpid = marginalQemu('getpid', callsFew, callsMany);
printPair('Linux getpid (int 0x80)', await marginalMmscope('getpid', callsFew, callsMany), qemuGetpid, 'us', 4);
printPair('NtClose(0) (int 0x2e) vs qemu getpid', await marginalMmscope('nt', callsFew, callsMany), qemuGetpid, 'us', 4);

// 2. Compute.
const iterations = '200000000';
const hash = `${out}/hash.elf`;
const ours = await bestInMmscope(3, hash, [iterations]);
const limited = await bestInMmscope(3, hash, [iterations], { run: { maxInstructions: 1e12 } });
const theirs = bestProcess(3, 'qemu-i386', [hash, iterations]);
console.log(`\ncompute: ${iterations} hash iterations (guest/bench/hash.c, the same ELF)`);
console.log('  method: CPU of machine.run() in-process; qemu-i386: CPU of the whole child process (includes its start-up, ~10 ms)');
printPair('no instruction limit', ours.ms, theirs.ms, 'ms');
printPair('--max-insns 1e12', limited.ms, theirs.ms, 'ms');
console.log(`  --max-insns costs ${(limited.ms / ours.ms).toFixed(2)}x the run without it  (target <= 1.3x)`);

// 3. Start-up.
const node0 = bestProcess(5, process.execPath, ['-e', '0']);
const cli = 'bin/mmscope.js';
const helloNt = bestProcess(5, process.execPath, [cli, 'run', `${out}/hello.elf`]);
const helloLinux = bestProcess(5, process.execPath, [cli, 'run', `${out}/hello-linux.elf`], 42);
const helloQemu = bestProcess(5, 'qemu-i386', [`${out}/hello-linux.elf`], 42);
console.log('\nstart-up, best of 5');
console.log('  method: CPU of the whole process; mmscope figures are `node bin/mmscope.js run X` minus `node -e 0`');
console.log(`  node -e 0: ${node0.ms.toFixed(0)} ms`);
printPair('run hello-linux.elf (int 0x80)', helloLinux.ms - node0.ms, helloQemu.ms, 'ms');
console.log(`  run hello.elf (guest/examples/hello.c, NT ABI): ${(helloNt.ms - node0.ms).toFixed(0)} ms above node -e 0  (target <= 120 ms)`);

// Time per service cycle = (run with CYCLES - run with 0 cycles) / CYCLES, at a fixed number of live VADs.
// 30k is close to the ceiling: 2 GiB of user space holds at most 32,766 reservations of 64 KiB.
const cycles = 20000;
console.log(`\nvirtual-memory services from a guest (${cycles.toLocaleString('en-US')} cycles at each size; CPU of machine.run(), best of 2)`);
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
  const started = cpuNow();
  for (let i = 0; i < operations; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const slot = state % n;
    tree.remove(live[slot]);
    const vpn = i & 1 ? tree.findEmptyRangeTopDown(1, 1, 0x10, 0x7ffef) : tree.findEmptyRangeBottomUp(1, 1, 0x10, 0x7ffef);
    live[slot] = new Vad({ startingVpn: vpn, endingVpn: vpn, protection: 4, privateMemory: true, memCommit: false });
    tree.insert(live[slot]);
  }
  const us = ((cpuNow() - started) * 1000) / operations;
  tree.checkInvariants();
  return us;
}

console.log('\nVAD tree alone (remove + find free range + insert), 100,000 operations at each size; CPU time, best of 2');
for (const n of [1000, 10000, 100000]) {
  const us = Math.min(vadTreeMicrosecondsPerOperation(n, 100000), vadTreeMicrosecondsPerOperation(n, 100000));
  console.log(`  ${String(n).padStart(6)} VADs: ${us.toFixed(3)} us per operation (log2 n = ${Math.log2(n).toFixed(1)})`);
}

// The heap: time per malloc/free pair from the difference of two run lengths; system calls from a traced run.
console.log('\nguest heap (guest/runtime/heap.c): malloc + free pairs; CPU of machine.run(), best of 2');
for (const [kind, what, few, many] of [['small', '16-256 bytes over 1,000 live blocks', 1000, 200000], ['large', '0.5-1 MiB, each its own VirtualAlloc', 100, 2000]]) {
  const short = await bestInMmscope(2, `${out}/heap-ops.elf`, [kind, String(few)]);
  const long = await bestInMmscope(2, `${out}/heap-ops.elf`, [kind, String(many)]);
  const us = ((long.ms - short.ms) * 1000) / (many - few);
  let calls = 0;
  await runInMmscope(`${out}/heap-ops.elf`, [kind, '10000'], { onEvent: (event) => { if (event.type === 'syscall') calls++; } });
  console.log(`  ${kind.padEnd(5)} (${what}): ${us.toFixed(2)} us per pair, ${Math.round(1e6 / us).toLocaleString('en-US')} pairs/s; ${calls} system calls for 10,000 pairs (whole run)`);
}

// Paging: marginal CPU per fault kind between a short and a long run, and the 3x-RAM workload against ample RAM.
console.log('\npaging (guest/bench/paging-ops.c, guest/examples/paging.c); CPU of machine.run(), best of 2');
const MIB = 1 << 20;
async function perFault(mode, pages, fewRounds, manyRounds, machine, kinds) {
  const short = await bestInMmscope(2, `${out}/paging-ops.elf`, [mode, String(pages), String(fewRounds)], { machine });
  const long = await bestInMmscope(2, `${out}/paging-ops.elf`, [mode, String(pages), String(manyRounds)], { machine });
  const count = (run) => kinds.reduce((n, kind) => n + (run.faults[kind] ?? 0), 0);
  const faults = count(long) - count(short);
  return { us: ((long.ms - short.ms) * 1000) / faults, faults };
}
const soft = await perFault('soft', 4096, 1, 5, { ramBytes: 256 * MIB }, ['transition']);
console.log(`  soft faults (EmptyWorkingSet, then touch 4,096 pages again; trim included): ${soft.us.toFixed(2)} us each, ${Math.round(1e6 / soft.us).toLocaleString('en-US')}/s`);
const hard = await perFault('hard', 12288, 1, 3, { ramBytes: 16 * MIB, pagefileBytes: 128 * MIB }, ['pagefile-read']);
console.log(`  hard faults (12,288 pages read in order at --ram 16M, clusters of up to 7; the soft faults and page writes between included): ${hard.us.toFixed(2)} us each, ${Math.round(1e6 / hard.us).toLocaleString('en-US')}/s`);
const tight = await bestInMmscope(2, `${out}/paging.elf`, ['12288'], { machine: { ramBytes: 16 * MIB, pagefileBytes: 128 * MIB } });
const ample = await bestInMmscope(2, `${out}/paging.elf`, ['12288'], { machine: { ramBytes: 256 * MIB, pagefileBytes: 128 * MIB } });
console.log(`  48 MiB random-access workload (guest/examples/paging.c): ${tight.ms.toFixed(0)} ms at --ram 16M (3x RAM), ${ample.ms.toFixed(0)} ms at --ram 256M: ratio ${(tight.ms / ample.ms).toFixed(2)}`);

console.log('\naddress-space switch (guest/bench/switch.c: a parent and its suspended child, same image); CPU per switch, best of 3');
/** CPU µs per switch between the two processes, and the pages one switch remapped or took away. */
async function perSwitch(parentPages, childPages, switches = 2000) {
  const machine = await Machine.create({ fileRoot: out });
  try {
    machine.load({ name: `${out}/switch.elf`, bytes: readFileSync(`${out}/switch.elf`) }, [String(parentPages), String(childPages)]);
    const outcome = machine.run({ maxInstructions: 2e9 });
    if (outcome.reason !== 'waits-forever') throw new Error(`switch.elf ended with ${JSON.stringify(outcome)}`);
    const [parent, child] = machine.processes();
    let bestUs = Infinity;
    for (let round = 0; round < 3; round++) {
      const before = machine.switchCounts();
      const started = cpuNow();
      for (let i = 0; i < switches / 2; i++) { machine.activateProcess(child); machine.activateProcess(parent); }
      bestUs = Math.min(bestUs, ((cpuNow() - started) * 1000) / switches);
      const after = machine.switchCounts();
      var changed = (after.remappedPages + after.droppedPages - before.remappedPages - before.droppedPages) / switches;
    }
    return { us: bestUs, changed };
  } finally {
    machine.dispose();
  }
}
for (const [parentPages, childPages] of [[0, 0], [1024, 0], [1024, 1024], [8192, 8192]]) {
  const { us, changed } = await perSwitch(parentPages, childPages, parentPages > 4000 ? 200 : 2000);
  console.log(`  parent +${parentPages} pages, child +${childPages} pages: ${fmt(us)} us per switch (${changed.toFixed(0)} pages remapped or taken away each)`);
}
console.log('\nthreads (guest/bench/threads-ops.c); CPU of machine.run(), best of 3');
const threadsOps = `${out}/threads-ops.elf`;
const spinRounds = '2000000';
const coarse = await bestInMmscope(3, threadsOps, ['spin', spinRounds], { machine: { quantum: 1e9 } });
const fine = await bestInMmscope(3, threadsOps, ['spin', spinRounds], { machine: { quantum: 1000 } });
const perQuantumSwitch = ((fine.ms - coarse.ms) * 1000) / (fine.switches - coarse.switches);
console.log(`  preemption: two threads of 2M loop iterations each, --quantum 1000 (${fine.switches.toLocaleString('en-US')} switches) against a quantum of 1e9 (${coarse.switches})`);
console.log(`    a context switch at the end of a quantum: ${perQuantumSwitch.toFixed(2)} us  (${fine.ms.toFixed(0)} ms against ${coarse.ms.toFixed(0)} ms)`);
const pingFew = await bestInMmscope(3, threadsOps, ['pingpong', '1000']);
const pingMany = await bestInMmscope(3, threadsOps, ['pingpong', '20000']);
const perHandOff = ((pingMany.ms - pingFew.ms) * 1000) / (pingMany.switches - pingFew.switches);
console.log(`  hand-off through two auto-reset events (SetEvent + WaitForSingleObject), 20,000 against 1,000 round trips:`);
console.log(`    ${perHandOff.toFixed(2)} us per switch, the two system calls around it included`);
const crossFew = await bestInMmscope(3, `${out}/switch.elf`, ['pingpong', '200'], { machine: { fileRoot: out } });
const crossMany = await bestInMmscope(3, `${out}/switch.elf`, ['pingpong', '2000'], { machine: { fileRoot: out } });
const perCrossHandOff = ((crossMany.ms - crossFew.ms) * 1000) / (crossMany.switches - crossFew.switches);
console.log(`  the same hand-off between two processes (guest/bench/switch.c pingpong: named events, 2,000 against 200 round trips):`);
console.log(`    ${perCrossHandOff.toFixed(2)} us per switch, the address-space switch and the system calls included`);
