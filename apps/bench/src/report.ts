import { formatNumber, type Row } from './harness.js';

/** A readable table: one block per suite, ratios next to the figures, goals marked. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['suite', 'figure', 'contender', 'value', 'ratio', 'goal', ''];
  const body = rows.map((r) => [
    r.suite,
    r.figure,
    r.contender,
    `${formatNumber(r.value)} ${r.unit}`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.goal ?? '',
    r.met === undefined ? (r.note ?? '') : `${r.met ? 'met' : 'MISSED'}${r.note === undefined ? '' : ` (${r.note})`}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  let lastSuite = '';
  for (const row of body) {
    if (row[0] !== lastSuite && lastSuite !== '') out.push('');
    lastSuite = row[0] as string;
    out.push(line(row));
  }
  return out.join('\n');
}

/** Markdown table of the same rows, for the README. */
export function renderMarkdown(rows: readonly Row[]): string {
  const out = ['| suite | figure | contender | value | ratio | goal |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const goal = r.goal === undefined ? '' : `${r.goal} ${r.met === true ? '✓' : r.met === false ? '✗' : ''}`;
    out.push(
      `| ${r.suite} | ${r.figure} | ${r.contender} | ${formatNumber(r.value)} ${r.unit} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`} | ${goal} |`,
    );
  }
  return out.join('\n');
}
