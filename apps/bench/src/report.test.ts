import { expect, test } from 'vitest';
import type { Row } from './harness.js';
import { renderMarkdown, renderTable, roleOf, toLines } from './report.js';

const rows: Row[] = [
  { suite: 'stdio', figure: 'round trip p50', contender: 'raw pipe + JSON', value: 40, unit: 'µs', ratio: 1 },
  { suite: 'stdio', figure: 'round trip p50', contender: 'raw pipe (bytes)', value: 35, unit: 'µs', ratio: 0.875 },
  {
    suite: 'stdio',
    figure: 'round trip p50',
    contender: 'ours',
    value: 44,
    unit: 'µs',
    ratio: 1.1,
    goal: '<= 1.15',
    met: true,
  },
  { suite: 'stdio', figure: 'round trip p50', contender: 'SDK v1', value: 55, unit: 'µs', ratio: 1.375 },
  { suite: 'stdio', figure: 'round trip p50', contender: 'SDK v2', value: 88, unit: 'µs', ratio: 2.2 },
  { suite: 'http', figure: 'req/s', contender: 'raw node:http JSON echo', value: 1000, unit: 'req/s', note: 'noisy' },
  {
    suite: 'http',
    figure: 'req/s',
    contender: 'ours stateless JSON',
    value: 900,
    unit: 'req/s',
    ratio: 0.9,
    goal: '>= 0.95',
    met: false,
  },
  { suite: 'http', figure: 'req/s', contender: 'ours stateful SSE', value: 800, unit: 'req/s', ratio: 0.8 },
  { suite: 'http', figure: 'req/s', contender: 'SDK v1 stateful SSE', value: 400, unit: 'req/s', ratio: 0.4 },
  // A curve point is charted, not tabled.
  { suite: 'stdio', figure: 'round trip vs message size', contender: 'ours', value: 1, unit: 'ms', x: 1024 },
];

test('roles come from the contender name unless a row says otherwise', () => {
  expect(roleOf({ contender: 'ours (Redis transport)' })).toBe('ours');
  expect(roleOf({ contender: 'core LineDecoder' })).toBe('ours');
  expect(roleOf({ contender: 'SDK v1 client' })).toBe('sdk');
  expect(roleOf({ contender: 'raw ws (no JSON)' })).toBe('raw-bytes');
  expect(roleOf({ contender: 'raw ws + JSON' })).toBe('raw');
  expect(roleOf({ contender: 'JSON.parse' })).toBe('raw');
  expect(roleOf({ contender: 'something else' })).toBe('other');
  expect(roleOf({ contender: 'raw ws + JSON, again (noise control)' })).toBe('control');
  expect(roleOf({ contender: 'something else', role: 'sdk' })).toBe('sdk');
});

test('one line per figure and our contender, with SDK and raw beside it and ratios', () => {
  const lines = toLines(rows);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toEqual({
    suite: 'stdio',
    figure: 'round trip p50',
    ours: '44.0 µs',
    sdk: 'v1 55.0 µs · v2 88.0 µs',
    raw: '40.0 µs (no JSON 35.0 µs)',
    oursRaw: '1.10x',
    // ours/raw ÷ SDK/raw, both measured against the same baseline.
    oursSdk: 'v1 0.80x · v2 0.50x',
    goal: '<= 1.15',
    met: 'yes',
    note: '',
  });
  expect(lines[1]).toMatchObject({
    figure: 'req/s · stateless JSON',
    ours: '900 req/s',
    sdk: 'v1 stateful SSE 400 req/s',
    raw: '1000 req/s',
    oursRaw: '0.90x',
    oursSdk: '2.25x',
    met: 'NO',
    note: 'raw node:http JSON echo: noisy',
  });
  expect(lines[2]).toMatchObject({ figure: 'req/s · stateful SSE', oursSdk: '2.00x', goal: '', met: '', note: '' });
});

test('a noise control shows as its ratio in the raw column', () => {
  const control: Row = {
    suite: 'stdio',
    figure: 'round trip p50',
    contender: 'raw pipe + JSON, again (noise control)',
    value: 41,
    unit: 'µs',
    ratio: 1.025,
  };
  const [line] = toLines([...rows, control]);
  expect(line).toMatchObject({ raw: '40.0 µs (no JSON 35.0 µs) [A/A 1.02x]', oursRaw: '1.10x' });
});

test('the text table has the same columns for every suite, grouped by suite', () => {
  const table = renderTable(rows);
  const [header] = table.split('\n');
  expect(header?.split(/\s{2,}/)).toEqual(['figure', 'ours', 'SDK', 'raw', 'ours/raw', 'ours/SDK', 'goal', 'met?']);
  expect(table).toContain('[stdio]');
  expect(table).toContain('[http]');
  expect(table).toMatch(/req\/s · stateless JSON .* 0\.90x .* >= 0\.95 +NO/);
  expect(table).toContain('notes:');
});

test('the Markdown table has a row per line and nine cells each', () => {
  const md = renderMarkdown(rows)
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' '));
  expect(md).toHaveLength(2 + 3);
  expect(md[0]).toBe('| suite | figure | ours | SDK | raw | ours/raw | ours/SDK | goal | met? |');
  for (const line of md.slice(2)) expect(line.split('|')).toHaveLength(9 + 2);
  expect(md[1]).toMatch(/^\| -{3,} \| -{3,} \|/);
  expect(md[2]).toContain('| <= 1.15 | ✓ |');
  expect(md[3]).toContain('| >= 0.95 | ✗ |');
});
