/**
 * `pnpm bench [--quick] [--json FILE] [--markdown FILE] [--only SUITE,...] [--curves DIR]`
 *
 * Runs every suite side by side and prints one table: each figure for ours, the official SDK's
 * equivalent and the raw medium, with ratios computed within each round.
 *
 * `--curves DIR` measures the scaling curves instead (message size, open sessions; plus any curve
 * rows of the suites named by `--only`) and writes DIR/*.svg and DIR/curves.md.
 * `--render FILE` (with `--curves DIR`) redraws them from a saved `--json` output, measuring nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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

const selected =
  values.only === undefined ? (values.curves === undefined ? Object.keys(suites) : []) : values.only.split(',');
const options: BenchOptions = { quick: values.quick };
const rows: Row[] = [];
console.log(
  `mcp-transports bench${options.quick ? ' (quick)' : ''} — Node ${process.version}, ${process.platform}/${process.arch}`,
);
for (const name of selected) {
  const suite = suites[name];
  if (suite === undefined) throw new Error(`unknown suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
  process.stdout.write(`running ${name}…\n`);
  rows.push(...(await suite(options)));
}
let header: string | undefined;
if (values.curves !== undefined) {
  process.stdout.write('running curves…\n');
  rows.push(...(await measureCurves(options)));
  header = `Measured by \`pnpm bench:curves\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${process.platform}/${process.arch}, ${os.cpus().length} cores (shared with other work, so single points are noisy).`;
  for (const file of writeCurves(values.curves, rows, header)) console.log(`wrote ${file}`);
}
console.log(`\n${renderTable(rows)}`);
if (values.json !== undefined)
  writeFileSync(
    values.json,
    `${JSON.stringify({ node: process.version, quick: options.quick, header, rows }, null, 2)}\n`,
  );
if (values.markdown !== undefined) writeFileSync(values.markdown, `${renderMarkdown(rows)}\n`);
