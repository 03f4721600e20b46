import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { chartsFromRows, combinedSizeChart, SIZE_FIGURE, writeCurves } from './curves.js';
import type { Row } from './harness.js';
import { compactNumber, escapeXml, formatBytes, renderLineChart, type Chart } from './svg.js';

/** Minimal XML well-formedness check: one root, every tag closed in order, attributes quoted. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  let roots = 0;
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<|>/g)) {
    const [token, closing, name, , selfClosing] = match;
    if (name === undefined) throw new Error(`stray "${token}" at ${match.index}`);
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (selfClosing !== '/') {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const circles = (svg: string, series: string) => {
  const group = new RegExp(`<g class="series" data-name="${series}">([\\s\\S]*?)</g>`).exec(svg);
  if (group === null) throw new Error(`no series ${series}`);
  return [...(group[1] as string).matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => ({
    cx: Number(m[1]),
    cy: Number(m[2]),
  }));
};

const chart: Chart = {
  title: 'round trip <vs> size & more',
  xLabel: 'message size',
  yLabel: 'ms',
  xLog: true,
  yLog: true,
  formatX: formatBytes,
  series: [
    {
      name: 'ours',
      points: [
        { x: 1000, y: 1 },
        { x: 10, y: 0.01 },
        { x: 100, y: 0.1 },
      ],
    },
    {
      name: 'raw "JSON"',
      points: [
        { x: 10, y: 0.02 },
        { x: 1000, y: -5 }, // not drawable on a log axis: dropped
      ],
    },
  ],
};

describe('renderLineChart', () => {
  const svg = renderLineChart(chart);

  test('is a well-formed, standalone SVG document with the title escaped', () => {
    assertWellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>round trip &lt;vs&gt; size &amp; more</title>');
    expect(svg).not.toContain('<vs>');
  });

  test('draws one series per input, with a marker per drawable point and a legend entry', () => {
    expect([...svg.matchAll(/<g class="series"/g)]).toHaveLength(2);
    expect([...svg.matchAll(/<g class="legend">/g)]).toHaveLength(2);
    expect(circles(svg, 'ours')).toHaveLength(3);
    expect(circles(svg, 'raw &quot;JSON&quot;')).toHaveLength(1);
    expect(svg).toContain('>raw &quot;JSON&quot;</text>');
  });

  test('places points on log axes: each decade is the same distance, larger values further right/up', () => {
    const [a, b, c] = circles(svg, 'ours').sort((p, q) => p.cx - q.cx) as [
      { cx: number; cy: number },
      { cx: number; cy: number },
      { cx: number; cy: number },
    ];
    expect(b.cx - a.cx).toBeCloseTo(c.cx - b.cx, 0);
    expect(a.cy - b.cy).toBeCloseTo(b.cy - c.cy, 0);
    expect(c.cy).toBeLessThan(a.cy); // SVG y grows downwards
    // The polyline joins the points in x order.
    expect(svg).toMatch(new RegExp(`points="${a.cx.toFixed(1)},${a.cy.toFixed(1)} ${b.cx.toFixed(1)},`));
  });

  test('labels ticks with the formatters and marks log axes', () => {
    expect(svg).toContain('>10 B</text>');
    expect(svg).toContain('>1000 B</text>');
    expect(svg).toContain('message size (log)');
    expect(svg).toContain('>0.01</text>');
  });

  test('is deterministic', () => {
    expect(renderLineChart(chart)).toBe(svg);
  });

  test('linear axes start at zero', () => {
    const linear = renderLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            { x: 5, y: 50 },
            { x: 10, y: 100 },
          ],
        },
      ],
    });
    assertWellFormed(linear);
    expect(linear).toMatch(/text-anchor="end">0<\/text>/);
    expect(linear).not.toContain('(log)');
  });

  test('a chart with nothing drawable is an error, not an empty picture', () => {
    expect(() => renderLineChart({ ...chart, series: [] })).toThrow(/no drawable points/);
    expect(() => renderLineChart({ ...chart, series: [{ name: 'x', points: [{ x: 0, y: 1 }] }] })).toThrow(
      /no drawable points/,
    );
  });

  test('number and byte formatting', () => {
    expect(compactNumber(1500)).toBe('1.5k');
    expect(compactNumber(10_000)).toBe('10k');
    expect(compactNumber(2_000_000)).toBe('2M');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('curves from rows', () => {
  const KB = 1024;
  const sizeRows: Row[] = [KB, 1024 * KB, 50 * 1024 * KB].flatMap((x, i) => [
    { suite: 'stdio', figure: SIZE_FIGURE, contender: 'raw pipe + JSON', value: 10 ** i, unit: 'ms', x },
    { suite: 'stdio', figure: SIZE_FIGURE, contender: 'ours', value: 2 * 10 ** i, unit: 'ms', x, ratio: 2 },
    { suite: 'stdio', figure: SIZE_FIGURE, contender: 'SDK v1', value: 30 * 10 ** i, unit: 'ms', x, ratio: 30 },
  ]);
  // The hook another suite uses: rows with `x` and a "Y vs X" figure become a chart.
  const nodeRows: Row[] = [1, 2, 4].map((x) => ({
    suite: 'redis',
    figure: 'req/s vs nodes',
    contender: 'ours',
    value: 1000 * x,
    unit: 'req/s',
    x,
  }));
  const tableRow: Row = { suite: 'stdio', figure: 'round trip p50', contender: 'ours', value: 1, unit: 'ms' };

  test('one chart per suite and figure, a series per contender, axes from the figure name', () => {
    const curves = chartsFromRows([...sizeRows, tableRow, ...nodeRows]);
    expect(curves.map((c) => c.name)).toEqual(['stdio-round-trip-vs-message-size', 'redis-req-s-vs-nodes']);
    const [size, nodes] = curves as [(typeof curves)[0], (typeof curves)[0]];
    expect(size.chart.series.map((s) => s.name)).toEqual(['raw pipe + JSON', 'ours', 'SDK v1']);
    expect(size.chart.xLog).toBe(true);
    expect(size.chart.yLog).toBe(true);
    expect(size.chart.xLabel).toBe('message size');
    expect(size.chart.yLabel).toBe('round trip (ms)');
    expect(nodes.chart.xLabel).toBe('nodes');
    expect(nodes.chart.xLog).toBe(false); // 1 → 4 is not worth a log axis
    expect(size.markdown.replace(/ {2,}/g, ' ')).toContain('| 50 MB | 100 | 200 (2.00x) | 3000 |');
    assertWellFormed(renderLineChart(size.chart));
    assertWellFormed(renderLineChart(nodes.chart));
  });

  test('the combined size chart has ours, raw and SDK per transport', () => {
    const combined = combinedSizeChart([
      ...sizeRows,
      ...sizeRows.map((r) => ({ ...r, suite: 'websocket', contender: r.contender.replace('pipe', 'ws') })),
    ]);
    expect(combined?.chart.series.map((s) => s.name)).toEqual([
      'stdio: ours',
      'stdio: raw pipe + JSON',
      'stdio: SDK v1',
      'websocket: ours',
      'websocket: raw ws + JSON',
      'websocket: SDK v1',
    ]);
    expect(combinedSizeChart(nodeRows)).toBeUndefined();
  });

  const dir = mkdtempSync(join(tmpdir(), 'bench-curves-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writeCurves writes an SVG per chart and an index linking them', () => {
    const files = writeCurves(dir, [...sizeRows, ...nodeRows], 'Measured here.');
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'message-size-all.svg',
      'stdio-round-trip-vs-message-size.svg',
      'redis-req-s-vs-nodes.svg',
      'curves.md',
    ]);
    const index = readFileSync(join(dir, 'curves.md'), 'utf8');
    expect(index).toContain('Measured here.');
    expect(index).toContain('![redis: req/s vs nodes](redis-req-s-vs-nodes.svg)');
    assertWellFormed(readFileSync(join(dir, 'message-size-all.svg'), 'utf8'));
  });
});
