// --report in a real browser: Debian's headless Chromium driven by
// puppeteer-core. The page loads with no console errors and no network
// requests, its tables hold the run's values (checked against --json's VAD
// list of the same run and first-principles arithmetic), the page grids show
// each page's state, and a screenshot is not blank.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestElf, runCli } from '../helpers/guests.js';
import type { VadView } from '../../src/mm/vad-view.js';

const CHROMIUM = '/usr/bin/chromium';
const PAGE_SIZE = 4096;
const USER_SPACE = 0x80000000;
/** KUSER_SHARED_DATA's page, the reserved rest of its 64 KiB and the no-access 64 KiB below 0x80000000. */
const FIXED_BYTES = 0x20000;

let dir: string;
let browser: Browser;
let page: Page;
let vads: VadView[];
let region: number;
const problems: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mmscope-report-'));
  const report = join(dir, 'report.html');
  const result = runCli(['run', '--report', report, '--json', '--vad', guestElf('test/guests/report-pages.c')]);
  expect(result.status).toBe(0);
  const summary = JSON.parse(result.stdout) as { vads: VadView[]; stdout: string };
  vads = summary.vads;
  region = parseInt(summary.stdout, 16);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true, userDataDir: mkdtempSync(join(tmpdir(), 'mmscope-chromium-')),
    // A 2-core machine shared by many builds can take minutes to start a browser: these only catch a hang.
    timeout: 600_000, protocolTimeout: 600_000,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warn') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('request', (request) => { if (!request.url().startsWith('file:')) problems.push(`network request ${request.url()}`); });
  await page.setViewport({ width: 1400, height: 900 });
  page.setDefaultTimeout(600_000);
  await page.goto(`file://${report}`);
  await page.waitForSelector('body[data-rendered]');
});

afterAll(async () => { await browser?.close(); });

/** The summary table's cell for `type` and `key`, in bytes. */
const summaryBytes = (type: string, key: string): Promise<number> =>
  page.$eval(`#summary tr[data-type="${type}"] td[data-key="${key}"]`, (td) => Number(td.getAttribute('data-bytes')));

const vadBytes = (vad: VadView): number => (vad.endingVpn - vad.startingVpn + 1) * PAGE_SIZE;

describe('the HTML report in Chromium', () => {
  it('loads with no console errors and fetches nothing', () => {
    expect(problems).toEqual([]);
  });

  it('the summary table holds the run\'s sizes, as VMMap sums them', async () => {
    const stack = vads.find((vad) => vad.startingVpn === 0x10)!;
    const image = vads.find((vad) => vad.vadType === 'VadImageMap')!;
    expect(await summaryBytes('Stack', 'size')).toBe(vadBytes(stack));
    expect(await summaryBytes('Stack', 'committed')).toBe(stack.commitCharge * PAGE_SIZE);
    expect(await summaryBytes('Image', 'size')).toBe(vadBytes(image));
    const allocated = vads.reduce((sum, vad) => sum + vadBytes(vad), 0);
    expect(await summaryBytes('Free', 'size')).toBe(USER_SPACE - allocated - FIXED_BYTES);
    // Private data: every private VAD but the stack and the heap, and KUSER_SHARED_DATA's committed page.
    const privateVads = vads.filter((vad) => vad.privateMemory && vad.startingVpn !== 0x10 && vad.startingVpn !== 0x110);
    expect(await summaryBytes('Private Data', 'committed')).toBe(privateVads.reduce((sum, vad) => sum + vad.commitCharge * PAGE_SIZE, 0) + PAGE_SIZE);
    expect(await summaryBytes('Page Table', 'size') % PAGE_SIZE).toBe(0);
    expect(await summaryBytes('Page Table', 'size')).toBeGreaterThan(0);
  });

  it('the details list has every allocation, and the page grid shows reserve, commit, first write and the guard page', async () => {
    const starts = await page.$$eval('#details tbody tr', (rows) => rows.map((row) => Number(row.getAttribute('data-start'))));
    expect(starts).toEqual([...vads.map((vad) => vad.startingVpn * PAGE_SIZE), 0x7ffe0000, 0x7ffe1000, 0x7fff0000].sort((a, b) => a - b));
    const pages = await page.$eval(`#pages-${region.toString(16).padStart(8, '0')}`, (section) => section.getAttribute('data-pages'));
    // written (valid-dirty 4), committed (demand-zero 1), reserved (0), guard (5), then 12 reserved pages.
    expect(pages).toBe('4105' + '0'.repeat(12));
  });

  it('the fault timeline and the top-faulting instructions are drawn', async () => {
    const canvases = await page.$$eval('#timeline canvas, #map canvas', (list) => list.length);
    expect(canvases).toBeGreaterThanOrEqual(2);
    const counts = await page.$$eval('#top-instructions tbody tr td:nth-child(3)', (cells) => cells.map((td) => Number(td.textContent)));
    expect(counts.length).toBeGreaterThan(3);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('a screenshot is not blank', async () => {
    const png = PNG.sync.read(Buffer.from(await page.screenshot({ fullPage: true })));
    const colours = new Set<number>();
    let inked = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      colours.add((r << 16) | (g << 8) | b);
      if (r + g + b < 600) inked++;
    }
    expect(colours.size).toBeGreaterThan(50);
    expect(inked / (png.width * png.height)).toBeGreaterThan(0.02);
  });
});

describe('the report\'s processes and threads (a run of four worker threads)', () => {
  let threadsPage: Page;
  let threads: { tid: number; teb: number; exitStatus: number | null; contextSwitches: number }[];

  beforeAll(async () => {
    const report = join(dir, 'threads.html');
    const result = runCli(['run', '--report', report, '--json', '--quantum', '1000', guestElf('test/guests/threads.c'), 'counter', '2000']);
    expect(result.status).toBe(0);
    threads = (JSON.parse(result.stdout) as { processes: { threads: typeof threads }[] }).processes[0]!.threads;
    threadsPage = await browser.newPage();
    threadsPage.on('pageerror', (error) => problems.push(String(error)));
    threadsPage.setDefaultTimeout(600_000);
    await threadsPage.goto(`file://${report}`);
    await threadsPage.waitForSelector('body[data-rendered]');
  });

  it('lists the process and each of its threads with the values --json gives', async () => {
    expect(problems).toEqual([]);
    expect(await threadsPage.$$eval('#processes tbody tr', (rows) => rows.map((row) => row.getAttribute('data-pid')))).toEqual(['4']);
    const rows = await threadsPage.$$eval('#threads tbody tr', (list) => list.map((row) => ({
      tid: Number(row.getAttribute('data-tid')),
      teb: row.querySelector('[data-key="teb"]')!.textContent,
      exit: row.querySelector('[data-key="exit"]')!.textContent,
      switches: Number(row.querySelector('[data-key="switches"]')!.textContent),
    })));
    // The main thread and four workers; the workers return 100 + their index (threads.c), main 0.
    expect(rows.map((r) => [r.tid, r.exit])).toEqual([[8, '0x00000000'], [12, '0x00000064'], [16, '0x00000065'], [20, '0x00000066'], [24, '0x00000067']]);
    expect(rows.map((r) => r.teb)).toEqual(['7ffde000', '7ffdd000', '7ffdc000', '7ffdb000', '7ffda000']);
    expect(rows.map((r) => r.switches)).toEqual(threads.map((t) => t.contextSwitches));
    expect(rows.every((r) => r.switches > 0)).toBe(true);
  });

  it('names the stack allocation by its thread, as VMMap does', async () => {
    const stacks = await threadsPage.$$eval('#details tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent)).filter((cells) => cells[1] === 'Stack'));
    // The workers' stacks were released when they ended; the main thread's stays until the process is gone.
    expect(stacks.map((cells) => cells[7])).toEqual(['Thread ID: 8']);
  });
});
