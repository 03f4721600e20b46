/**
 * A small, dependency-free SVG line chart: log or linear axes, tick labels, axis titles, a legend.
 * Deterministic (same input, same bytes), so the charts in docs/bench diff cleanly.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: readonly Point[];
  /** Stroke colour and dash pattern (default: the palette, cycled). */
  color?: string;
  dash?: string;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Logarithmic axes (base 10); non-positive values cannot be drawn on them and are dropped. */
  xLog?: boolean;
  yLog?: boolean;
  /** Tick label formatters (default: compact numbers, 1k / 1M). */
  formatX?: (value: number) => string;
  formatY?: (value: number) => string;
  /** Tick positions on x (default: powers of ten on a log axis, round steps on a linear one). */
  xTicks?: readonly number[];
  width?: number;
  height?: number;
}

/** Colour-blind-safe palette (Okabe–Ito), cycled per series. */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/** 1234 → "1.2k", 5e6 → "5M", 0.05 → "0.05". */
export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  const trim = (n: number) => String(Number(n.toPrecision(3)));
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

/** Byte counts on a binary scale: 1024 → "1 KB", 52428800 → "50 MB". */
export function formatBytes(value: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${String(Number(v.toPrecision(3)))} ${units[i]}`;
}

interface Scale {
  toPixel: (value: number) => number;
  ticks: number[];
}

function scale(
  values: readonly number[],
  log: boolean,
  from: number,
  to: number,
  fixedTicks?: readonly number[],
): Scale {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (fixedTicks !== undefined && fixedTicks.length > 0) {
    const ticks = fixedTicks.filter((t) => Number.isFinite(t) && (!log || t > 0));
    lo = Math.min(lo, ...ticks);
    hi = Math.max(hi, ...ticks);
    if (lo === hi) hi = log ? lo * 10 : lo + 1;
    const f = log ? Math.log10 : (v: number) => v;
    const [a, b] = [f(lo), f(hi)];
    return { toPixel: (v) => from + ((f(v) - a) / (b - a)) * (to - from), ticks };
  }
  if (log) {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
    if (lo === hi) hi = lo * 10;
    const [a, b] = [Math.log10(lo), Math.log10(hi)];
    const ticks: number[] = [];
    // Every power of ten; every other one when there are many decades.
    const step = b - a > 8 ? 2 : 1;
    for (let e = a; e <= b; e += step) ticks.push(10 ** e);
    return { toPixel: (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from), ticks };
  }
  if (lo > 0) lo = 0; // linear axes start at zero
  if (lo === hi) hi = lo + 1;
  const rough = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= rough) as number) * magnitude;
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { toPixel: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks };
}

const fixed = (n: number) => n.toFixed(1);

/**
 * Renders `chart` as a standalone SVG document. Throws on a chart with nothing to draw (no series,
 * or no point that the axes can show), since an empty chart in the docs is a bug upstream.
 */
export function renderLineChart(chart: Chart): string {
  const height = chart.height ?? 420;
  const drawable = (p: Point) =>
    Number.isFinite(p.x) && Number.isFinite(p.y) && (!chart.xLog || p.x > 0) && (!chart.yLog || p.y > 0);
  const series = chart.series.map((s) => ({ ...s, points: s.points.filter(drawable) }));
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) throw new Error(`chart "${chart.title}": no drawable points`);

  // Room for the longest legend entry (about 7 px per character at 12 px).
  const legendWidth = 40 + 7 * Math.max(...series.map((s) => s.name.length));
  const width = chart.width ?? 560 + legendWidth;
  const margin = { top: 40, right: legendWidth + 20, bottom: 56, left: 72 };
  const plot = { x0: margin.left, x1: width - margin.right, y0: height - margin.bottom, y1: margin.top };
  const xs = scale(
    all.map((p) => p.x),
    chart.xLog === true,
    plot.x0,
    plot.x1,
    chart.xTicks,
  );
  const ys = scale(
    all.map((p) => p.y),
    chart.yLog === true,
    plot.y0,
    plot.y1,
  );
  const fx = chart.formatX ?? compactNumber;
  const fy = chart.formatY ?? compactNumber;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${fixed(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  // Grid and tick labels.
  out.push('<g class="grid" stroke="#e0e0e0" stroke-width="1">');
  for (const t of xs.ticks)
    out.push(`<line x1="${fixed(xs.toPixel(t))}" y1="${plot.y0}" x2="${fixed(xs.toPixel(t))}" y2="${plot.y1}"/>`);
  for (const t of ys.ticks)
    out.push(`<line x1="${plot.x0}" y1="${fixed(ys.toPixel(t))}" x2="${plot.x1}" y2="${fixed(ys.toPixel(t))}"/>`);
  out.push('</g>');
  out.push('<g class="ticks" fill="#333333">');
  for (const t of xs.ticks)
    out.push(`<text x="${fixed(xs.toPixel(t))}" y="${plot.y0 + 16}" text-anchor="middle">${escapeXml(fx(t))}</text>`);
  for (const t of ys.ticks)
    out.push(`<text x="${plot.x0 - 6}" y="${fixed(ys.toPixel(t) + 4)}" text-anchor="end">${escapeXml(fy(t))}</text>`);
  out.push('</g>');
  out.push(
    `<rect class="frame" x="${plot.x0}" y="${plot.y1}" width="${plot.x1 - plot.x0}" height="${plot.y0 - plot.y1}" fill="none" stroke="#888888"/>`,
    `<text class="x-label" x="${fixed((plot.x0 + plot.x1) / 2)}" y="${height - 14}" text-anchor="middle">${escapeXml(chart.xLabel + (chart.xLog === true ? ' (log)' : ''))}</text>`,
    `<text class="y-label" transform="translate(16 ${fixed((plot.y0 + plot.y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel + (chart.yLog === true ? ' (log)' : ''))}</text>`,
  );
  // One polyline and its markers per series, then the legend entry.
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const dash = s.dash ?? DASHES[Math.floor(i / COLORS.length) % DASHES.length];
    const points = [...s.points].sort((a, b) => a.x - b.x);
    const coords = points.map((p) => `${fixed(xs.toPixel(p.x))},${fixed(ys.toPixel(p.y))}`);
    out.push(`<g class="series" data-name="${escapeXml(s.name)}">`);
    if (coords.length > 1)
      out.push(
        `<polyline points="${coords.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>`,
      );
    for (const [j, c] of coords.entries()) {
      const [cx, cy] = c.split(',');
      const p = points[j] as Point;
      out.push(
        `<circle cx="${cx}" cy="${cy}" r="3" fill="${color}"><title>${escapeXml(`${s.name}: ${fx(p.x)} → ${fy(p.y)}`)}</title></circle>`,
      );
    }
    out.push('</g>');
    const ly = margin.top + 8 + i * 20;
    const lx = plot.x1 + 16;
    out.push(
      `<g class="legend"><line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"${dash === '' ? '' : ` stroke-dasharray="${dash}"`}/>` +
        `<text x="${lx + 28}" y="${ly + 4}">${escapeXml(s.name)}</text></g>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
