import { formatNumber, type Role, type Row } from './harness.js';

/** The column a row fills: its `role`, else inferred from the contender's name. */
export function roleOf(row: Pick<Row, 'contender' | 'role'>): Role {
  if (row.role !== undefined) return row.role;
  const name = row.contender;
  if (/noise control/i.test(name)) return 'control';
  if (/^(ours|core )/i.test(name)) return 'ours';
  if (/^SDK/i.test(name)) return 'sdk';
  if (/^raw/i.test(name)) return /no JSON|bytes/i.test(name) ? 'raw-bytes' : 'raw';
  if (name === 'JSON.parse' || name === 'collect-then-parse') return 'raw';
  return 'other';
}

/** One line of the unified table: one figure for one of our contenders, beside the SDK and the raw medium. */
export interface Line {
  suite: string;
  figure: string;
  /** Our contender's value (or empty when the figure has none of ours). */
  ours: string;
  sdk: string;
  raw: string;
  /** Our ratio against the raw medium with JSON, as the suite computed it within each round. */
  oursRaw: string;
  /** Our ratio against each SDK (their ratios against the same raw baseline, divided). */
  oursSdk: string;
  goal: string;
  /** 'yes', 'NO' or '' (no goal). */
  met: string;
  note: string;
}

const value = (r: Row) => `${formatNumber(r.value)} ${r.unit}`.trim();
const ratio = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : `${x.toFixed(2)}x`);
/** A contender's label with its role's prefix taken off ("SDK v1 client" → "v1 client"). */
const short = (name: string, prefix: RegExp) => name.replace(prefix, '').trim();

/**
 * Pivots rows into the unified table: a line per (suite, figure, our contender) with the figure
 * for ours, the official SDK (every version, labelled) and the raw medium (with JSON; without JSON
 * in brackets), our ratios against the raw medium and against each SDK, and the goal.
 */
export function toLines(rows: readonly Row[]): Line[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (row.x !== undefined) continue; // curve points are drawn, not tabled
    const key = `${row.suite}\u0000${row.figure}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  const lines: Line[] = [];
  for (const group of groups.values()) {
    const first = group[0] as Row;
    const ours = group.filter((r) => roleOf(r) === 'ours');
    const sdks = group.filter((r) => roleOf(r) === 'sdk');
    const raws = group.filter((r) => roleOf(r) === 'raw');
    const rawBytes = group.filter((r) => roleOf(r) === 'raw-bytes');
    const others = group.filter((r) => roleOf(r) === 'other');
    const controls = group.filter((r) => roleOf(r) === 'control');
    const labelled = (rs: Row[], prefix: RegExp) =>
      rs.map(
        (r) => (rs.length > 1 || short(r.contender, prefix) !== '' ? `${short(r.contender, prefix)} ` : '') + value(r),
      );
    const sdk = labelled(sdks, /^SDK/i).join(' · ');
    const [baseRaw, ...moreRaw] = raws;
    const rawParts = [
      ...(baseRaw === undefined ? [] : [value(baseRaw)]),
      ...moreRaw.map((r) => `· ${short(r.contender, /^raw/i)} ${value(r)}`),
      ...rawBytes.map((r) => `(no JSON ${value(r)})`),
      ...others.map((r) => `(${r.contender} ${value(r)})`),
      // What two identical contenders differ by in the same rounds: the figure's noise.
      ...controls.map((r) => `[A/A ${ratio(r.ratio)}]`),
    ];
    const raw = rawParts.join(' ');
    let noteGiven = false;
    for (const r of ours.length > 0 ? ours : [undefined]) {
      const variant = r === undefined ? '' : short(r.contender, /^(ours|core)/i).replace(/^\((.*)\)$/, '$1');
      const vsSdk = sdks
        .map((s) => {
          if (r === undefined) return '';
          // Per-round ratios against the same baseline when both have one; else the medians' ratio.
          const x =
            r.ratio !== undefined && s.ratio !== undefined && s.ratio !== 0
              ? ratio(r.ratio / s.ratio)
              : s.value === 0
                ? ''
                : ratio(r.value / s.value);
          if (x === '') return '';
          // The version alone ("v1") labels a ratio; the SDK column has the full names.
          return sdks.length > 1 ? `${short(s.contender, /^SDK/i).split(' ')[0] as string} ${x}` : x;
        })
        .filter((s) => s !== '');
      lines.push({
        suite: first.suite,
        figure: ours.length > 1 && variant !== '' ? `${first.figure} · ${variant}` : first.figure,
        ours: r === undefined ? '' : value(r),
        sdk,
        raw,
        oursRaw: ratio(r?.ratio),
        oursSdk: vsSdk.join(' · '),
        goal: r?.goal ?? '',
        met: r?.met === undefined ? '' : r.met ? 'yes' : 'NO',
        // A group's notes once, on its first line.
        note: noteGiven
          ? ''
          : group
              .filter((g) => g.note !== undefined)
              .map((g) => (group.length > 1 ? `${g.contender}: ${g.note}` : (g.note as string)))
              .join('; '),
      });
      noteGiven = true;
    }
  }
  return lines;
}

const HEADER = ['figure', 'ours', 'SDK', 'raw', 'ours/raw', 'ours/SDK', 'goal', 'met?'] as const;
const cells = (l: Line) => [l.figure, l.ours, l.sdk, l.raw, l.oursRaw, l.oursSdk, l.goal, l.met];

/**
 * The readable table: one block per suite, one line per figure, the same columns for every suite
 * (figure, ours, SDK, raw, ours/raw, ours/SDK, goal, met?); notes follow the table.
 */
export function renderTable(rows: readonly Row[]): string {
  const lines = toLines(rows);
  const body = lines.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const format = (cs: readonly string[]) =>
    cs
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [format(HEADER), format(widths.map((w) => '-'.repeat(w)))];
  let lastSuite: string | undefined;
  lines.forEach((line, i) => {
    if (line.suite !== lastSuite) {
      if (lastSuite !== undefined) out.push('');
      out.push(`[${line.suite}]`);
      lastSuite = line.suite;
    }
    out.push(format(body[i] as string[]));
  });
  const notes = lines.filter((l) => l.note !== '');
  if (notes.length > 0) {
    out.push('', 'notes:');
    for (const l of notes) out.push(`  ${l.suite} · ${l.figure}: ${l.note}`);
  }
  return out.join('\n');
}

const escapeCell = (s: string) => s.replaceAll('|', '\\|');

/** A Markdown table with padded columns, laid out as Prettier would (so generated docs pass lint). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows].map((r) => r.map(escapeCell));
  // Width in code points, as Prettier counts these characters (µ, ·, —, ✓ are one column each).
  const width = (s: string) => Array.from(s).length;
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w + (cells[i] ?? '').length - width(cells[i] ?? ''))).join(' | ')} |`;
  return [line(all[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}

/** The same table in Markdown (with a suite column), for the README and docs/bench. */
export function renderMarkdown(rows: readonly Row[]): string {
  return markdownTable(
    ['suite', ...HEADER],
    toLines(rows).map((l) => [l.suite, ...cells(l).slice(0, -1), l.met === 'yes' ? '✓' : l.met === 'NO' ? '✗' : '']),
  );
}
