// The report page's own script. html.ts inlines this function's source into
// the page (after the bundled ECharts) and calls it with the report's data,
// so it must not refer to anything outside itself but `echarts` and the DOM.
import type { ReportData, RegionRow } from './report-data.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const echarts: any;

export function renderReport(data: ReportData): void {
  const TYPE_COLORS: Record<string, string> = {
    Image: '#c39bd3', 'Mapped File': '#85c1e9', Shareable: '#76d7c4', Heap: '#f0b27a', Stack: '#f7dc6f',
    'Private Data': '#f9e79f', 'Page Table': '#aab7b8', Free: '#f2f3f4',
  };
  const KIND_COLORS = ['#e5e7e9', '#fcf3cf', '#aed6f1', '#82e0aa', '#e74c3c', '#f39c12', '#bb8fce', '#2e86c1'];
  const KIND_TEXT: Record<string, string> = {
    reserved: 'reserved (not committed)', 'demand-zero': 'committed, demand-zero (no frame yet)', 'in-file': 'committed, in the file (not read yet)',
    'valid-clean': 'valid, clean', 'valid-dirty': 'valid, dirty (written)', guard: 'guard page', transition: 'transition (a frame, no valid PTE)',
    'copy-on-write': 'copy-on-write (not copied yet)',
  };
  const $ = (id: string): HTMLElement => document.getElementById(id)!;
  const hex = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');
  const kb = (bytes: number): string => (bytes ? `${Math.round(bytes / 1024).toLocaleString('en-US')} K` : '');
  const cell = (tag: string, text: string, attributes: Record<string, string | number> = {}): HTMLElement => {
    const element = document.createElement(tag);
    element.textContent = text;
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
    return element;
  };
  const row = (cells: HTMLElement[]): HTMLTableRowElement => {
    const tr = document.createElement('tr');
    tr.append(...cells);
    return tr;
  };
  const bytesCell = (bytes: number, key: string): HTMLElement => cell('td', kb(bytes), { 'data-key': key, 'data-bytes': bytes, class: 'num' });

  $('program').textContent = data.program;
  $('outcome').textContent = data.outcome;

  // VMMap's summary table.
  const summaryColumns = ['size', 'committed', 'private', 'totalWs', 'privateWs', 'shareableWs', 'sharedWs', 'lockedWs'] as const;
  const summaryBody = $('summary').querySelector('tbody')!;
  const total: Record<string, number> = {};
  for (const entry of data.summary) {
    const swatch = cell('td', entry.type, { class: 'type' });
    swatch.style.borderLeft = `12px solid ${TYPE_COLORS[entry.type]}`;
    const tr = row([swatch, ...summaryColumns.map((key) => bytesCell(entry[key], key)),
      cell('td', entry.blocks ? String(entry.blocks) : '', { 'data-key': 'blocks', class: 'num' }), bytesCell(entry.largest, 'largest')]);
    tr.setAttribute('data-type', entry.type);
    summaryBody.append(tr);
    if (entry.type !== 'Free') for (const key of summaryColumns) total[key] = (total[key] ?? 0) + entry[key];
  }
  summaryBody.append(row([cell('td', 'Total (without Free)', { class: 'type' }), ...summaryColumns.map((key) => bytesCell(total[key]!, key)), cell('td', ''), cell('td', '')]));

  // The address-space map: every allocation as a block along the 2 GiB, coloured by type.
  const blocks = [
    ...data.free.map((range) => ({ start: range.start, size: range.size, type: 'Free', region: undefined as RegionRow | undefined })),
    ...data.regions.map((region) => ({ start: region.start, size: region.size, type: region.type, region })),
  ];
  const map = echarts.init($('map'), null, { renderer: 'canvas' });
  const describe = (block: (typeof blocks)[number]): string => {
    const region = block.region;
    const lines = [`<b>${block.type}</b> ${hex(block.start)}-${hex(block.start + block.size - 1)}`, `size ${kb(block.size)}`];
    if (region) lines.push(`committed ${kb(region.committed) || '0 K'}, working set ${kb(region.totalWs) || '0 K'}`, `protection ${region.protection}`);
    const vad = region?.vad;
    if (vad) {
      lines.push(`!vad: level ${vad.level}, VPN ${vad.startingVpn.toString(16)}-${vad.endingVpn.toString(16)}, commit ${vad.commitCharge}, ${vad.privateMemory ? 'Private' : 'Mapped'}, ${vad.vadType}${vad.memCommit ? ', MEM_COMMIT' : ''}`);
      if (vad.controlArea) lines.push(`ControlArea ${vad.controlArea.id} (views ${vad.controlArea.mappedViews}, sections ${vad.controlArea.sectionReferences}), first prototype PTE ${hex(vad.controlArea.firstPrototypePte)}`);
    }
    if (region?.details) lines.push(region.details);
    return lines.join('<br>');
  };
  map.setOption({
    animation: false,
    grid: { left: 20, right: 20, top: 10, bottom: 60 },
    tooltip: { formatter: (params: any) => describe(blocks[params.dataIndex]!) },
    xAxis: { type: 'value', min: 0, max: 0x80000000, axisLabel: { formatter: (value: number) => hex(value) } },
    yAxis: { type: 'value', min: 0, max: 1, show: false },
    dataZoom: [{ type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', labelFormatter: (value: number) => hex(value) }, { type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' }],
    series: [{
      type: 'custom',
      encode: { x: [0, 1] },
      data: blocks.map((block) => [block.start, block.start + block.size]),
      renderItem: (params: any, api: any) => {
        const block = blocks[params.dataIndex]!;
        const from = api.coord([api.value(0), 1]);
        const to = api.coord([api.value(1), 0]);
        const shape = echarts.graphic.clipRectByRect(
          { x: from[0], y: from[1], width: Math.max(2, to[0] - from[0]), height: to[1] - from[1] },
          { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height },
        );
        return shape && { type: 'rect', shape, style: { fill: TYPE_COLORS[block.type], stroke: block.type === 'Free' ? '#d5d8dc' : '#566573', lineWidth: 0.5 } };
      },
    }],
  });

  // VMMap's details view, showing the allocations inside the map's zoom window.
  const details = $('details').querySelector('tbody')!;
  const showDetails = (from: number, to: number): void => {
    details.replaceChildren(...data.regions.filter((region) => region.start + region.size > from && region.start < to).map((region) => {
      const tr = row([
        cell('td', hex(region.start), { class: 'mono' }), cell('td', region.type), bytesCell(region.size, 'size'), bytesCell(region.committed, 'committed'),
        bytesCell(region.private, 'private'), bytesCell(region.totalWs, 'totalWs'), cell('td', region.protection), cell('td', region.details),
      ]);
      tr.setAttribute('data-start', String(region.start));
      tr.addEventListener('click', () => document.getElementById(`pages-${hex(region.start)}`)?.scrollIntoView());
      return tr;
    }));
  };
  showDetails(0, 0x80000000);
  map.on('datazoom', () => {
    const zoom = map.getOption().dataZoom[0];
    showDetails(zoom.startValue ?? 0, zoom.endValue ?? 0x80000000);
  });

  // A page grid per allocation: one cell per page, coloured by its state.
  const legend = $('page-legend');
  data.pageKinds.forEach((kind, i) => {
    const item = cell('span', KIND_TEXT[kind] ?? kind, { class: 'legend-item' });
    item.style.setProperty('--swatch', KIND_COLORS[i]!);
    legend.append(item);
  });
  const MAX_CELLS = 8192;
  const grids = $('page-grids');
  for (const region of data.regions.filter((r) => r.pages.length)) {
    const section = cell('section', '', { id: `pages-${hex(region.start)}`, class: 'region', 'data-pages': region.pages });
    const pages = region.pages.length;
    section.append(cell('h3', `${hex(region.start)} ${region.type} ${region.details} — ${pages} pages${pages > MAX_CELLS ? ` (first ${MAX_CELLS} shown)` : ''}`));
    const canvas = document.createElement('canvas');
    const size = 9, columns = 64, shown = Math.min(pages, MAX_CELLS);
    canvas.width = columns * size;
    canvas.height = Math.ceil(shown / columns) * size;
    const context = canvas.getContext('2d')!;
    for (let i = 0; i < shown; i++) {
      context.fillStyle = KIND_COLORS[Number(region.pages[i])]!;
      context.fillRect((i % columns) * size, Math.floor(i / columns) * size, size - 1, size - 1);
    }
    canvas.addEventListener('mousemove', (event) => {
      const i = Math.floor(event.offsetY / size) * columns + Math.floor(event.offsetX / size);
      canvas.title = i < shown ? `${hex(region.start + i * 4096)}: ${data.pageKinds[Number(region.pages[i])]}` : '';
    });
    section.append(canvas);
    grids.append(section);
  }

  // The fault timeline: faults per interval by resolution, with commit and resident pages.
  const timeline = echarts.init($('timeline'), null, { renderer: 'canvas' });
  const bucketMs = data.timeline.bucketUs / 1000;
  const startMs = data.timeline.startUs / 1000;
  const step = (points: [number, number][]): [number, number][] => points.map(([us, pages]) => [us / 1000, pages]);
  timeline.setOption({
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: 'axis' },
    grid: { left: 60, right: 70, top: 40, bottom: 60 },
    dataZoom: [{ type: 'slider' }, { type: 'inside' }],
    xAxis: { type: 'value', name: 'ms', min: Math.floor(startMs), max: Math.ceil(startMs + bucketMs * 100) },
    yAxis: [{ type: 'value', name: 'faults' }, { type: 'value', name: 'pages', position: 'right' }],
    series: [
      ...Object.entries(data.timeline.faults).map(([resolution, counts]) => ({
        name: resolution, type: 'bar', stack: 'faults', barWidth: '60%', yAxisIndex: 0,
        data: counts.map((count, i) => [startMs + (i + 0.5) * bucketMs, count]),
      })),
      { name: 'commit charge', type: 'line', step: 'end', yAxisIndex: 1, showSymbol: false, data: step(data.timeline.commit) },
      { name: 'resident pages', type: 'line', step: 'end', yAxisIndex: 1, showSymbol: false, data: step(data.timeline.resident) },
    ],
  });

  const top = $('top-instructions').querySelector('tbody')!;
  for (const entry of data.topInstructions) {
    top.append(row([
      cell('td', hex(entry.eip), { class: 'mono' }), cell('td', entry.instruction, { class: 'mono' }), cell('td', String(entry.faults), { class: 'num' }),
      cell('td', Object.entries(entry.resolutions).map(([how, count]) => `${count} ${how}`).join(', ')),
    ]));
  }
  // The processes of the run (Process Explorer's list) and every thread of each (its Threads tab).
  const status = (value: number | null): string => (value === null ? 'running' : `0x${hex(value)}`);
  const processRows = $('processes').querySelector('tbody')!;
  const threadRows = $('threads').querySelector('tbody')!;
  for (const process of data.processes) {
    const tr = row([
      cell('td', String(process.pid), { class: 'num' }), cell('td', String(process.parentPid), { class: 'num' }), cell('td', process.image),
      cell('td', process.commandLine, { class: 'mono' }), cell('td', status(process.exitStatus), { class: 'mono' }),
      bytesCell(process.commitPages * 4096, 'commit'), cell('td', String(process.threads.length), { class: 'num' }),
    ]);
    tr.setAttribute('data-pid', String(process.pid));
    processRows.append(tr);
    for (const thread of process.threads) {
      const reserve = thread.stack.end - thread.stack.start + 1;
      const threadRow = row([
        cell('td', String(process.pid), { class: 'num' }), cell('td', String(thread.tid), { class: 'num' }), cell('td', thread.state),
        cell('td', hex(thread.startAddress), { class: 'mono' }), cell('td', hex(thread.teb), { class: 'mono', 'data-key': 'teb' }),
        cell('td', `${hex(thread.stack.start)}-${hex(thread.stack.end)}`, { class: 'mono' }), bytesCell(reserve, 'reserve'),
        cell('td', status(thread.state === 'terminated' ? thread.exitStatus : null), { class: 'mono', 'data-key': 'exit' }),
        cell('td', String(thread.contextSwitches), { class: 'num', 'data-key': 'switches' }), cell('td', String(thread.instructions), { class: 'num' }),
      ]);
      threadRow.setAttribute('data-tid', String(thread.tid));
      threadRows.append(threadRow);
    }
  }

  window.addEventListener('resize', () => { map.resize(); timeline.resize(); });
  document.body.setAttribute('data-rendered', 'true');
}
