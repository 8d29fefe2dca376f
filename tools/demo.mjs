// `npm start`: build the example guests and run them, showing their output
// and the page faults they take.
import { mkdirSync, readFileSync } from 'node:fs';
import { main } from '../dist/cli/main.js';
import { formatTraceEvent } from '../dist/trace/text-format.js';

const out = 'guest/build/examples';
mkdirSync(out, { recursive: true });

async function step(title, argv) {
  process.stdout.write(`\n=== ${title}\n$ npx mmscope ${argv.join(' ')}\n`);
  const status = await main(argv);
  if (status !== 0) {
    process.stdout.write(`(exit status ${status})\n`);
    process.exitCode = status;
  }
}

await step('Build the examples', ['build', 'guest/examples/hello.c', '-o', `${out}/hello.elf`]);
await main(['build', 'guest/examples/hello.asm', '-o', `${out}/hello-asm.elf`]);
await main(['build', 'guest/examples/first-touch.c', '-o', `${out}/first-touch.elf`]);
await main(['build', 'guest/examples/reserve-commit.c', '-o', `${out}/reserve-commit.elf`]);
await main(['build', 'guest/examples/heap.c', '-o', `${out}/heap.elf`]);
await main(['build', 'guest/examples/recursion.c', '-o', `${out}/recursion.elf`]);
await main(['build', 'guest/examples/shared-memory.c', '-o', `${out}/shared-memory.elf`]);
await main(['build', 'guest/examples/two-processes.c', '-o', `${out}/two-processes.elf`]);
await main(['build', 'guest/examples/hidden-module.c', '-o', `${out}/hidden-module.elf`]);
await main(['build', 'guest/examples/map-frame.c', '-o', `${out}/map-frame.elf`]);
await main(['build', 'guest/examples/paging.c', '-o', `${out}/paging.elf`]);
await main(['build', '--base', '0x10000000', 'guest/examples/hello.c', '-o', `${out}/plugin.elf`]);
await main(['build', '--dll', 'guest/examples/pe/hidden-dll.c', '-o', `${out}/hidden-dll.dll`]);
await main(['build', '--pe', 'guest/examples/pe/victim.c', '-o', `${out}/victim.exe`]);
await main(['build', '--pe', 'guest/examples/pe/injector.c', '-o', `${out}/injector.exe`]);
await step('A C program in ring 3', ['run', `${out}/hello.elf`, 'mmscope']);
await step('The same in nasm, with its system calls', ['run', '--trace', 'syscalls', `${out}/hello-asm.elf`]);
await step('First touch: one demand-zero fault per fresh page (trace on stderr)',
  ['run', '--trace', 'faults', '--vad', `${out}/first-touch.elf`]);
await step('MEM_RESERVE, MEM_COMMIT, first write, release: the VAD tree and the PTE at each step',
  ['run', '--trace', 'faults', `${out}/reserve-commit.elf`]);
await step('The heap: 5,000 mallocs, a few system calls (each commits 64 KiB of the heap\'s reservation)',
  ['run', '--trace', 'syscalls', `${out}/heap.elf`]);
await step('Deep recursion: the stack grows a page at a time through its guard page',
  ['run', '--trace', 'faults', '--vad', `${out}/recursion.elf`, '24']);
await step('Two views of one section share a frame; a copy-on-write view gets its own on the first write',
  ['run', `${out}/shared-memory.elf`]);
await step('Two processes exchange data through a named section: both faults on the page resolve to one frame (pfn=…)',
  ['run', '--root', out, '--trace', 'faults', `${out}/two-processes.elf`]);
await step('A module unlinked from the loader list is still found by walking the VAD tree',
  ['run', '--root', out, '--modules', `${out}/hidden-module.elf`]);
await step('Injection: a remote thread runs LoadLibraryA in another process; the DLL hides from that process\'s loader list, not from its VAD tree (process 12)',
  ['run', '--root', out, '--vad', '--modules', '--pid', '12', `${out}/injector.exe`]);
await step('The seed\'s question: attach a page by hand where no VAD is (the null page, the no-access area, a free address)',
  ['run', '--allow-experiments', `${out}/map-frame.elf`]);
await step('…then VirtualAlloc over it: the "new" memory still holds the old page\'s data',
  ['run', '--allow-experiments', `${out}/map-frame.elf`, 'commit']);
await step('A picture of the address space: VMMap\'s summary, the map, page grids and the fault timeline (open the file in a browser)',
  ['run', '--report', `${out}/report.html`, `${out}/reserve-commit.elf`]);
await step('Three times the physical memory: trims, page writes to the page file, soft and hard faults (trace in paging.jsonl)',
  ['run', '--ram', '16M', '--pagefile', '64M', '--vad', '--trace-file', `${out}/paging.jsonl`, `${out}/paging.elf`]);
summarizePagingTrace(`${out}/paging.jsonl`);
process.stdout.write('\nMore: npx mmscope --help, and README.md.\n');

/** How many events of each paging kind the trace holds, and the first of each. */
function summarizePagingTrace(path) {
  const events = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const kind = (e) => (e.type === 'page-fault' ? e.resolution : e.type);
  const shown = ['trim', 'page-write', 'repurpose', 'transition', 'pagefile-read'];
  for (const name of shown) {
    const matching = events.filter((e) => kind(e) === name);
    process.stdout.write(`${String(matching.length).padStart(6)} ${name.padEnd(14)} e.g. ${matching.length ? formatTraceEvent(matching[0]) : '-'}\n`);
  }
}
