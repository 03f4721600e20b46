/**
 * Reports: a readable table for people, JSON for tools, JUnit XML for CI dashboards.
 */
import type { CheckResult, CheckStatus } from './types.js';
import { isUnexpected } from './types.js';

const STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'expected-fail', 'stale', 'n/a'];

/** `17 checks: 15 pass, 0 fail, 1 expected-fail, 0 stale, 1 n/a`. */
export function summarize(results: readonly CheckResult[]): string {
  const counts = STATUSES.map((status) => `${results.filter((r) => r.status === status).length} ${status}`);
  return `${results.length} checks: ${counts.join(', ')}`;
}

/** Whether any result is unexpected (`fail` or `stale`): the run should exit non-zero. */
export function hasUnexpected(results: readonly CheckResult[]): boolean {
  return results.some(isUnexpected);
}

function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** A plain-text table: check, requirement ids, result, message (clipped to `messageWidth`). */
export function formatTable(results: readonly CheckResult[], messageWidth = 100): string {
  const rows = results.map((r) => [
    r.id,
    r.requirements.join(', '),
    r.status.toUpperCase(),
    clip(r.message, messageWidth),
  ]);
  const header = ['check', 'requirement', 'result', 'message'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), '', summarize(results)].join('\n');
}

/** The results as pretty JSON, with a summary. */
export function toJson(suite: string, results: readonly CheckResult[]): string {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, results.filter((r) => r.status === s).length]));
  return `${JSON.stringify({ suite, ok: !hasUnexpected(results), counts, results }, null, 2)}\n`;
}

/** Characters XML 1.0 cannot carry at all: C0 controls but tab, LF and CR; U+FFFE and U+FFFF. */
const notXml = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff;
};

const escapeXml = (text: string): string =>
  text
    .split('')
    .filter((c) => !notXml(c))
    .join('')
    .replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/**
 * JUnit XML: `fail` and `stale` are failures, `n/a` is skipped, and `expected-fail` is skipped
 * with its reason (it does not fail the build, and stays visible).
 */
export function toJUnit(suite: string, results: readonly CheckResult[]): string {
  const failures = results.filter(isUnexpected).length;
  const skipped = results.filter((r) => r.status === 'n/a' || r.status === 'expected-fail').length;
  const time = (ms: number): string => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  const cases = results.map((r) => {
    const name = escapeXml(`[${r.requirements.join(', ')}] ${r.id}: ${r.title}`);
    const open = `    <testcase classname="${escapeXml(suite)}" name="${name}" time="${time(r.durationMs)}"`;
    const message = escapeXml(r.message);
    switch (r.status) {
      case 'pass':
        return `${open}/>`;
      case 'fail':
        return `${open}>\n      <failure message="${message}"/>\n    </testcase>`;
      case 'stale':
        return `${open}>\n      <failure message="stale expected failure: ${message}"/>\n    </testcase>`;
      case 'expected-fail':
        return `${open}>\n      <skipped message="expected failure: ${message}"/>\n    </testcase>`;
      case 'n/a':
        return `${open}>\n      <skipped message="n/a: ${message}"/>\n    </testcase>`;
    }
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mcp-transports-conformance" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${time(total)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${results.length}" failures="${failures}" skipped="${skipped}" time="${time(total)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
