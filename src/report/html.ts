// One self-contained HTML file: styles, ECharts (bundled from the npm
// package) and the page's script inlined, the data as JSON; nothing is
// fetched when it is opened.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { renderReport } from './client.js';
import type { ReportData } from './report-data.js';

const STYLE = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #1c2833; }
h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 24px 0 8px; } h3 { font: 12px monospace; margin: 12px 0 4px; }
table { border-collapse: collapse; } th, td { padding: 2px 8px; border-bottom: 1px solid #e5e7e9; text-align: left; white-space: nowrap; }
th { background: #f4f6f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; } .mono { font-family: monospace; }
#details tbody tr { cursor: pointer; } #details tbody tr:hover { background: #eaf2f8; }
.scroll { max-height: 320px; overflow: auto; border: 1px solid #e5e7e9; display: inline-block; }
#map { height: 150px; } #timeline { height: 320px; }
.legend-item { display: inline-block; margin-right: 14px; } .legend-item::before { content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 4px; background: var(--swatch); border: 1px solid #aab7b8; }
#page-grids { column-width: 600px; } .region { break-inside: avoid; }
`;

const BODY = `
<h1>mmscope: <span id="program"></span></h1>
<div id="outcome"></div>
<h2>Summary (as VMMap)</h2>
<table id="summary"><thead><tr><th>Type</th><th>Size</th><th>Committed</th><th>Private</th><th>Total WS</th><th>Private WS</th><th>Shareable WS</th><th>Shared WS</th><th>Locked WS</th><th>Blocks</th><th>Largest</th></tr></thead><tbody></tbody></table>
<h2>Address space (2 GiB of user space; drag or scroll to zoom, hover for the VAD)</h2>
<div id="map"></div>
<h2>Details (the allocations in the zoomed range; click one for its pages)</h2>
<div class="scroll"><table id="details"><thead><tr><th>Address</th><th>Type</th><th>Size</th><th>Committed</th><th>Private</th><th>Total WS</th><th>Protection</th><th>Details</th></tr></thead><tbody></tbody></table></div>
<h2>Page faults over time</h2>
<div id="timeline"></div>
<h2>Instructions that took the most faults</h2>
<table id="top-instructions"><thead><tr><th>EIP</th><th>Instruction</th><th>Faults</th><th>How they ended</th></tr></thead><tbody></tbody></table>
<h2>Processes and threads</h2>
<table id="processes"><thead><tr><th>PID</th><th>Parent</th><th>Image</th><th>Command line</th><th>Exit status</th><th>Commit</th><th>Threads</th></tr></thead><tbody></tbody></table>
<div class="scroll"><table id="threads"><thead><tr><th>PID</th><th>TID</th><th>State</th><th>Start address</th><th>TEB</th><th>Stack</th><th>Reserve</th><th>Exit status</th><th>Context switches</th><th>Instructions</th></tr></thead><tbody></tbody></table></div>
<h2>Pages of each allocation</h2>
<div id="page-legend"></div>
<div id="page-grids"></div>
`;

/** Text that can sit inside a <script> element without ending it. */
const scriptSafe = (text: string): string => text.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');

/** The report page for `data`. */
export function renderReportHtml(data: ReportData): string {
  const echartsSource = readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mmscope report: ${escapeHtml(data.program)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<style>${STYLE}</style></head>
<body>${BODY}
<script>${scriptSafe(echartsSource)}</script>
<script>${scriptSafe(`(${renderReport.toString()})(${json});`)}</script>
</body></html>
`;
}

/** Writes the report; the caller maps I/O errors to a message. */
export function writeReport(path: string, data: ReportData): void {
  writeFileSync(path, renderReportHtml(data));
}

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
