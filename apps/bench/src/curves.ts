/**
 * Scaling curves: rows that carry `x` (a message size, a session count, a node count…) are drawn
 * as one chart per suite and figure — a series per contender — and tabled in Markdown.
 *
 * This file measures two families itself: round-trip time vs message size (1 KB → 50 MB) for stdio,
 * WebSocket and HTTP, and idle memory per session and req/s vs open sessions (1 → 10,000) for HTTP
 * and WebSocket. Any suite can add a curve by returning rows with `x` set (the Redis suite's
 * "vs nodes" curve does): `chartsFromRows` picks up every (suite, figure) that has them.
 */
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamableHTTPClientTransport } from '@mcp-transports/sse/client';
import { StreamableHTTPClientTransport as SdkV2Transport } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport as SdkV1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { compare, formatNumber, median, type BenchOptions, type Role, type Row } from './harness.js';
import { markdownTable, roleOf } from './report.js';
import { compactNumber, formatBytes, renderLineChart, type Chart, type Series } from './svg.js';
import * as httpClient from './suites/http-client.js';
import { httpClientFor, startServer, wsClientFor } from './sessions.js';
import type { SessionKind } from './suites/sessions-server.js';
import * as stdio from './suites/stdio.js';
import * as websocket from './suites/websocket.js';

const KB = 1024;
const MB = 1024 * KB;
const LIMIT = 128 * MB;
export const SIZE_FIGURE = 'round trip vs message size';

const progress = (what: string) => process.stderr.write(`  curves: ${what}\n`);

/** Sizes per run: the full run goes to 50 MB; `--quick` stops at 100 KB. */
function sizes(options: BenchOptions): number[] {
  return options.quick ? [KB, 100 * KB] : [KB, 10 * KB, 100 * KB, MB, 10 * MB, 50 * MB];
}

/** Rounds per size: several for small messages, one for the biggest (the SDK's are slow there). */
const roundsFor = (bytes: number, quick: boolean) => (quick ? 1 : bytes >= 10 * MB ? 1 : 3);

/** Turns a `compare` result into curve rows (value = median ms, ratio = median per-round ratio). */
function sizeRows(
  suite: string,
  bytes: number,
  result: { times: Record<string, number[]>; ratios: Record<string, number[]> },
): Row[] {
  const names = Object.keys(result.times);
  return names.map((contender, i) => ({
    suite,
    figure: SIZE_FIGURE,
    contender,
    value: median(result.times[contender]!),
    unit: 'ms',
    x: bytes,
    ...(i === 0 ? {} : { ratio: median(result.ratios[contender]!) }),
  }));
}

async function stdioSizes(options: BenchOptions): Promise<Row[]> {
  const { peers, close } = await stdio.makePeers(true);
  const rows: Row[] = [];
  let id = 1;
  try {
    for (const bytes of sizes(options)) {
      progress(`stdio ${formatBytes(bytes)}`);
      const message = stdio.request(2_000_000 + bytes, { text: 'x'.repeat(bytes) });
      const contenders = Object.fromEntries(
        Object.entries(peers).map(([name, peer]) => [
          name,
          async () => {
            const start = performance.now();
            await stdio.roundTrip(peer, { ...message, id: id++ });
            return performance.now() - start;
          },
        ]),
      );
      rows.push(
        ...sizeRows(
          'stdio',
          bytes,
          await compare(contenders, roundsFor(bytes, options.quick), bytes >= 10 * MB ? 0 : 1),
        ),
      );
    }
  } finally {
    await close();
  }
  return rows;
}

async function websocketSizes(options: BenchOptions): Promise<Row[]> {
  const names = websocket.NAMES;
  const contenders: Record<string, websocket.Contender> = {};
  const conns: Record<string, websocket.Conn> = {};
  for (const name of names) {
    contenders[name] = await websocket.contenderFor(name, LIMIT);
    conns[name] = await contenders[name].connect();
  }
  const rows: Row[] = [];
  try {
    for (const bytes of sizes(options)) {
      progress(`websocket ${formatBytes(bytes)}`);
      const text = 'x'.repeat(bytes);
      const result = await compare(
        Object.fromEntries(
          names.map((name) => [name, async () => (await websocket.roundTrips(conns[name]!, 1, text))[0] as number]),
        ),
        roundsFor(bytes, options.quick),
        bytes >= 10 * MB ? 0 : 1,
      );
      rows.push(...sizeRows('websocket', bytes, result));
    }
  } finally {
    for (const name of names) {
      await conns[name]!.close();
      await contenders[name]!.close();
    }
  }
  return rows;
}

async function httpSizes(options: BenchOptions): Promise<Row[]> {
  const { url, child } = await httpClient.startEcho();
  const contenders: Record<string, httpClient.Contender> = {
    'raw undici keep-alive': httpClient.rawUndici(url),
    ours: await httpClient.viaTransport(new StreamableHTTPClientTransport(url, { maxMessageBytes: LIMIT })),
    'SDK v1': await httpClient.viaTransport(httpClient.quiet(new SdkV1Transport(new URL(url)))),
    'SDK v2': await httpClient.viaTransport(httpClient.quiet(new SdkV2Transport(new URL(url)))),
  };
  const rows: Row[] = [];
  let id = 1;
  try {
    for (const bytes of sizes(options)) {
      progress(`http ${formatBytes(bytes)}`);
      const text = 'x'.repeat(bytes);
      const result = await compare(
        Object.fromEntries(
          Object.entries(contenders).map(([name, c]) => [
            name,
            async () => {
              const start = performance.now();
              await c.roundTrip(id++, text);
              return performance.now() - start;
            },
          ]),
        ),
        roundsFor(bytes, options.quick),
        bytes >= 10 * MB ? 0 : 1,
      );
      rows.push(...sizeRows('http-client', bytes, result));
    }
  } finally {
    for (const c of Object.values(contenders)) await c.close();
    child.stdin?.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
  return rows;
}

// -- sessions ---------------------------------------------------------------------------------

export const MEMORY_FIGURE = 'memory per idle session vs sessions';
export const RPS_FIGURE = 'req/s vs sessions';

const SESSION_KINDS: { suite: string; kind: SessionKind; contender: string; memory: boolean }[] = [
  { suite: 'http-server', kind: 'http-raw', contender: 'raw node:http JSON echo', memory: false },
  { suite: 'http-server', kind: 'http-ours', contender: 'ours stateful', memory: true },
  { suite: 'http-server', kind: 'http-sdk-v1', contender: 'SDK v1 stateful', memory: true },
  { suite: 'websocket', kind: 'ws-raw', contender: 'raw ws + JSON', memory: true },
  { suite: 'websocket', kind: 'ws-ours', contender: 'ours', memory: true },
];

/**
 * Memory per idle session and req/s at 1 → 10,000 open sessions. The server runs in a child;
 * sessions and load come from this process. Memory and load use separate children so the load's
 * leftovers never count as idle memory. One measurement per point (no rounds): a curve's shape is
 * what it shows; the per-round ratios live in the suites' tables.
 */
async function sessionCurves(options: BenchOptions): Promise<Row[]> {
  const counts = options.quick ? [1, 10, 100] : [1, 10, 100, 1000, 10_000];
  // One session's memory is below the heap's noise (a GC moves more than that): from 10 up.
  const memoryCounts = counts.filter((n) => n >= 10);
  const requests = options.quick ? 300 : 3000;
  const rows: Row[] = [];
  for (const { suite, kind, contender, memory } of SESSION_KINDS) {
    const client = (port: number) =>
      kind.startsWith('ws') ? wsClientFor(port) : httpClientFor(port, kind !== 'http-raw');
    if (memory) {
      const server = await startServer(kind);
      const c = client(server.port);
      try {
        await c.open(1); // warm: the first session's one-time costs are not per-session costs
        const base = await server.memory();
        let open = 0;
        for (const n of memoryCounts) {
          progress(`${kind} memory, ${n} sessions`);
          await c.open(n - open);
          open = n;
          const m = await server.memory();
          rows.push({ suite, figure: MEMORY_FIGURE, contender, value: (m.heap - base.heap) / n, unit: 'B', x: n });
        }
      } finally {
        await c.close();
        await server.stop();
      }
    }
    const server = await startServer(kind);
    const c = client(server.port);
    try {
      let open = 0;
      for (const n of counts) {
        progress(`${kind} req/s, ${n} sessions`);
        await c.open(n - open);
        open = n;
        await c.load(Math.min(requests, 300)); // warm-up
        rows.push({ suite, figure: RPS_FIGURE, contender, value: await c.load(requests), unit: 'req/s', x: n });
      }
    } finally {
      await c.close();
      await server.stop();
    }
  }
  return rows;
}

/** Every curve this file measures. */
export async function measureCurves(options: BenchOptions): Promise<Row[]> {
  return [
    ...(await stdioSizes(options)),
    ...(await websocketSizes(options)),
    ...(await httpSizes(options)),
    ...(await sessionCurves(options)),
  ];
}

// -- charts and tables ------------------------------------------------------------------------

export interface CurveOutput {
  /** File name stem: `<suite>-<figure>` slugged. */
  name: string;
  chart: Chart;
  markdown: string;
}

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const spread = (values: number[]) => {
  const positive = values.filter((v) => v > 0);
  return positive.length === 0 ? 1 : Math.max(...positive) / Math.min(...positive);
};

/**
 * One chart (and table) per (suite, figure) among the rows with `x`. A figure named "Y vs X"
 * labels its axes "Y (unit)" and "X"; axes are logarithmic when the values span 100x or more;
 * sizes ("size" in the figure) and bytes (unit B) print as KB/MB.
 */
export function chartsFromRows(rows: readonly Row[]): CurveOutput[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (row.x === undefined) continue;
    const key = `${row.suite}\u0000${row.figure}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const out: CurveOutput[] = [];
  for (const group of groups.values()) {
    const { suite, figure, unit } = group[0] as Row;
    const [what, against] = figure.includes(' vs ') ? figure.split(' vs ', 2) : [figure, 'x'];
    const contenders = [...new Set(group.map((r) => r.contender))];
    const xs = [...new Set(group.map((r) => r.x as number))].sort((a, b) => a - b);
    const formatX = /size/i.test(figure) ? formatBytes : compactNumber;
    // Bytes are drawn in KB, so a linear axis gets round ticks.
    const [yUnit, yScale] = unit === 'B' ? ['KB', 1 / 1024] : [unit, 1];
    const chart: Chart = {
      title: `${suite}: ${figure}`,
      xLabel: against as string,
      yLabel: `${what as string} (${yUnit})`,
      xLog: spread(xs) >= 100,
      yLog: spread(group.map((r) => r.value)) >= 100,
      formatX,
      xTicks: xs,
      series: contenders.map((name) => ({
        name,
        points: group.filter((r) => r.contender === name).map((r) => ({ x: r.x as number, y: r.value * yScale })),
      })),
    };
    const ours = contenders.find((c) => roleOf({ contender: c }) === 'ours');
    const table = markdownTable(
      [against as string, ...contenders.map((c) => (unit === 'B' ? c : `${c} (${unit})`))],
      xs.map((x) => [
        formatX(x),
        ...contenders.map((c) => {
          const row = group.find((r) => r.contender === c && r.x === x);
          if (row === undefined) return '—';
          const ratio = row.ratio !== undefined && c === ours ? ` (${row.ratio.toFixed(2)}x)` : '';
          return `${unit === 'B' ? formatBytes(row.value) : formatNumber(row.value)}${ratio}`;
        }),
      ]),
    );
    out.push({ name: slug(`${suite}-${figure}`), chart, markdown: table });
  }
  return out;
}

const TRANSPORT_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];
const ROLE_DASH: Partial<Record<Role, string>> = { ours: '', sdk: '6 3', raw: '2 3' };

/**
 * Every transport's message-size curve in one chart: ours, the raw medium with JSON and the first
 * SDK per transport — a colour per transport, a dash per role. `undefined` when there is none.
 */
export function combinedSizeChart(rows: readonly Row[]): CurveOutput | undefined {
  const size = rows.filter((r) => r.figure === SIZE_FIGURE && r.x !== undefined);
  const suites = [...new Set(size.map((r) => r.suite))];
  if (suites.length === 0) return undefined;
  const series: Series[] = [];
  suites.forEach((suite, i) => {
    const own = size.filter((r) => r.suite === suite);
    for (const role of ['ours', 'raw', 'sdk'] as const) {
      const name = own.find((r) => roleOf(r) === role)?.contender;
      if (name === undefined) continue;
      series.push({
        name: `${suite}: ${name}`,
        color: TRANSPORT_COLORS[i % TRANSPORT_COLORS.length],
        dash: ROLE_DASH[role],
        points: own.filter((r) => r.contender === name).map((r) => ({ x: r.x as number, y: r.value })),
      });
    }
  });
  const xs = [...new Set(size.map((r) => r.x as number))].sort((a, b) => a - b);
  const chart: Chart = {
    title: 'Round trip vs message size, every transport',
    xLabel: 'message size',
    yLabel: 'round trip (ms)',
    xLog: true,
    yLog: true,
    formatX: formatBytes,
    xTicks: xs,
    height: 480,
    series,
  };
  const table = markdownTable(
    ['message size', ...series.map((s) => `${s.name} (ms)`)],
    xs.map((x) => [
      formatBytes(x),
      ...series.map((s) => {
        const p = s.points.find((q) => q.x === x);
        return p === undefined ? '—' : formatNumber(p.y);
      }),
    ]),
  );
  return { name: 'message-size-all', chart, markdown: table };
}

/**
 * Writes `<dir>/<name>.svg` per curve and `<dir>/curves.md` (every chart and table), returning
 * the written paths. `header` goes at the top of curves.md (machine, date, command).
 */
export function writeCurves(dir: string, rows: readonly Row[], header: string): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const md = ['# Scaling curves', '', header, ''];
  const combined = combinedSizeChart(rows);
  for (const curve of [...(combined === undefined ? [] : [combined]), ...chartsFromRows(rows)]) {
    const file = join(dir, `${curve.name}.svg`);
    writeFileSync(file, renderLineChart(curve.chart));
    written.push(file);
    md.push(`## ${curve.chart.title}`, '', `![${curve.chart.title}](${curve.name}.svg)`, '', curve.markdown, '');
  }
  const index = join(dir, 'curves.md');
  writeFileSync(index, md.join('\n'));
  written.push(index);
  return written;
}
