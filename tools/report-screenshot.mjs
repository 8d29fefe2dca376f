// Regenerates docs/report.png, the README's picture of `mmscope run --report`:
// builds test/guests/report-pages.c, runs it with --report, and takes a
// screenshot in Debian's headless Chromium. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'mmscope-shot-'));
const mmscope = (...args) => execFileSync(process.execPath, [join(root, 'bin', 'mmscope.js'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
mmscope('build', 'test/guests/report-pages.c', '-o', join(work, 'report-pages.elf'));
mmscope('run', '--report', join(work, 'report.html'), join(work, 'report-pages.elf'));

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium', headless: true, userDataDir: join(work, 'chromium'),
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1500 });
  await page.goto(`file://${join(work, 'report.html')}`);
  await page.waitForSelector('body[data-rendered]');
  mkdirSync(join(root, 'docs'), { recursive: true });
  await page.screenshot({ path: join(root, 'docs', 'report.png') });
  console.log('wrote docs/report.png');
} finally {
  await browser.close();
}
