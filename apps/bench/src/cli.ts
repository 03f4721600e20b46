/**
 * `pnpm bench [--quick] [--json FILE] [--markdown FILE] [--only SUITE,...]`
 *
 * Runs every suite side by side and prints one table: each figure for ours, the official SDK's
 * equivalent and the raw medium, with ratios computed within each round.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BenchOptions, Row } from './harness.js';
import { renderMarkdown, renderTable } from './report.js';
import { coreSuite } from './suites/core.js';
import { httpClientSuite } from './suites/http-client.js';
import { redisSuite } from './suites/redis.js';
import { stdioSuite } from './suites/stdio.js';

const suites: Record<string, (options: BenchOptions) => Promise<Row[]>> = {
  core: coreSuite,
  'http-client': httpClientSuite,
  redis: redisSuite,
  stdio: stdioSuite,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    markdown: { type: 'string' },
    only: { type: 'string' },
  },
});

const selected = values.only === undefined ? Object.keys(suites) : values.only.split(',');
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
console.log(`\n${renderTable(rows)}`);
if (values.json !== undefined)
  writeFileSync(values.json, `${JSON.stringify({ node: process.version, quick: options.quick, rows }, null, 2)}\n`);
if (values.markdown !== undefined) writeFileSync(values.markdown, `${renderMarkdown(rows)}\n`);
