/**
 * Measurement helpers. Every comparison runs its contenders back to back inside each round and
 * computes ratios within the round, so machine noise (the other core busy, a GC) hits both sides
 * and cancels; the reported figure is the median over rounds.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface BenchOptions {
  /** Fewer rounds and smaller inputs: a smoke run for CI. */
  quick: boolean;
}

/** One printed row: a figure for one contender, with its ratio against the baseline. */
export interface Row {
  suite: string;
  figure: string;
  contender: string;
  value: number;
  unit: string;
  /** contender / baseline, oriented so that the goal reads naturally (see `goal`). */
  ratio?: number | undefined;
  /** The goal for `ratio`, e.g. ">= 0.9" or "<= 1.2". */
  goal?: string | undefined;
  /** Whether `ratio` meets `goal`. */
  met?: boolean | undefined;
  note?: string | undefined;
  /**
   * Which column of the unified table the row fills; inferred from `contender` when absent
   * (`ours…`/`core…` → ours, `SDK…` → SDK, `raw…` → raw; "no JSON"/"bytes" → raw without JSON).
   */
  role?: Role | undefined;
  /**
   * A point on a scaling curve: rows of one suite and figure that carry `x` are drawn as one chart
   * (a series per contender, `value` against `x`) by `--curves DIR`. Suites feed curves this way.
   */
  x?: number | undefined;
}

/** `control`: the baseline run a second time as its own contender; its ratio is the figure's noise. */
export type Role = 'ours' | 'sdk' | 'raw' | 'raw-bytes' | 'control' | 'other';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** Milliseconds taken by `fn`, called `iterations` times. */
export async function time(fn: () => unknown, iterations = 1): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return performance.now() - start;
}

/** Synchronous variant of {@link time}, for microbenchmarks where an await would dominate. */
export function timeSync(fn: () => unknown, iterations = 1): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return performance.now() - start;
}

/**
 * Runs every contender once per round (after `warmup` unrecorded rounds) and returns each
 * contender's per-round times plus per-round ratios against the first contender (the baseline).
 */
export async function compare(
  contenders: Record<string, () => number | Promise<number>>,
  rounds: number,
  warmup = 1,
): Promise<{ times: Record<string, number[]>; ratios: Record<string, number[]> }> {
  const names = Object.keys(contenders);
  const baseline = names[0] as string;
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const roundTimes: Record<string, number> = {};
    // Alternate the order every round so neither side always runs on a warmer (or hotter) machine.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) roundTimes[name] = await (contenders[name] as () => number | Promise<number>)();
    if (round < warmup) continue;
    for (const name of names) {
      (times[name] as number[]).push(roundTimes[name] as number);
      (ratios[name] as number[]).push((roundTimes[name] as number) / (roundTimes[baseline] as number));
    }
  }
  return { times, ratios };
}

/** Contenders for {@link compare} whose run is one call of `op(name)`, timed in ms. */
export function timedOnce(
  names: readonly string[],
  op: (name: string) => Promise<unknown>,
): Record<string, () => Promise<number>> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      async () => {
        const start = performance.now();
        await op(name);
        return performance.now() - start;
      },
    ]),
  );
}

/**
 * Latency of one operation per contender, interleaved: in each round every contender does its
 * `i`-th operation before any does its `i+1`-th (the starting contender rotating), so all of them
 * see the same machine from moment to moment — on a shared machine the noise of a busy second
 * comes and goes within milliseconds, and contenders measured one after the other in blocks of a
 * thousand land in different weather. Returns each contender's latencies (ms), one array per
 * recorded round, after `warmup` unrecorded rounds.
 */
export async function interleaved(
  contenders: Record<string, (i: number) => Promise<unknown>>,
  perRound: number,
  rounds: number,
  warmup = 1,
): Promise<Record<string, number[][]>> {
  const names = Object.keys(contenders);
  const result: Record<string, number[][]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    const lat: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < perRound; i++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length] as string;
        const start = performance.now();
        await (contenders[name] as (i: number) => Promise<unknown>)(i);
        (lat[name] as number[]).push(performance.now() - start);
      }
    }
    if (round < warmup) continue;
    for (const name of names) (result[name] as number[][]).push(lat[name] as number[]);
  }
  return result;
}

export function formatNumber(value: number): string {
  if (value >= 100_000) return Math.round(value).toLocaleString('en-US');
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/** Lets pending work finish, then collects garbage until the heap stops shrinking. */
export async function settleHeap(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let last = Infinity;
  for (let i = 0; i < 5; i++) {
    gc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last) break;
    last = used;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A full garbage collection (twice, so finalizers' garbage goes too), for heap figures. */
export function forceGc(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/**
 * The leak check: `warmup()` once, a full GC, `work()`, a full GC, and a row with the heap growth
 * in MiB (`isOurs`: with the goal of at most 5 MiB; a per-message leak grows with the count).
 */
export async function heapGrowthRow(
  row: { suite: string; figure: string; contender: string; isOurs: boolean },
  warmup: () => Promise<unknown>,
  work: () => Promise<unknown>,
): Promise<Row> {
  await warmup();
  forceGc();
  const before = process.memoryUsage().heapUsed;
  await work();
  forceGc();
  const growth = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  return {
    suite: row.suite,
    figure: row.figure,
    contender: row.contender,
    value: growth,
    unit: 'MiB',
    ...(row.isOurs ? { goal: '<= 5 MiB', met: growth <= 5 } : {}),
  };
}
