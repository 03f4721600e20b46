/**
 * The demo's measurements over one connected client: round-trip latency (sequential echo calls),
 * throughput (echo calls with several in flight) and the time to receive a 1 MB tool result.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { median, percentile } from './stats.js';

/**
 * Counts are caps, times are budgets: a slow transport gets fewer samples instead of making the
 * demo slow (it must finish in under a minute on a busy 2-core machine).
 */
export interface Plan {
  readonly warmup: number;
  readonly roundTrips: number;
  readonly roundTripBudgetMs: number;
  readonly throughputBudgetMs: number;
  readonly concurrency: number;
  readonly payloadRuns: number;
  readonly payloadBudgetMs: number;
}

export const FULL_PLAN: Plan = {
  warmup: 30,
  roundTrips: 1000,
  roundTripBudgetMs: 2000,
  throughputBudgetMs: 2000,
  concurrency: 16,
  payloadRuns: 5,
  payloadBudgetMs: 2000,
};
export const QUICK_PLAN: Plan = {
  warmup: 5,
  roundTrips: 100,
  roundTripBudgetMs: 600,
  throughputBudgetMs: 600,
  concurrency: 8,
  payloadRuns: 2,
  payloadBudgetMs: 500,
};

export const PAYLOAD_BYTES = 1024 * 1024;

export interface Measurement {
  readonly connectMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly callsPerSecond: number;
  readonly payloadMs: number;
  /** Round trips measured (p99 of fewer than 100 is the maximum). */
  readonly samples: number;
}

/** Reports what is running, e.g. `round trips 120/400`. */
export type Progress = (step: string) => void;

const echo = (client: Client): Promise<unknown> => client.callTool({ name: 'echo', arguments: { text: 'ping' } });

export async function measure(client: Client, connectMs: number, plan: Plan, progress: Progress): Promise<Measurement> {
  for (let i = 0; i < plan.warmup; i++) await echo(client);

  // Always at least a few samples, however slow the medium.
  const latencies: number[] = [];
  let deadline = performance.now() + plan.roundTripBudgetMs;
  while (latencies.length < plan.roundTrips && (latencies.length < 10 || performance.now() < deadline)) {
    if (latencies.length % 20 === 0) progress(`round trips ${latencies.length}/${plan.roundTrips}`);
    const start = performance.now();
    await echo(client);
    latencies.push(performance.now() - start);
  }

  progress(`throughput, ${plan.concurrency} calls in flight for ${plan.throughputBudgetMs / 1000} s`);
  let completed = 0;
  const started = performance.now();
  deadline = started + plan.throughputBudgetMs;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (performance.now() < deadline) {
        await echo(client);
        completed++;
      }
    }),
  );
  const callsPerSecond = completed / ((performance.now() - started) / 1000);

  const payloads: number[] = [];
  deadline = performance.now() + plan.payloadBudgetMs;
  while (payloads.length < plan.payloadRuns && (payloads.length === 0 || performance.now() < deadline)) {
    progress(`1 MB result ${payloads.length + 1}/${plan.payloadRuns}`);
    const start = performance.now();
    const result = await client.callTool({ name: 'largePayload', arguments: { bytes: PAYLOAD_BYTES } });
    payloads.push(performance.now() - start);
    const text = (result.content as { text?: string }[] | undefined)?.[0]?.text;
    if (text?.length !== PAYLOAD_BYTES) throw new Error(`largePayload returned ${String(text?.length)} bytes`);
  }

  return {
    connectMs,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
    callsPerSecond,
    payloadMs: median(payloads),
    samples: latencies.length,
  };
}
