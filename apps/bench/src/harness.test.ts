import { expect, test } from 'vitest';
import { compare, interleaved, median, percentile, timedOnce } from './harness.js';
import { renderTable } from './report.js';

test('median and percentile pick the right samples', () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
});

test('compare computes ratios within each round, against the first contender', async () => {
  // The "machine" slows down every other round; both contenders of a round see the same speed.
  let calls = 0;
  const slowdown = () => 1 + (Math.floor(calls++ / 2) % 2);
  const { ratios, times } = await compare({ base: () => 10 * slowdown(), other: () => 20 * slowdown() }, 4, 0);
  expect(ratios.other).toEqual([2, 2, 2, 2]);
  expect(times.base).toEqual([10, 20, 10, 20]);
});

test('interleaved runs the contenders one operation at a time, rotating who goes first', async () => {
  const calls: string[] = [];
  const op = (name: string) => async (i: number) => {
    calls.push(`${name}${i}`);
  };
  const result = await interleaved({ a: op('a'), b: op('b'), c: op('c') }, 3, 2, 1);
  // One warm-up round, then two recorded; in each round op i of everyone before op i+1 of anyone.
  expect(calls.slice(0, 9)).toEqual(['a0', 'b0', 'c0', 'b1', 'c1', 'a1', 'c2', 'a2', 'b2']);
  expect(calls).toHaveLength(27);
  expect(result.a).toHaveLength(2);
  expect(result.a![0]).toHaveLength(3);
});

test('timedOnce makes compare() contenders that time one call each', async () => {
  const calls: string[] = [];
  const contenders = timedOnce(['a', 'b'], async (name) => {
    calls.push(name);
    await new Promise((resolve) => setTimeout(resolve, 5));
  });
  const { times } = await compare(contenders, 2, 0);
  expect(calls).toEqual(['a', 'b', 'b', 'a']);
  expect(Math.min(...times.a!, ...times.b!)).toBeGreaterThan(0);
});

test('the table shows ratios and whether each goal is met', () => {
  const table = renderTable([
    { suite: 's', figure: 'f', contender: 'raw', value: 100, unit: 'msg/s' },
    { suite: 's', figure: 'f', contender: 'ours', value: 95, unit: 'msg/s', ratio: 0.95, goal: '>= 0.9', met: true },
  ]);
  expect(table).toContain('0.95x');
  expect(table).toContain('met');
});
