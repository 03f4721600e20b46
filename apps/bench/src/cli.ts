/**
 * `pnpm bench [--quick] [--json FILE] [--markdown FILE] [--only SUITE,...] [--curves DIR]`
 *
 * Runs every suite side by side and prints one table: each figure for ours, the official SDK's
 * equivalent and the raw medium, with ratios computed within each round.
 *
 * `--curves DIR` measures the scaling curves instead (message size, open sessions) and writes
 * DIR/*.svg, DIR/curves.md and DIR/curves.json. With `--only`, just the named suites run (name
 * `curves` to measure these curves too), and their curve rows (rows with `x`, e.g. the Redis suite's
 * "vs nodes") replace the same curves in DIR/curves.json; every other saved curve is kept and redrawn.
 * `--render FILE` (with `--curves DIR`) redraws them from a saved JSON output, measuring nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchOptions, Row } from './harness.js';
import { measureCurves, writeCurves } from './curves.js';
import { renderMarkdown, renderTable } from './report.js';
import { coreSuite } from './suites/core.js';
import { httpClientSuite } from './suites/http-client.js';
import { httpServerSuite } from './suites/http-server.js';
import { redisSuite } from './suites/redis.js';
import { stdioSuite } from './suites/stdio.js';
import { websocketSuite } from './suites/websocket.js';

const suites: Record<string, (options: BenchOptions) => Promise<Row[]>> = {
  core: coreSuite,
  'http-client': httpClientSuite,
  'http-server': httpServerSuite,
  redis: redisSuite,
  stdio: stdioSuite,
  websocket: websocketSuite,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    markdown: { type: 'string' },
    only: { type: 'string' },
    curves: { type: 'string' },
    render: { type: 'string' },
  },
});

if (values.render !== undefined) {
  if (values.curves === undefined) throw new Error('--render FILE needs --curves DIR (where to write the charts)');
  const saved = JSON.parse(readFileSync(values.render, 'utf8')) as { rows: Row[]; header?: string };
  for (const file of writeCurves(values.curves, saved.rows, saved.header ?? '')) console.log(`wrote ${file}`);
  process.exit(0);
}

/** The saved header with one line saying these suites' curves were re-measured today (replacing an older such line). */
function remeasured(header: string, suites: string): string {
  const line = `Curves of ${suites} re-measured on ${new Date().toISOString().slice(0, 10)}.`;
  const kept = header.split('\n\n').filter((paragraph) => !paragraph.startsWith(`Curves of ${suites} re-measured`));
  return [...kept, line].join('\n\n');
}

const selected =
  values.only === undefined ? (values.curves === undefined ? Object.keys(suites) : []) : values.only.split(',');
const options: BenchOptions = { quick: values.quick };
const rows: Row[] = [];
console.log(
  `mcp-transports bench${options.quick ? ' (quick)' : ''} — Node ${process.version}, ${process.platform}/${process.arch}`,
);
for (const name of selected) {
  if (name === 'curves' && values.curves !== undefined) continue;
  const suite = suites[name];
  if (suite === undefined) throw new Error(`unknown suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
  process.stdout.write(`running ${name}…\n`);
  rows.push(...(await suite(options)));
}
let header: string | undefined;
if (values.curves !== undefined) {
  const measureAll = values.only === undefined || selected.includes('curves');
  if (measureAll) {
    process.stdout.write('running curves…\n');
    rows.push(...(await measureCurves(options)));
  }
  header = `Measured by \`pnpm bench:curves\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} cores (shared with other work, so single points are noisy).`;
  // Curves measured now replace the same (suite, figure) in the saved set; the rest are kept.
  const key = (r: Row) => `${r.suite}\u0000${r.figure}`;
  const fresh = rows.filter((r) => r.x !== undefined);
  const measured = new Set(fresh.map(key));
  const savedFile = join(values.curves, 'curves.json');
  const saved = existsSync(savedFile)
    ? (JSON.parse(readFileSync(savedFile, 'utf8')) as { rows: Row[]; header?: string })
    : undefined;
  const kept = saved === undefined ? [] : saved.rows.filter((r) => !measured.has(key(r)));
  // A partial run keeps the saved description of the machine and run; it adds a line for itself.
  if (!measureAll && saved?.header !== undefined)
    header =
      fresh.length === 0 ? saved.header : remeasured(saved.header, [...new Set(fresh.map((r) => r.suite))].join(', '));
  const curveRows = [...kept, ...fresh];
  for (const file of writeCurves(values.curves, curveRows, header)) console.log(`wrote ${file}`);
  writeFileSync(savedFile, `${JSON.stringify({ node: process.version, header, rows: curveRows }, null, 2)}\n`);
}
console.log(`\n${renderTable(rows)}`);
if (values.json !== undefined)
  writeFileSync(
    values.json,
    `${JSON.stringify({ node: process.version, quick: options.quick, header, rows }, null, 2)}\n`,
  );
if (values.markdown !== undefined) writeFileSync(values.markdown, `${renderMarkdown(rows)}\n`);
